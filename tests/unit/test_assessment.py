"""The assessment application's rules, on the in-memory event store."""

import pytest

from services.assessment.application import AssessmentApplication
from services.assessment.domain import Branch, Cycle
from services.assessment.domain.cycle import DEFAULT_CAPS
from shared.errors import Problem
from shared.eventstore import store_env
from shared.facts import By

BY = By("admin", "setting up", "cid")
PHASES = [{"key": "survey", "name": "调查摸底", "starts_on": "2012-04-01", "due_on": "2012-04-30"}]
WEIGHTS = {"self_assessment": 20, "ballots": 40, "superior": 40}
THRESHOLDS = {"advanced": 85, "average": 70}
CAPS = DEFAULT_CAPS


@pytest.fixture
def app():
    return AssessmentApplication(env=store_env("sqlite:///:memory:"))


def test_a_branch_is_registered_with_who_why_and_which_request(app):
    receipt = app.register_branch(BY, "NK", "内科支部", ["内一科", "内一科", "内二科"])
    branch = app.repository.get(receipt["id"])
    assert (branch.code, branch.name, branch.departments) == ("NK", "内科支部", ["内一科", "内二科"])
    event = app.repository.event_store.get(branch.id).__next__()
    assert (event.actor, event.reason, event.correlation_id) == ("admin", "setting up", "cid")
    assert receipt["position"] == 1


def test_a_branch_code_cannot_be_registered_twice(app):
    app.register_branch(BY, "NK", "内科支部", [])
    with pytest.raises(Problem) as refused:
        app.register_branch(By("someone", correlation_id="another request"), "nk", "另一个", [])
    assert refused.value.code == "already_exists"


def test_the_same_request_delivered_twice_registers_once_and_gets_the_first_answer(app):
    first = app.register_branch(By("admin", correlation_id="req-1"), "NK", "内科支部", [])
    again = app.register_branch(By("admin", correlation_id="req-1"), "NK", "内科支部", [])
    assert (again["id"], again["version"]) == (first["id"], first["version"])
    assert app.recorder.max_notification_id() == 1
    with pytest.raises(Problem) as refused:
        app.register_branch(By("admin", correlation_id="req-2"), "NK", "内科支部", [])
    assert refused.value.code == "already_exists"


def test_a_racing_second_registration_is_refused_by_the_store_as_a_conflict(app):
    app.save(Branch(code="NK", name="内科支部", departments=[], **BY.fields()))
    with pytest.raises(Problem) as refused:
        app.save(Branch(code="NK", name="内科支部", departments=[], **BY.fields()))
    assert refused.value.code == "conflict"


def test_a_member_belongs_to_one_branch_only(app):
    nk = app.register_branch(BY, "NK", "内科支部", [])["id"]
    wk = app.register_branch(BY, "WK", "外科支部", [])["id"]
    person = app.register_person(BY, "1001", "张明", "z@h.cn", [{"role": "member", "branch_id": nk}])["id"]
    with pytest.raises(Problem) as refused:
        app.grant_role(BY, person, "member", wk)
    assert refused.value.details["branch"]["zh"]


def test_granting_a_role_twice_records_nothing_the_second_time(app):
    nk = app.register_branch(BY, "NK", "内科支部", [])["id"]
    person = app.register_person(BY, "1001", "张明", "z@h.cn", [])["id"]
    first = app.grant_role(BY, person, "branch_secretary", nk)
    again = app.grant_role(BY, person, "branch_secretary", nk)
    assert again["version"] == first["version"]


@pytest.mark.parametrize("role, branch_needed", [("member", True), ("party_office", False)])
def test_branch_roles_need_a_branch_and_hospital_roles_take_none(app, role, branch_needed):
    nk = app.register_branch(BY, "NK", "内科支部", [])["id"]
    person = app.register_person(BY, "1001", "张明", "z@h.cn", [])["id"]
    with pytest.raises(Problem):
        app.grant_role(BY, person, role, "" if branch_needed else nk)


def test_a_role_of_an_unknown_branch_is_refused(app):
    person = app.register_person(BY, "1001", "张明", "z@h.cn", [])["id"]
    with pytest.raises(Problem) as refused:
        app.grant_role(BY, person, "member", "5f0c1a55-0000-0000-0000-000000000000")
    assert refused.value.code == "not_found"


def test_a_cycle_records_its_weights_and_thresholds(app):
    receipt = app.open_cycle(BY, 2012, "2012年", PHASES, WEIGHTS, THRESHOLDS, 5, CAPS)
    cycle = app.repository.get(receipt["id"])
    assert isinstance(cycle, Cycle)
    assert (cycle.weights, cycle.thresholds) == (WEIGHTS, THRESHOLDS)


@pytest.mark.parametrize("change, field", [
    ({"weights": {"self_assessment": 20, "ballots": 40, "superior": 30}}, "weights"),
    ({"thresholds": {"advanced": 70, "average": 70}}, "thresholds"),
    ({"phases": [{**PHASES[0], "starts_on": "2012-05-01"}]}, "phases"),
    ({"phases": PHASES + PHASES}, "phases"),
    ({"phases": [{**PHASES[0], "due_on": "2013-01-31"}]}, "phases"),
])
def test_a_cycle_with_inconsistent_rules_is_refused_with_the_field_named(app, change, field):
    arguments = {"year": 2012, "title": "2012年", "phases": PHASES, "weights": WEIGHTS, "thresholds": THRESHOLDS,
                 "min_ballots": 5, "caps": CAPS, **change}
    with pytest.raises(Problem) as refused:
        app.open_cycle(BY, **arguments)
    assert field in refused.value.details
    assert app.recorder.max_notification_id() in (None, 0)


def test_rescheduling_a_phase_moves_its_dates(app):
    cycle = app.open_cycle(BY, 2012, "2012年", PHASES, WEIGHTS, THRESHOLDS, 5, CAPS)["id"]
    app.reschedule_phase(BY, cycle, "survey", "2012-04-05", "2012-05-10")
    assert app.repository.get(cycle).phases[0]["due_on"] == "2012-05-10"


def roster_row(row, **values):
    base = {"row": row, "branch_code": "NK", "branch_name": "内科支部", "departments": ["内一科"],
            "staff_no": f"{1000 + row}", "name": f"人{row}", "email": f"p{row}@h.cn", "roles": ["member"]}
    return {**base, **values}


def test_an_imported_roster_registers_branches_people_and_roles_in_one_go(app):
    rows = [roster_row(2, roles=["branch_secretary", "member"]), roster_row(3, branch_name=""),
            roster_row(4, branch_code="", branch_name="", departments=[], roles=["party_office"])]
    result = app.import_roster(BY, rows)
    assert result["rows"] == 3
    people = [app.repository.get(e.originator_id) for e in app.recorder.select_notifications(1, 100)
              if e.topic.endswith("Person.Registered")]
    assert sorted(p.roles[0][0] for p in people) == ["branch_secretary", "member", "party_office"]


def test_a_roster_with_one_bad_row_applies_nothing_and_names_the_row(app):
    rows = [roster_row(2), roster_row(3, branch_code="WK", branch_name=""), roster_row(4)]
    with pytest.raises(Problem) as refused:
        app.import_roster(BY, rows)
    assert refused.value.code == "invalid_file"
    assert [e["row"] for e in refused.value.details] == [3]
    assert app.recorder.max_notification_id() in (None, 0)


def test_importing_the_same_roster_twice_records_nothing_new(app):
    rows = [roster_row(2), roster_row(3)]
    app.import_roster(BY, rows)
    again = app.import_roster(BY, rows)
    assert again["facts_recorded"] == 0


def test_a_person_registered_under_another_name_is_reported(app):
    app.import_roster(BY, [roster_row(2)])
    with pytest.raises(Problem) as refused:
        app.import_roster(BY, [roster_row(2, name="别人")])
    assert refused.value.details[0]["field"] == "name"


def test_aggregates_are_found_only_as_their_own_kind(app):
    nk = app.register_branch(BY, "NK", "内科支部", [])["id"]
    with pytest.raises(Problem) as refused:
        app.change_email(BY, nk, "x@h.cn")
    assert refused.value.code == "not_found"
