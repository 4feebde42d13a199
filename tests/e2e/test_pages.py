"""The zh-CN pages in a real browser (Debian's Chromium, driven by Playwright)."""

import re

import requests
from playwright.sync_api import expect

from tests.conftest import ADMIN_PASSWORD, Client


def sign_in(page, system, username="admin", password=ADMIN_PASSWORD):
    page.goto(f"{system.url}/org")
    expect(page).to_have_url(re.compile(r"/login\?next=/org"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")


def test_a_wrong_password_is_shown_and_the_right_one_leads_to_the_organisation(page, system):
    sign_in(page, system, password="wrong")
    expect(page.locator(".problem")).to_contain_text("用户名或密码不正确")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button:has-text('登录')")
    expect(page).to_have_url(re.compile(r"/org$"))
    expect(page.locator("h1")).to_have_text("组织架构")


def test_the_party_office_registers_a_branch_and_sees_it_listed(page, system):
    sign_in(page, system)
    page.fill("input[name=code]", "YX")
    page.fill("input[name=name]", "影像支部")
    page.fill("input[name=departments]", "放射科、超声科")
    page.click("button:has-text('登记')")
    expect(page.locator(".notice")).to_have_text("支部已登记。")
    row = page.locator("tr", has_text="影像支部")
    expect(row).to_contain_text("放射科、超声科")
    page.fill("input[name=code]", "YX")
    page.fill("input[name=name]", "重复")
    page.click("button:has-text('登记')")
    expect(page.locator(".problem")).to_contain_text("支部编码已存在")
    expect(page.locator("input[name=name]")).to_have_value("重复")  # what was typed stays


def test_a_roster_with_bad_rows_is_explained_row_by_row_then_a_good_one_is_imported(page, system, tmp_path):
    sign_in(page, system)
    page.click("nav >> text=导入名册")
    bad = tmp_path / "名册.csv"
    bad.write_text("支部编码,支部名称,科室,工号,姓名,邮箱,角色\n"
                   "PG,页面支部,科一,8001,甲,a@h.cn,党员\nPG,,,8002,乙,not-mail,党员\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('导入')")
    expect(page.locator(".problem")).to_contain_text("整个文件均未导入")
    expect(page.locator("table")).to_contain_text("3")
    expect(page.locator("table")).to_contain_text("邮箱地址格式不正确")
    bad.write_text("支部编码,支部名称,科室,工号,姓名,邮箱,角色\n"
                   "PG,页面支部,科一,8001,甲,a@h.cn,支部书记、党员\nPG,,,8002,乙,b@h.cn,党员\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button:has-text('导入')")
    expect(page.locator(".card.ok")).to_contain_text("共 2 行")
    page.click("text=查看组织架构")
    expect(page.locator("tr", has_text="页面支部")).to_contain_text("甲")


def test_the_party_office_opens_a_year_and_sees_its_calendar(page, system):
    sign_in(page, system)
    page.click("nav >> text=年度日历")
    year = page.input_value("input[name=year]")  # the form comes filled in with the plan's phases
    page.fill("input[name=year]", str(int(year) - 1))
    page.click("button:has-text('开启年度')")
    expect(page.locator(".problem")).to_contain_text(f"各阶段日期须在 {int(year) - 1} 年内")
    page.fill("input[name=year]", year)
    page.click("button:has-text('开启年度')")
    expect(page.locator(".notice")).to_have_text("年度已开启。")
    card = page.locator("section.card", has_text=f"{year}年基层组织建设年")
    expect(card.locator("svg.timeline rect")).to_have_count(3)
    expect(card.locator("table")).to_contain_text(f"{year}-04-30")


def test_a_branch_secretary_sees_only_their_branch_and_is_refused_another(page, system):
    admin = Client(system.url, "admin", ADMIN_PASSWORD)
    branches = {}
    for code in ("SA", "SB"):
        branches[code] = admin.post("/api/v1/branches", json={"code": code, "name": f"{code}支部"}).json()["id"]
    person = admin.post("/api/v1/people", json={"staff_no": "S1", "name": "书记甲", "email": "s1@h.cn",
                                                "roles": [{"role": "branch_secretary", "branch_id": branches["SA"]}]}).json()
    account = admin.post("/api/v1/accounts", json={"person_id": person["id"], "username": "shuji"}).json()
    sign_in(page, system, "shuji", account["password"])
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("SA支部")
    expect(page.locator("nav")).not_to_contain_text("导入名册")
    response = page.goto(f"{system.url}/org/branches/{branches['SB']}")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("403")


def test_a_form_posted_without_its_csrf_token_is_refused(page, system):
    sign_in(page, system)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    forged = requests.post(f"{system.url}/org", data={"code": "CSRF", "name": "伪造"}, cookies=cookies, timeout=10)
    assert forged.status_code == 403
