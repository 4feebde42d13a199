"""The first phase's zh-CN pages in a real browser (Debian's Chromium, driven by Playwright): the
voter's page on a phone, the branch page, the printable code sheet, grading and standings."""

import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import ADMIN_PASSWORD, Client
from tests.e2e.browsing import PHONE, sign_in

GOODS = ("leadership_team", "member_body", "mechanism", "results", "mass_response")
POINTS = ("organisation", "leadership", "rules", "funding", "role")
YEAR = datetime.now(timezone(timedelta(hours=8))).year  # ballots are open only during the year


@pytest.fixture(scope="module")
def office(system):
    return Client(system.url, "admin", ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def cycle(office):
    """This year's cycle, its first phase open all year so that ballots are accepted."""
    return open_cycle(office, YEAR, f"{YEAR}-12-31")


def open_cycle(office, year, due_on):
    created = office.post("/api/v1/cycles", json={
        "year": year, "title": f"{year}年基层组织建设年",
        "phases": [{"key": "survey", "name": "调查摸底，分类定级", "starts_on": f"{year}-01-01", "due_on": due_on}],
        "weights": {"self_assessment": 20, "ballots": 40, "superior": 40}, "thresholds": {"advanced": 85, "average": 70},
    })
    assert created.status_code == 201, created.text
    return created.json()["id"]


def new_branch(office, code, name):
    created = office.post("/api/v1/branches", json={"code": code, "name": name})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def issue(office, cycle, branch, category, count):
    issued = office.post(f"/api/v1/cycles/{cycle}/branches/{branch}/ballot-codes",
                         json={"category": category, "count": count})
    assert issued.status_code == 201, issued.text
    return issued.json()["codes"]


def cast(system, codes, level, satisfaction="satisfied"):
    """Vote with each code, then wait until the ballots are counted (the service records
    waiting ballots once a second)."""
    office = Client(system.url, "admin", ADMIN_PASSWORD)
    before = counted(office)
    for code in codes:
        ballot = {"code": code, "ratings": dict.fromkeys(GOODS, level), "satisfaction": satisfaction}
        assert requests.post(f"{system.url}/api/v1/ballots", json=ballot, timeout=30).status_code == 201
    deadline = time.monotonic() + 10
    while counted(office) < before + len(codes):
        assert time.monotonic() < deadline, "the ballots were not counted"
        time.sleep(0.2)


def counted(office):
    cycle = next(c["id"] for c in office.get("/api/v1/cycles").json() if c["year"] == YEAR)
    rows = office.get(f"/api/v1/cycles/{cycle}/standings").json()["branches"]
    return sum(group["count"] for row in rows for group in row["ballots"].values())


def score(office, cycle, branch, what, value):
    answer = office.put(f"/api/v1/cycles/{cycle}/branches/{branch}/{what}", json={"scores": dict.fromkeys(GOODS, value)})
    assert answer.status_code == 200, answer.text


def fill_ballot(page, level, satisfaction):
    for good in GOODS:
        page.click(f"label.choice:has(input[name=rating_{good}][value={level}])")
    page.click(f"label.choice:has(input[name=satisfaction][value={satisfaction}])")


def test_a_voter_on_a_phone_casts_a_ballot_and_the_same_code_is_then_refused_as_used(phone, system, office, cycle):
    branch = new_branch(office, "VA", "投票支部")
    code = issue(office, cycle, branch, "members", 1)[0]
    response = phone.goto(f"{system.url}/vote")
    assert "x-request-id" not in response.headers
    expect(phone.locator("h1")).to_have_text("党员群众测评")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than the phone
    phone.fill("input[name=code]", code.lower().replace("-", ""))  # typed on a phone: lower case, no dashes
    fill_ballot(phone, "good", "satisfied")
    phone.click("button:has-text('提交投票')")
    expect(phone.locator("h1")).to_have_text("投票成功，感谢参与。")
    expect(phone.locator("main")).to_contain_text("您的选择不会与投票码关联")
    assert code not in phone.url and code.replace("-", "") not in phone.url.upper()

    phone.goto(f"{system.url}/vote")
    phone.fill("input[name=code]", code)
    fill_ballot(phone, "fair", "basically_satisfied")
    phone.click("button:has-text('提交投票')")
    expect(phone.locator(".problem")).to_contain_text("该投票码已经使用过")
    expect(phone.locator("input[name=code]")).to_have_value("")  # the code is never written back
    expect(phone.locator("input[name=rating_results][value=fair]")).to_be_checked()  # the answers are kept
    expect(phone.locator("input[name=satisfaction][value=basically_satisfied]")).to_be_checked()
    assert code not in phone.content()
    for name in ("gateway", "assessment", "projections"):
        log = (system.cluster.log_dir / f"{name}.log").read_text()
        assert code not in log and code.replace("-", "") not in log.upper()


def test_an_unanswered_ballot_is_refused_without_spending_its_code(system, office, cycle):
    branch = new_branch(office, "VB", "未答支部")
    code = issue(office, cycle, branch, "masses", 1)[0]
    unanswered = requests.post(f"{system.url}/vote", data={"code": code, "rating_results": "good"}, timeout=30)
    assert unanswered.status_code == 422
    assert "还有未作答的项目" in unanswered.text and "领导班子好" in unanswered.text and code not in unanswered.text
    answered = {"code": code, "satisfaction": "satisfied", **{f"rating_{g}": "good" for g in GOODS}}
    accepted = requests.post(f"{system.url}/vote", data=answered, timeout=30, allow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith("/vote/done")


def test_the_party_office_reviews_the_arithmetic_confirms_a_renormalised_grade_and_sees_it_in_the_standings(
        page, system, office, cycle):
    renormalised = new_branch(office, "GA", "甲支部")  # no superior evaluation: its weight is shared out
    score(office, cycle, renormalised, "self-assessment", 90)
    cast(system, issue(office, cycle, renormalised, "members", 5), "good")
    whole = new_branch(office, "GB", "乙支部")
    score(office, cycle, whole, "self-assessment", 80)
    score(office, cycle, whole, "superior-evaluation", 75)
    cast(system, issue(office, cycle, whole, "members", 5), "fairly_good")

    sign_in(page, system, "/org")
    page.click("nav >> text=本年度工作")
    expect(page.locator("h1")).to_have_text(f"{YEAR}年基层组织建设年")
    page.click("nav.tabs >> text=分类定级审核")
    card = page.locator("section.grade", has_text="甲支部")
    expect(card.locator("table.arith")).to_contain_text("上级组织考评")
    expect(card.locator("tr", has_text="上级组织考评")).to_contain_text("未完成")
    expect(card.locator("tr", has_text="党组织自评")).to_contain_text("33.33%")
    expect(card.locator("tr", has_text="党员群众测评")).to_contain_text("66.67%")
    expect(card).to_contain_text("权重重新归一")
    expect(card).to_contain_text("总分 = 30.00 + 66.67 = 96.67")
    expect(card.locator("tfoot")).to_contain_text("96.67")
    other = page.locator("section.grade", has_text="乙支部")
    expect(other).not_to_contain_text("权重重新归一")
    expect(other.locator("tfoot")).to_contain_text("78.00")
    card.locator("button", has_text="确认定级为「先进」").click()
    expect(page.locator(".notice").first).to_have_text("定级已确认。")
    card = page.locator("section.grade", has_text="甲支部")
    expect(card.locator(".confirmed")).to_contain_text("已确认：先进")
    expect(card).to_contain_text("评分无变化")

    page.click("nav.tabs >> text=进度与排名")
    row = page.locator("table.standings tbody tr", has_text="甲支部")
    expect(row).to_contain_text("先进")
    expect(row).to_contain_text("96.67")
    expect(row.locator("td").first).to_have_text("1")
    expect(page.locator("svg.chart rect.bar.advanced", has_text="甲支部")).to_have_count(1)
    expect(page.locator("table.outstanding tr", has_text="上级考评")).to_contain_text("甲支部")
    expect(page.locator("a", has_text="导出 Excel")).to_have_attribute("href", f"/api/v1/cycles/{cycle}/standings.xlsx")
    export = page.request.get(f"{system.url}/api/v1/cycles/{cycle}/standings.xlsx")  # the session cookie is enough
    assert export.status == 200 and export.body()[:2] == b"PK"


def test_a_grade_whose_scores_changed_after_the_review_is_refused_as_a_conflict(page, system, office, cycle):
    branch = new_branch(office, "GC", "丙支部")
    score(office, cycle, branch, "self-assessment", 70)
    sign_in(page, system, f"/cycles/{cycle}/grading")
    card = page.locator("section.grade", has_text="丙支部")
    expect(card.locator("tfoot")).to_contain_text("70.00")
    score(office, cycle, branch, "superior-evaluation", 90)  # someone scores it meanwhile
    card.locator("button", has_text="确认定级").click()
    card = page.locator("section.grade.failed")
    expect(card).to_contain_text("丙支部")
    expect(card.locator(".problem")).to_contain_text("评分已变化（现为 83.33）")
    expect(card.locator("tfoot")).to_contain_text("83.33")  # the new numbers, to review again


def test_issuing_codes_from_the_branch_page_shows_a_printable_sheet_with_one_slip_per_code(page, system, office, cycle):
    branch = new_branch(office, "PC", "打印支部")
    sign_in(page, system, f"/cycles/{cycle}/branches/{branch}")
    page.select_option("select[name=category]", "masses")
    page.fill("input[name=count]", "7")
    page.click("button:has-text('发放并打印')")
    expect(page.locator("h1")).to_have_text("打印支部 · 群众代表测评投票码（7 个）")
    expect(page.locator(".warning")).to_contain_text("这些码只显示这一次")
    slips = page.locator("li.slip")
    expect(slips).to_have_count(7)
    expect(slips.first.locator(".slip-code")).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    expect(slips.first).to_contain_text(f"{system.url}/vote")
    expect(slips.first).to_contain_text("每个投票码只能使用一次；投票不记名")
    codes = slips.locator(".slip-code").all_inner_texts()
    assert len(set(codes)) == 7 and not any(code in page.url for code in codes)
    expect(page.locator("button[data-print]")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator(".warning")).to_be_hidden()
    expect(slips.first).to_be_visible()
    page.emulate_media(media="screen")

    page.click("text=返回打印支部")
    row = page.locator("#ballots tbody tr", has_text="群众代表")
    expect(row.locator("td").nth(1)).to_have_text("7")  # issued
    page.fill("input[name=code]", codes[0])
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('作废')")
    expect(page.locator("#ballots .notice")).to_have_text("投票码已作废。")
    expect(page.locator("#ballots tbody tr", has_text="群众代表").locator("td").nth(3)).to_have_text("1")  # voided


def test_a_branch_secretary_records_the_survey_and_self_assessment_and_sees_no_office_forms(page, system, office, cycle):
    branch = new_branch(office, "SS", "书记支部")
    person = office.post("/api/v1/people", json={"staff_no": "Y1", "name": "书记乙", "email": "y1@h.cn",
                                                 "roles": [{"role": "branch_secretary", "branch_id": branch}]}).json()
    account = office.post("/api/v1/accounts", json={"person_id": person["id"], "username": "shuji-y"}).json()
    path = f"/cycles/{cycle}/branches/{branch}"
    sign_in(page, system, path, "shuji-y", account["password"])
    expect(page.locator("#ballots form")).to_have_count(0)
    expect(page.locator("#superior form")).to_have_count(0)
    leadership = page.locator("form.survey-point", has_text="领导班子是否健全")
    leadership.locator("label.choice", has_text="发现问题").click()
    leadership.locator("button").click()
    expect(page.locator("#survey .problem")).to_contain_text("发现问题时须写明问题")
    leadership = page.locator("form.survey-point", has_text="领导班子是否健全")
    expect(leadership.locator("input[value=problem]")).to_be_checked()
    leadership.locator("textarea").fill("副书记空缺")
    leadership.locator("button").click()
    expect(page.locator("#survey .notice")).to_have_text("调查结论已保存。")
    expect(page.locator("form.survey-point", has_text="领导班子是否健全")).to_contain_text("发现问题")
    for n, good in enumerate(GOODS):
        page.fill(f"input[name=self_assessment_{good}]", str(80 + n))
    page.click("button:has-text('提交自评')")
    expect(page.locator("#self_assessment")).to_contain_text("已提交，五项平均 82.00 分")
    page.click("nav >> text=本年度工作")
    expect(page.locator("table.status tbody tr")).to_have_count(1)  # only their own branch
    expect(page.locator("nav.tabs")).not_to_contain_text("分类定级审核")
    assert page.goto(f"{system.url}/cycles/{cycle}/grading").status == 403


def test_after_the_deadline_the_self_assessment_form_gives_way_to_a_clear_closed_notice(page, system, office):
    last_year = open_cycle(office, YEAR - 1, f"{YEAR - 1}-04-30")
    branch = new_branch(office, "DL", "截止支部")
    sign_in(page, system, f"/cycles/{last_year}/branches/{branch}")
    expect(page.locator("#self_assessment .closed")).to_contain_text(f"自评已于 {YEAR - 1}-04-30 截止")
    expect(page.locator("#self_assessment form")).to_have_count(0)
    expect(page.locator("#ballots .closed")).to_contain_text("不能再发放投票码")
    refused = page.request.post(f"{system.url}/cycles/{last_year}/branches/{branch}", form={
        "csrf_token": page.locator("input[name=csrf_token]").first.input_value(), "action": "self_assessment",
        **{f"self_assessment_{g}": "90" for g in GOODS}})
    assert refused.status == 409 and "自评已于" in refused.text()


def test_guessing_codes_on_the_voters_page_is_slowed_down_with_a_message_in_chinese(system):
    """Last in this module: the limit then holds for the address for a minute."""
    answered = {"satisfaction": "satisfied", **{f"rating_{g}": "good" for g in GOODS}}
    statuses = []
    for n in range(60):  # each gateway worker counts on its own
        guess = requests.post(f"{system.url}/vote", data={"code": f"ZZZZ-ZZZZ-{n:04d}", **answered}, timeout=30)
        statuses.append(guess.status_code)
        if guess.status_code == 429:
            assert "尝试次数过多，请一分钟后再试" in guess.text
            assert 'name="rating_results" value="good" required checked' in guess.text  # the answers are kept
            break
    assert statuses[0] == 404 and statuses[-1] == 429, statuses
