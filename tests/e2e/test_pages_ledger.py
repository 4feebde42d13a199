"""The review ledger's zh-CN pages in a real browser: a secretary submits a report with an
attachment, the Party office prints evaluation codes, evaluators use them on a phone, the
general branch secretary examines, and the ledger shows it all."""

import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.conftest import ADMIN_PASSWORD, Client
from tests.e2e.browsing import PHONE, sign_in

YEAR = datetime.now(timezone(timedelta(hours=8))).year


@pytest.fixture(scope="module")
def office(system):
    return Client(system.url, "admin", ADMIN_PASSWORD)


def person(office, staff_no, name, roles):
    made = office.post("/api/v1/people", json={"staff_no": staff_no, "name": name, "email": f"{staff_no}@h.cn", "roles": roles})
    assert made.status_code == 201, made.text
    return office.post("/api/v1/accounts", json={"person_id": made.json()["id"]}).json()


@pytest.fixture(scope="module")
def setting(office):
    cycle = office.post("/api/v1/cycles", json={
        "year": YEAR, "title": f"{YEAR}年基层组织建设年", "weights": {"self_assessment": 20, "ballots": 40, "superior": 40},
        "phases": [{"key": "survey", "name": "调查摸底", "starts_on": f"{YEAR}-01-01", "due_on": f"{YEAR}-12-31"},
                   {"key": "report", "name": "三级联述联评联考", "starts_on": f"{YEAR}-01-01", "due_on": f"{YEAR}-12-31"}],
        "thresholds": {"advanced": 85, "average": 70}}).json()["id"]
    branch = office.post("/api/v1/branches", json={"code": "LP", "name": "内科样例支部"}).json()["id"]
    secretary = person(office, "LP1", "样例书记", [{"role": "branch_secretary", "branch_id": branch}])
    general = person(office, "LP2", "总支书记甲", [{"role": "general_secretary", "branch_id": ""}])
    other = office.post("/api/v1/branches", json={"code": "LQ", "name": "外科样例支部"}).json()["id"]
    neighbour = person(office, "LQ1", "邻支部书记", [{"role": "branch_secretary", "branch_id": other}])
    return cycle, branch, secretary, general, neighbour


def test_a_report_goes_from_submission_through_secret_evaluation_and_examination_into_the_ledger(
        browser, page, system, office, setting, tmp_path):
    cycle, branch, secretary, general, neighbour = setting
    sign_in(page, system, f"/cycles/{cycle}/reports/new", secretary["username"], secretary["password"])
    page.fill("textarea[name=text]", "一年来，支部坚持“三会一课”……")
    summary = tmp_path / "述职附件.txt"
    summary.write_text("支部工作台账", encoding="utf-8")
    page.set_input_files("input[name=attachments]", str(summary))
    page.click("button:has-text('提交述职报告')")
    expect(page).to_have_url(re.compile(rf"/cycles/{cycle}/ledger\?ok=report_saved$"))
    expect(page.locator(".notice")).to_contain_text("述职报告已保存")
    page.goto(f"{system.url}/cycles/{cycle}/year")  # the year's hub shows who has reported
    expect(page.locator("table.status tr:has-text('内科样例支部')")).to_contain_text("已述职")
    page.click("table.status a:has-text('已述职')")
    expect(page.locator(".report-text")).to_contain_text("三会一课")
    expect(page.locator("a:has-text('述职附件.txt')")).to_be_visible()
    report_url = page.url

    office_page = browser.new_context(locale="zh-CN").new_page()
    sign_in(office_page, system, report_url.removeprefix(system.url))
    office_page.select_option("#codes form:has(button:has-text('发放')) select[name=category]", "members")
    office_page.fill("input[name=count]", "6")
    office_page.click("button:has-text('发放并打印评议码')")
    expect(office_page.locator("h1")).to_have_text("内科样例支部 样例书记 述职 · 党员评议码（6 个）")
    codes = office_page.locator(".slip-code").all_inner_texts()
    expect(office_page.locator("li.slip").first).to_contain_text(f"{system.url}/evaluate")

    phone = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    for code, rating in zip(codes[:5], ["good", "good", "fairly_good", "fair", "good"], strict=True):
        phone.goto(f"{system.url}/evaluate")
        phone.fill("input[name=code]", code.lower())
        phone.click(f"label.choice:has(input[name=rating][value={rating}])")
        phone.click("button:has-text('提交评议')")
        expect(phone.locator("h1")).to_have_text("评议已提交，感谢参与。")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.goto(f"{system.url}/evaluate")
    phone.fill("input[name=code]", codes[0])
    phone.click("label.choice:has(input[name=rating][value=poor])")
    phone.click("button:has-text('提交评议')")
    expect(phone.locator(".problem")).to_contain_text("已经使用过")
    office_page.goto(report_url)
    office_page.fill("input[name=code]", codes[5])
    office_page.click("button:text-is('作废')")
    expect(office_page.locator(".notice")).to_contain_text("评议码已作废")
    phone.goto(f"{system.url}/evaluate")
    phone.fill("input[name=code]", codes[5])
    phone.click("label.choice:has(input[name=rating][value=good])")
    phone.click("button:has-text('提交评议')")
    expect(phone.locator(".problem")).to_contain_text("已作废")

    committee = browser.new_context(locale="zh-CN").new_page()  # another branch's committee, signed
    sign_in(committee, system, report_url.removeprefix(system.url), neighbour["username"], neighbour["password"])
    expect(committee.locator("#evaluate select[name=organisation_id]")).to_have_text("外科样例支部支委会")
    expect(committee.locator("#examine")).to_have_count(0)
    committee.click("#evaluate label.choice:has(input[name=rating][value=fairly_good])")
    committee.fill("#evaluate textarea[name=comment]", "制度落实较好")
    committee.click("button:has-text('提交组织评议')")
    expect(committee.locator(".notice")).to_contain_text("组织评议已提交")
    expect(committee.locator("#evaluate")).to_have_count(0)  # nothing left for this committee to evaluate

    examiner = browser.new_context(locale="zh-CN").new_page()
    sign_in(examiner, system, report_url.removeprefix(system.url), general["username"], general["password"])
    examiner.fill("input[name=score]", "92")
    examiner.select_option("select[name=verdict]", "excellent")
    examiner.click("button:has-text('保存考核结果')")
    expect(examiner.locator(".notice")).to_contain_text("考核结果已保存")
    deadline = time.monotonic() + 10  # the five evaluations are recorded by the once-a-second sweep
    while "综合好评率：83.33%" not in examiner.locator("#results").inner_text():
        assert time.monotonic() < deadline, examiner.locator("#results").inner_text()
        examiner.reload()
    expect(examiner.locator("#results")).to_contain_text("92 分，优秀")

    office_page.goto(f"{system.url}/cycles/{cycle}/ledger")
    row = office_page.locator("table.ledger tr:has-text('内科样例支部')")
    expect(row).to_contain_text("好 3 · 较好 1 · 一般 1 · 差 0")
    expect(row).to_contain_text("好 0 · 较好 1 · 一般 0 · 差 0")
    expect(row).to_contain_text("83.33%")  # 5 of 6 good or fairly good
    expect(row).to_contain_text("优秀")
    level2 = office_page.locator("section.card", has_text="党总支书记向上级党委述职")
    expect(level2).to_contain_text("尚未述职：党总支")
    office_page.screenshot(path=str(tmp_path / "ledger.png"), full_page=True)
    secretary_view = page
    secretary_view.goto(f"{system.url}/cycles/{cycle}/ledger")
    expect(secretary_view.locator("table.ledger tr:has-text('内科样例支部')")).to_contain_text("优秀")
    expect(secretary_view.locator("text=全院汇总")).to_have_count(0)
