"""The three-level review ledger end to end over HTTP: 8 branch secretaries and the general branch
secretary report; branch committees evaluate signed, members and mass representatives secretly
with one-time codes; the level above examines. The ledger must equal what this test computes by
hand from the same numbers, and so must the XLSX workbook."""

import base64
import io
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from services.projections.schemas import LedgerView
from tests.conftest import ADMIN_PASSWORD, Client

TODAY = datetime.now(timezone(timedelta(hours=8))).date()
YEAR = TODAY.year
RATINGS = ("good", "fairly_good", "fair", "poor")
CODES = "ABCDEFGH"
K = 5
# Level 1, per branch: (late?, members' ratings, masses' ratings, score, verdict). Signed ratings
# come from `signed(evaluator, reported)`. Masses of G and H stay below k: shown as a count only.
PLAN = {
    "A": (False, ["good"] * 6 + ["fairly_good"] * 2, ["good"] * 5, 95, "excellent"),
    "B": (False, ["fairly_good"] * 5 + ["fair"], ["fairly_good"] * 3 + ["fair"] * 3, 86, "good"),
    "C": (False, ["good"] * 3 + ["fair"] * 3, ["poor"] * 5, 70, "fair"),
    "D": (False, ["fair"] * 5, ["fair"] * 5, 62, "fair"),
    "E": (True, ["good"] * 7, ["good"] * 6, 90, "excellent"),
    "F": (True, ["poor"] * 5 + ["fair"] * 2, ["fair"] * 5, 55, "poor"),
    "G": (True, ["fairly_good"] * 5, ["good"] * 3, 80, "good"),
    "H": (True, ["good"] * 5, ["poor"] * 2, 75, "good"),
}
LEVEL2 = (["good"] * 8, ["fairly_good"] * 6, 88, "good")


def signed(evaluator, reported):
    """Branch committee `evaluator`'s rating of branch `reported`'s secretary ('' = the general branch)."""
    return RATINGS[(CODES.index(evaluator) + (CODES.index(reported) if reported else 5)) % 4]


def distribution(ratings):
    return {r: ratings.count(r) for r in RATINGS}


def good_rate(ratings):
    return round(100 * sum(1 for r in ratings if r in ("good", "fairly_good")) / len(ratings), 2) if ratings else None


def by_hand(signed_ratings, members, masses):
    groups = {"organisations": signed_ratings, "members": members, "masses": masses}
    shown = {c: g for c, g in groups.items() if c == "organisations" or len(g) >= K}
    together = [r for g in shown.values() for r in g]
    return {c: (distribution(g) if c in shown else None) for c, g in groups.items()}, good_rate(together)


def person(office, staff_no, name, roles):
    created = office.post("/api/v1/people", json={"staff_no": staff_no, "name": name, "email": f"{staff_no}@h.cn",
                                                  "roles": roles})
    assert created.status_code == 201, created.text
    account = office.post("/api/v1/accounts", json={"person_id": created.json()["id"]}).json()
    return created.json()["id"], Client(office.base, account["username"], account["password"])


@pytest.fixture(scope="module")
def office(system):
    return Client(system.url, "admin", ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def hospital(office):
    phases = [{"key": "survey", "name": "调查摸底，分类定级", "starts_on": f"{YEAR}-01-01", "due_on": f"{YEAR}-12-31"},
              {"key": "report", "name": "三级联述联评联考", "starts_on": f"{YEAR}-01-01", "due_on": f"{YEAR}-12-31"}]
    cycle = office.post("/api/v1/cycles", json={
        "year": YEAR, "title": f"{YEAR}年基层组织建设年", "phases": phases, "min_ballots": K,
        "weights": {"self_assessment": 20, "ballots": 40, "superior": 40}, "thresholds": {"advanced": 85, "average": 70}})
    assert cycle.status_code == 201, cycle.text
    branches, secretaries = {}, {}
    for code in CODES:
        branches[code] = office.post("/api/v1/branches", json={"code": f"RL{code}", "name": f"{code}支部"}).json()["id"]
        secretaries[code] = person(office, f"RLS{code}", f"{code}书记", [{"role": "branch_secretary", "branch_id": branches[code]}])[1]
    general = person(office, "RLG", "总支书记", [{"role": "general_secretary", "branch_id": ""}])[1]
    member = person(office, "RLM", "甲党员", [{"role": "member", "branch_id": branches["A"]}])[1]
    return cycle.json()["id"], branches, secretaries, general, member


def report_body(level, branch="", attachments=()):
    return {"level": level, "branch_id": branch, "period": f"{YEAR}年度", "text": "抓基层党建工作述职……",
            "attachments": list(attachments)}


def cast(system, office, report_path, category, ratings):
    codes = office.post(f"{report_path}/evaluation-codes", json={"category": category, "count": len(ratings) + 1})
    assert codes.status_code == 201, codes.text
    anonymous = Client(system.url)
    for code, rating in zip(codes.json()["codes"], ratings, strict=False):
        done = anonymous.post("/api/v1/report-evaluations", json={"code": code, "rating": rating, "comment": "好"})
        assert done.status_code == 201, done.text
    closed = office.post(f"{report_path}/evaluation-boxes/close", json={"category": category})
    assert closed.status_code == 200, closed.text
    return codes.json()["codes"]


@pytest.fixture(scope="module")
def year_of_reviews(system, office, hospital):
    cycle, branches, secretaries, general, _ = hospital
    note = {"name": "述职报告.txt", "content_type": "text/plain", "content": base64.b64encode("附件内容".encode()).decode()}
    reports = {}
    for code in [c for c in CODES if not PLAN[c][0]]:
        made = secretaries[code].post(f"/api/v1/cycles/{cycle}/reports", json=report_body(1, branches[code], [note] if code == "A" else []))
        assert made.status_code == 200, made.text
        reports[code] = made.json()["id"]
    yesterday = max(TODAY - timedelta(days=1), TODAY.replace(month=1, day=1))
    moved = office.put(f"/api/v1/cycles/{cycle}/phases/report", json={"starts_on": f"{YEAR}-01-01", "due_on": yesterday.isoformat()})
    assert moved.status_code == 200, moved.text
    for code in [c for c in CODES if PLAN[c][0]]:
        reports[code] = secretaries[code].post(f"/api/v1/cycles/{cycle}/reports", json=report_body(1, branches[code])).json()["id"]
    reports[""] = general.post(f"/api/v1/cycles/{cycle}/reports", json=report_body(2)).json()["id"]
    for reported, report in reports.items():
        for evaluator in CODES:
            if evaluator != reported:
                body = {"organisation_id": branches[evaluator], "rating": signed(evaluator, reported), "comment": "署名意见"}
                done = secretaries[evaluator].post(f"/api/v1/cycles/{cycle}/reports/{report}/evaluations", json=body)
                assert done.status_code == 200, done.text
        members, masses, score, verdict = PLAN[reported][1:] if reported else LEVEL2
        path = f"/api/v1/cycles/{cycle}/reports/{report}"
        cast(system, office, path, "members", members)
        cast(system, office, path, "masses", masses)
        examiner = general if reported else office
        done = examiner.post(f"{path}/examination", json={"score": score, "verdict": verdict, "comment": "考核意见"})
        assert done.status_code == 200, done.text
    return reports


def expected_rows():
    for reported in [*CODES, ""]:
        late, members, masses, score, verdict = PLAN[reported] if reported else (True, *LEVEL2)
        signed_ratings = [signed(e, reported) for e in CODES if e != reported]
        groups, rate = by_hand(signed_ratings, members, masses)
        yield reported, late, groups, rate, score, verdict


def test_the_ledger_equals_the_figures_computed_by_hand(office, hospital, year_of_reviews):
    cycle = hospital[0]
    ledger = office.get(f"/api/v1/cycles/{cycle}/ledger").json()
    assert LedgerView().validate(ledger) == {}  # the documented shape, field for field
    rows = {r["branch_code"][2:] if r["level"] == 1 else "": r for level in ledger["levels"] for r in level["reports"]}
    rows = {code: row for code, row in rows.items() if code in PLAN or code == ""}
    assert len(rows) == 9
    for reported, late, groups, rate, score, verdict in expected_rows():
        row = rows[reported]
        assert row["late"] is late, reported
        # The hospital's day, not UTC's (the run may cross the hospital's midnight).
        assert row["submitted_on"] in (TODAY.isoformat(), (TODAY + timedelta(days=1)).isoformat())
        assert {c: g["ratings"] for c, g in row["evaluations"].items()} == groups, reported
        assert row["good_rate"] == rate, reported
        assert (row["score"], row["verdict"]) == (score, verdict), reported
        assert row["to"] == ("党总支" if reported else "上级党委")
    assert rows["G"]["evaluations"]["masses"] == {"count": 3, "shown": False, "issued": 4, "voided": 1,
                                                  "ratings": None, "good_rate": None}
    assert rows["A"]["attachments"][0]["name"] == "述职报告.txt"
    mine = [rows[c] for c in rows]
    summary = ledger["summary"]
    assert summary["late"] >= sum(1 for r in mine if r["late"]) and summary["examined"] >= 9


def test_the_xlsx_ledger_holds_the_same_figures(office, hospital, year_of_reviews):
    cycle = hospital[0]
    ledger = office.get(f"/api/v1/cycles/{cycle}/ledger").json()
    book = load_workbook(io.BytesIO(office.get(f"/api/v1/cycles/{cycle}/ledger.xlsx").content))
    assert book.sheetnames == ["汇总", "一级述职（支部→党总支）", "二级述职（党总支→上级党委）"]
    sheet = book["一级述职（支部→党总支）"]
    header = [c.value for c in sheet[2]]
    cells = {r[1]: dict(zip(header, r, strict=False)) for r in sheet.iter_rows(min_row=3, values_only=True) if r[1]}
    for reported, late, groups, rate, score, verdict in expected_rows():
        if not reported:
            continue
        row = cells[f"{reported}支部"]
        assert (row["是否逾期"], row["综合好评率%"], row["考核得分"]) == ("逾期" if late else "按时", rate, score)
        assert row["考核结果"] == {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}[verdict]
        assert row["组织评议好"] == groups["organisations"]["good"]
        assert row["群众代表评议差"] == (groups["masses"]["poor"] if groups["masses"] else None)
    level2 = list(book["二级述职（党总支→上级党委）"].iter_rows(min_row=3, values_only=True))
    assert level2[0][2] == "总支书记" and level2[0][-2] == LEVEL2[2]
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["述职报告数"] == ledger["summary"]["reports"] and summary["逾期提交"] == ledger["summary"]["late"]


def test_a_secretary_sees_their_own_reports_evaluations_only_in_aggregate_and_only_their_committees_signed_ones(office, hospital, year_of_reviews):
    cycle, branches, secretaries, _, _ = hospital
    ledger = secretaries["A"].get(f"/api/v1/cycles/{cycle}/ledger").json()
    assert LedgerView().validate(ledger) == {}
    rows = [r for level in ledger["levels"] for r in level["reports"]]
    own = next(r for r in rows if r["branch_id"] == branches["A"])
    assert own["evaluations"]["organisations"]["ratings"] and own["good_rate"] is not None
    assert own["signed"] == [] and "comments" not in own and ledger["summary"] is None
    assert all(r["evaluations"] is None for r in rows if r["branch_id"] != branches["A"])
    # Of the signed evaluations, only A's committee's own (of the 8 other reports).
    committees = [e["organisation_id"] for r in rows for e in r["signed"]]
    assert committees == [branches["A"]] * 8
    full = office.get(f"/api/v1/cycles/{cycle}/reports/{year_of_reviews['A']}").json()
    assert full["signed"][0]["comment"] == "署名意见" and full["comments"]["members"]


def test_a_member_sees_nothing_of_other_branches_reports(hospital, year_of_reviews):
    cycle, branches, _, _, member = hospital
    ledger = member.get(f"/api/v1/cycles/{cycle}/ledger").json()
    rows = [r for level in ledger["levels"] for r in level["reports"]]
    assert {r["branch_id"] for r in rows} == {branches["A"], ""}
    assert all(r["evaluations"] is None for r in rows)
    assert member.get(f"/api/v1/cycles/{cycle}/reports/{year_of_reviews['B']}").status_code == 404
    book = load_workbook(io.BytesIO(member.get(f"/api/v1/cycles/{cycle}/ledger.xlsx").content))
    rows = list(book["一级述职（支部→党总支）"].iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows if r[0]] == ["A支部"] and rows[0][-3:] == (None, None, None)  # nothing of the evaluations
    refused = member.post(f"/api/v1/cycles/{cycle}/reports/{year_of_reviews['B']}/evaluations",
                          json={"organisation_id": branches["A"], "rating": "good"})
    assert refused.status_code == 403


def test_refusals_are_clear_and_change_nothing(system, office, hospital, year_of_reviews):
    cycle, branches, secretaries, general, _ = hospital
    path = f"/api/v1/cycles/{cycle}/reports/{year_of_reviews['A']}"
    again = secretaries["B"].post(f"{path}/evaluations", json={"organisation_id": branches["B"], "rating": "good"})
    assert again.status_code == 409 and again.json()["code"] == "already_evaluated" and "已评议" in again.json()["title"]
    own = secretaries["A"].post(f"{path}/evaluations", json={"organisation_id": branches["A"], "rating": "good"})
    assert own.status_code == 409 and own.json()["code"] == "own_report"
    assert general.post(f"{path}/examination", json={"score": 50, "verdict": "poor"}).json()["code"] == "already_examined"
    assert secretaries["A"].post(f"/api/v1/cycles/{cycle}/reports", json=report_body(1, branches["B"])).status_code == 403
    bad = secretaries["A"].post(f"{path}/examination", json={"score": 101, "verdict": "best"})
    assert bad.status_code == 403
    unknown_level = secretaries["A"].post(f"/api/v1/cycles/{cycle}/reports", json=report_body(3, branches["A"]))
    assert unknown_level.status_code == 422 and "level" in unknown_level.json()["errors"]
    odd = secretaries["A"].post(f"/api/v1/cycles/{cycle}/reports", json={**report_body(1), "level": [1], "branch_id": {}})
    assert odd.status_code == 422 and {"level", "branch_id"} <= set(odd.json()["errors"])
    for body in ({"organisation_id": [branches["A"]], "rating": "good"}, {"rating": "good"}, ["not", "an", "object"]):
        malformed = secretaries["B"].post(f"{path}/evaluations", json=body)
        assert malformed.status_code == 422, malformed.text
    invalid = office.post(f"/api/v1/cycles/{cycle}/reports", json={**report_body(1, branches["A"]), "attachments": [
        {"name": "x.pdf", "content_type": "application/pdf", "content": base64.b64encode(b"MZ not a pdf").decode()}]})
    assert invalid.status_code == 422 and "附件" in invalid.json()["title"] + str(invalid.json().get("errors"))
    used = cast(system, office, path, "members", ["good"])[0]
    reused = Client(system.url).post("/api/v1/report-evaluations", json={"code": used, "rating": "poor"})
    assert reused.status_code == 409 and reused.json()["code"] == "code_used"


def test_an_attachment_is_downloaded_as_stored_by_those_who_may_read_the_report(hospital, year_of_reviews):
    cycle, _, secretaries, _, member = hospital
    path = f"/api/v1/cycles/{cycle}/reports/{year_of_reviews['A']}"
    listed = member.get(path).json()["attachments"][0]
    got = member.get(f"{path}/attachments/{listed['sha256']}")
    assert got.status_code == 200 and got.content == "附件内容".encode() and got.headers["Content-Type"].startswith("text/plain")
    assert member.get(f"{path}/attachments/{'0' * 64}").status_code == 404


def test_a_secret_evaluation_leaves_no_request_id_in_headers_or_logs(system, office, hospital, year_of_reviews):
    cycle = hospital[0]
    path = f"/api/v1/cycles/{cycle}/reports/{year_of_reviews['C']}"
    code = office.post(f"{path}/evaluation-codes", json={"category": "masses", "count": 1}).json()["codes"][0]
    response = Client(system.url).post("/api/v1/report-evaluations", json={"code": code, "rating": "fair"},
                                       headers={"X-Request-ID": "evaluator-trace-654321"})
    assert response.status_code == 201 and "X-Request-ID" not in response.headers
    for name in ("gateway", "assessment", "projections"):
        log = (system.cluster.log_dir / f"{name}.log").read_text()
        assert "evaluator-trace-654321" not in log and code not in log and code.replace("-", "") not in log
