"""The first phase end to end over HTTP: 8 branches, self-assessments, 300 secret ballots through
one-time codes, superior scores and confirmation. The categories must equal the ones computed
here by hand from the same numbers."""

import concurrent.futures
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import ADMIN_PASSWORD, Client

GOODS = ("leadership_team", "member_body", "mechanism", "results", "mass_response")
POINTS = {"good": 100, "fairly_good": 80, "fair": 60, "poor": 40}
YEAR = datetime.now(timezone(timedelta(hours=8))).year  # ballots are open only during the year

# code: (self score, superior score or None, members' ballots, masses' ballots, survey problem)
# A ballot here is (level of every good, satisfaction); counts add up to 300.
PLAN = {
    "A": (95, 95, [("good", "satisfied")] * 30, [("good", "satisfied")] * 20, None),
    "B": (90, None, [("fairly_good", "satisfied")] * 25, [("good", "satisfied")] * 15, None),  # renormalised
    "C": (95, 95, [("good", "satisfied")] * 20, [("good", "satisfied")] * 14 + [("good", "dissatisfied")] * 6, None),  # capped: 70% satisfied
    "D": (92, 94, [("good", "satisfied")] * 20, [("fairly_good", "satisfied")] * 20, "leadership"),  # capped by the survey
    "E": (75, 72, [("fair", "basically_satisfied")] * 30, [("fair", "satisfied")] * 10, None),
    "F": (60, 55, [("poor", "dissatisfied")] * 25, [("fair", "dissatisfied")] * 10, None),
    "G": (80, 78, [("fairly_good", "satisfied")] * 30, [("fairly_good", "satisfied")] * 3, None),  # masses < k
    "H": (88, 86, [("fairly_good", "satisfied")] * 12, [("good", "basically_satisfied")] * 10, None),
}


def by_hand(self_score, superior, members, masses, problem):
    """The grading rules, written out once more without the product's code."""
    counted = [b for group in (members, masses) if len(group) >= 5 for b in group]
    ballots = sum(POINTS[level] for level, _ in counted) / len(counted)
    parts = [(20, self_score), (40, ballots)] + ([(40, superior)] if superior is not None else [])
    total = sum(w * s for w, s in parts) / sum(w for w, _ in parts)
    category = "advanced" if total >= 85 else "average" if total >= 70 else "lagging"
    satisfied = sum(1 for _, s in masses if s != "dissatisfied") / len(masses) * 100 if len(masses) >= 5 else 100
    if category == "advanced" and (satisfied < 90 or problem == "leadership"):
        category = "average"
    return round(total, 2), category


@pytest.fixture(scope="module")
def office(system):
    return Client(system.url, "admin", ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def year(office):
    cycle = office.post("/api/v1/cycles", json={
        "year": YEAR, "title": f"{YEAR}年基层组织建设年",
        "phases": [{"key": "survey", "name": "调查摸底，分类定级", "starts_on": f"{YEAR}-01-01", "due_on": f"{YEAR}-12-31"}],
        "weights": {"self_assessment": 20, "ballots": 40, "superior": 40}, "thresholds": {"advanced": 85, "average": 70},
    })
    assert cycle.status_code == 201, cycle.text
    branches = {}
    for code in PLAN:
        created = office.post("/api/v1/branches", json={"code": f"FP{code}", "name": f"{code}支部"})
        branches[code] = created.json()["id"]
    return cycle.json()["id"], branches


def ballot(code, level, satisfaction):
    return {"code": code, "ratings": dict.fromkeys(GOODS, level), "satisfaction": satisfaction}


def test_three_hundred_ballots_self_assessments_and_superior_scores_grade_as_computed_by_hand(system, office, year):
    cycle, branches = year
    anonymous = Client(system.url)
    slips = []
    for code, (self_score, superior, members, masses, problem) in PLAN.items():
        path = f"/api/v1/cycles/{cycle}/branches/{branches[code]}"
        assert office.put(f"{path}/self-assessment", json={"scores": dict.fromkeys(GOODS, self_score)}).status_code == 200
        if superior is not None:
            assert office.put(f"{path}/superior-evaluation", json={"scores": dict.fromkeys(GOODS, superior)}).status_code == 200
        for point in ("organisation", "leadership", "rules", "funding", "role"):
            finding = "problem" if point == problem else "ok"
            office.post(f"{path}/survey", json={"point": point, "finding": finding, "text": "班子缺额" if finding == "problem" else ""})
        for category, group in (("members", members), ("masses", masses)):
            issued = office.post(f"{path}/ballot-codes", json={"category": category, "count": len(group) + 2})
            assert issued.status_code == 201, issued.text
            slips += [ballot(c, level, sat) for c, (level, sat) in zip(issued.json()["codes"], group, strict=False)]
    assert len(slips) == 300
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda b: anonymous.post("/api/v1/ballots", json=b).status_code, slips))
    assert statuses == [201] * 300
    for code in PLAN:
        for category in ("members", "masses"):
            closed = office.post(f"/api/v1/cycles/{cycle}/branches/{branches[code]}/ballot-boxes/close",
                                 json={"category": category})
            assert closed.status_code == 200, closed.text
    proposals = {p["code"]: p for p in office.get(f"/api/v1/cycles/{cycle}/grades").json()["branches"] if p["code"].startswith("FP")}
    for code, plan in PLAN.items():
        total, category = by_hand(*plan)
        proposal = proposals[f"FP{code}"]
        assert (proposal["total"], proposal["category"]) == (total, category), code
        confirmed = office.post(f"/api/v1/cycles/{cycle}/branches/{branches[code]}/grade",
                                json={"expected_total": proposal["total"]})
        assert confirmed.status_code == 200, confirmed.text
    standings = {r["code"]: r for r in office.get(f"/api/v1/cycles/{cycle}/standings").json()["branches"]}
    for code, plan in PLAN.items():
        total, category = by_hand(*plan)
        assert (standings[f"FP{code}"]["total"], standings[f"FP{code}"]["category"]) == (total, category), code
    assert standings["FPB"]["renormalised"] is True
    assert standings["FPC"]["caps_applied"][0]["rule"] == "mass_satisfaction_below"
    assert standings["FPD"]["caps_applied"][0]["rule"] == "survey_problem"
    assert standings["FPG"]["ballots"]["masses"] == {"issued": 5, "voided": 2, "count": 3, "shown": False,
                                                     "score": None, "satisfaction_rate": None}
    assert standings["FPA"]["ballots"]["members"]["count"] == 30 and standings["FPA"]["rank"] == 1


def test_a_reused_code_is_refused_and_of_two_simultaneous_uses_exactly_one_counts(system, office, year):
    cycle, branches = year
    codes = office.post(f"/api/v1/cycles/{cycle}/branches/{branches['A']}/ballot-codes",
                        json={"category": "members", "count": 2}).json()["codes"]
    anonymous = Client(system.url)
    first = anonymous.post("/api/v1/ballots", json=ballot(codes[0], "good", "satisfied"))
    again = anonymous.post("/api/v1/ballots", json=ballot(codes[0], "poor", "dissatisfied"))
    assert (first.status_code, again.status_code) == (201, 409)
    assert again.json()["code"] == "code_used" and codes[0] not in again.text
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        racing = list(pool.map(lambda _: anonymous.post("/api/v1/ballots", json=ballot(codes[1], "good", "satisfied")).status_code,
                               range(2)))
    assert sorted(racing) == [201, 409]
    unknown = anonymous.post("/api/v1/ballots", json=ballot("ZZZZ-ZZZZ-ZZZZ", "good", "satisfied"))
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_code"


def test_a_ballot_request_leaves_no_request_id_in_headers_or_logs(system, office, year):
    cycle, branches = year
    code = office.post(f"/api/v1/cycles/{cycle}/branches/{branches['E']}/ballot-codes",
                       json={"category": "masses", "count": 1}).json()["codes"][0]
    response = Client(system.url).post("/api/v1/ballots", json=ballot(code, "fair", "satisfied"),
                                       headers={"X-Request-ID": "voter-trace-123456"})
    assert response.status_code == 201
    assert "X-Request-ID" not in response.headers
    for name in ("gateway", "assessment", "projections"):
        log = (system.cluster.log_dir / f"{name}.log").read_text()
        assert "voter-trace-123456" not in log and code not in log and code.replace("-", "") not in log


def test_a_branch_secretary_works_on_their_own_branch_only(system, office, year):
    cycle, branches = year
    person = office.post("/api/v1/people", json={"staff_no": "FPS1", "name": "甲书记", "email": "fps1@h.cn",
                                                 "roles": [{"role": "branch_secretary", "branch_id": branches["E"]}]}).json()
    account = office.post("/api/v1/accounts", json={"person_id": person["id"]}).json()
    secretary = Client(system.url, account["username"], account["password"])
    own, other = (f"/api/v1/cycles/{cycle}/branches/{branches[c]}" for c in ("E", "F"))
    scores = {"scores": dict.fromkeys(GOODS, 70)}
    assert secretary.put(f"{own}/self-assessment", json=scores).status_code == 200
    assert secretary.post(f"{own}/survey", json={"point": "rules", "finding": "ok"}).status_code == 200
    refused = [
        secretary.put(f"{other}/self-assessment", json=scores),
        secretary.post(f"{other}/survey", json={"point": "rules", "finding": "ok"}),
        secretary.put(f"{own}/superior-evaluation", json=scores),
        secretary.post(f"{own}/ballot-codes", json={"category": "members", "count": 1}),
        secretary.post(f"{own}/grade", json={}),
        secretary.get(f"/api/v1/cycles/{cycle}/grades"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    visible = secretary.get(f"/api/v1/cycles/{cycle}/standings").json()["branches"]
    assert [b["code"] for b in visible] == ["FPE"]


def test_the_standings_export_opens_as_a_workbook_with_the_same_figures(office, year):
    import io

    from openpyxl import load_workbook

    cycle, _ = year
    standings = {r["code"]: r for r in office.get(f"/api/v1/cycles/{cycle}/standings").json()["branches"]}
    book = load_workbook(io.BytesIO(office.get(f"/api/v1/cycles/{cycle}/standings.xlsx").content))
    rows = {r[1]: r for r in book["支部排名"].iter_rows(min_row=3, values_only=True)}
    for code in ("FPA", "FPB", "FPC"):
        assert rows[code][4] == standings[code]["total"]
        assert rows[code][0] == standings[code]["rank"]
    assert rows["FPC"][3] == "一般"


def test_guessing_codes_is_slowed_down_per_address(system):
    # Last in this module: it exhausts this address's allowance for a minute.
    guesser = Client(system.url)
    statuses = [guesser.post("/api/v1/ballots", json=ballot(f"AAAA-BBBB-{n:04d}", "good", "satisfied")).status_code
                for n in range(45)]
    assert statuses[0] == 404
    assert 429 in statuses  # 20 failures a minute per gateway worker
