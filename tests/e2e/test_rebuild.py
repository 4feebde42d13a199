"""Rebuilding the read model from the sources gives exactly the tables live processing wrote,
on SQLite and on PostgreSQL."""

import json
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from services import demo
from services.cluster import BIN, ROOT
from services.projections.rebuild import snapshot
from services.projections.tables import open_read_model
from tests.conftest import ADMIN_PASSWORD, Client, System, new_postgres_schema


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def busy_system(request, tmp_path_factory):
    database = None
    if request.param == "postgresql":
        database = new_postgres_schema(request.getfixturevalue("postgres_database"))
    running = System(tmp_path_factory.mktemp("rebuild"), database)
    admin = Client(running.url, "admin", ADMIN_PASSWORD)
    imported = admin.post("/api/v1/roster/import", files={"file": ("roster.csv", demo.roster_csv())})
    assert imported.status_code == 200, imported.text
    assert admin.post("/api/v1/cycles", json=demo.cycle_2012()).status_code == 201
    branches = {b["code"]: b for b in admin.get("/api/v1/branches").json()}
    nk = branches["NK"]["id"]
    admin.patch(f"/api/v1/branches/{nk}", json={"name": "内科第一支部"})
    admin.delete(f"/api/v1/branches/{nk}/departments", json={"department": "心内科"})
    admin.post(f"/api/v1/branches/{nk}/departments", json={"department": "肾内科"})
    person = admin.get(f"/api/v1/branches/{nk}/people").json()[1]
    admin.delete(f"/api/v1/people/{person['id']}/roles", json={"role": "member", "branch_id": nk})
    admin.post(f"/api/v1/people/{person['id']}/roles", json={"role": "member", "branch_id": branches["WK"]["id"]})
    admin.put(f"/api/v1/people/{person['id']}/email", json={"email": "moved@hospital.example"})
    cycle = next(c["id"] for c in admin.get("/api/v1/cycles").json() if c["year"] == 2012)
    admin.put(f"/api/v1/cycles/{cycle}/phases/survey", json={"starts_on": "2012-04-01", "due_on": "2012-05-05"})
    review_ledger(admin, branches, first_phase(admin, branches))
    running.live_url = database or f"sqlite:///{running.cluster.data_dir / 'projections.sqlite'}"
    yield running
    running.close()


def first_phase(admin, branches):
    """A year of the first phase's facts: survey, self-assessment, ballots, superior scores, grades."""
    year = datetime.now(timezone(timedelta(hours=8))).year
    cycle = admin.post("/api/v1/cycles", json={
        "year": year, "title": "本年度", "weights": {"self_assessment": 20, "ballots": 40, "superior": 40},
        "phases": [{"key": "survey", "name": "调查摸底", "starts_on": f"{year}-01-01", "due_on": f"{year}-12-31"}],
        "thresholds": {"advanced": 85, "average": 70}}).json()["id"]
    scores = dict.fromkeys(("leadership_team", "member_body", "mechanism", "results", "mass_response"), 88)
    for code in ("NK", "WK"):
        path = f"/api/v1/cycles/{cycle}/branches/{branches[code]['id']}"
        admin.post(f"{path}/survey", json={"point": "leadership", "finding": "problem", "text": "书记空缺"})
        admin.post(f"{path}/survey", json={"point": "rules", "finding": "ok"})
        admin.put(f"{path}/self-assessment", json={"scores": scores, "comments": "自评"})
        admin.put(f"{path}/self-assessment", json={"scores": {**scores, "results": 92}, "comments": "修改"})
        admin.put(f"{path}/superior-evaluation", json={"scores": scores})
        codes = admin.post(f"{path}/ballot-codes", json={"category": "members", "count": 8}).json()["codes"]
        for code_ in codes[:6]:
            vote = {"code": code_, "ratings": dict.fromkeys(scores, "fairly_good"), "satisfaction": "satisfied"}
            assert Client(admin.base).post("/api/v1/ballots", json=vote).status_code == 201
        admin.post(f"{path}/ballot-boxes/close", json={"category": "members"})
        assert admin.post(f"{path}/grade", json={}).status_code == 200
        admin.put(f"{path}/superior-evaluation", json={"scores": {**scores, "results": 99}})
        last = admin.post(f"{path}/grade", json={})  # a re-grade
        assert last.json()["applied"] is True
    return cycle


def review_ledger(admin, branches, cycle):
    """The review ledger's facts: reports (one revised), a signed and secret evaluations, an examination."""
    path = f"/api/v1/cycles/{cycle}/reports"
    nk = {"level": 1, "branch_id": branches["NK"]["id"], "period": "本年度"}
    report = admin.post(path, json={**nk, "text": "述职"}).json()["id"]  # for NK's secretary
    admin.post(path, json={**nk, "text": "修改后的述职"})
    assert admin.post(path, json={"level": 2, "period": "本年度", "text": "总支述职"}).status_code == 200
    signed = {"organisation_id": branches["WK"]["id"], "rating": "good", "comment": "好"}
    assert admin.post(f"{path}/{report}/evaluations", json=signed).status_code == 200
    codes = admin.post(f"{path}/{report}/evaluation-codes", json={"category": "masses", "count": 7}).json()["codes"]
    for code in codes[:6]:
        secret = {"code": code, "rating": "fairly_good", "comment": "意见"}
        assert Client(admin.base).post("/api/v1/report-evaluations", json=secret).status_code == 201
    admin.post(f"{path}/{report}/evaluation-boxes/close", json={"category": "masses"})
    assert admin.post(f"{path}/{report}/examination", json={"score": 90, "verdict": "excellent"}).json()["applied"]


def projections_cli(system, *args):
    return subprocess.run([str(BIN / "python"), "-m", "services.projections", *args], cwd=ROOT,
                          env=system.cluster.env, capture_output=True, text=True, timeout=300)


def test_a_rebuild_into_empty_tables_equals_the_live_tables(busy_system, tmp_path):
    positions, live = snapshot(open_read_model(busy_system.live_url))
    target = f"sqlite:///{tmp_path / 'rebuilt.sqlite'}"
    done = projections_cli(busy_system, "rebuild", "--into", target)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["rebuilt"] == positions
    rebuilt_positions, rebuilt = snapshot(open_read_model(target))
    assert rebuilt_positions == positions
    assert sum(len(rows) for rows in live.values()) > 100
    assert len(live["projections_standings"]) == 2 and len(live["projections_ballot_boxes"]) == 2
    assert len(live["projections_reports"]) == 2 and len(live["projections_report_boxes"]) == 1
    assert rebuilt == live


def test_verify_reports_the_live_tables_identical_to_a_replay(busy_system):
    checked = projections_cli(busy_system, "verify")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout.splitlines()[-1])["identical"] is True


def test_a_rebuild_in_place_with_the_service_stopped_restores_the_same_tables(busy_system):
    _, before = snapshot(open_read_model(busy_system.live_url))
    busy_system.cluster.stop("projections")
    done = projections_cli(busy_system, "rebuild")
    assert done.returncode == 0, done.stderr
    busy_system.cluster.start("projections")
    busy_system.cluster.wait_ready("projections")
    _, after = snapshot(open_read_model(busy_system.live_url))
    assert after == before
