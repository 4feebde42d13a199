"""Helpers of the page tests (the browser fixtures are in conftest.py)."""

import re

from playwright.sync_api import expect

from tests.conftest import ADMIN_PASSWORD

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
PHONE = {"width": 390, "height": 844}


def sign_in(page, system, path, username="admin", password=ADMIN_PASSWORD):
    page.goto(f"{system.url}{path}")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))
