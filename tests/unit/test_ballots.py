"""Ballot codes and ballots in the assessment application (in-memory store)."""

import json
from datetime import date, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select, text, update

from services.assessment.application import AssessmentApplication
from services.assessment.domain import BallotBox, Cycle
from services.assessment.domain.cycle import DEFAULT_CAPS
from shared.eventstore import store_env
from shared.facts import By

BY = By("admin")
GOOD = {"leadership_team": "good", "member_body": "good", "mechanism": "fair", "results": "good", "mass_response": "poor"}


@pytest.fixture
def app():
    application = AssessmentApplication(env=store_env("sqlite:///:memory:"))
    application.today = lambda: date(2012, 4, 20)
    return application


@pytest.fixture
def group(app):
    cycle = app.open_cycle(BY, 2012, "2012年", [{"key": "survey", "name": "调查摸底", "starts_on": "2012-04-01",
                                                 "due_on": "2012-04-30"}],
                           {"self_assessment": 20, "ballots": 40, "superior": 40}, {"advanced": 85, "average": 70},
                           3, DEFAULT_CAPS)["id"]
    branch = app.register_branch(BY, "NK", "内科支部", [])["id"]
    return cycle, branch


def ballot(code, satisfaction="satisfied"):
    return {"code": code, "ratings": GOOD, "satisfaction": satisfaction}


def cast_events(app):
    return [n for n in app.recorder.select_notifications(1, 1000) if n.topic.endswith("BallotBox.BallotsCast")]


def test_issued_codes_are_distinct_readable_and_kept_only_as_digests(app, group):
    issued = app.issue_codes(BY, *group, "members", 20)["codes"]
    assert len(set(issued)) == 20 and all(len(c) == 14 and c.count("-") == 2 for c in issued)
    with app.datastore.transaction(commit=False) as session:
        stored = session.execute(text("SELECT * FROM assessment_ballot_codes")).all()
    assert len(stored) == 20 and not any(c in repr(stored) for c in issued)


def test_a_code_works_once_then_is_refused(app, group):
    code = app.issue_codes(BY, *group, "members", 3)["codes"][0]
    assert app.cast_ballots([ballot(code)]) == [{"accepted": True}]
    second = app.cast_ballots([ballot(code.lower().replace("-", " "))])[0]
    assert second["accepted"] is False and second["code"] == "code_used"
    assert app.cast_ballots([ballot("AAAA-BBBB-CCCC")])[0]["code"] == "unknown_code"


def test_the_same_code_twice_in_one_batch_counts_once(app, group):
    code = app.issue_codes(BY, *group, "members", 3)["codes"][0]
    results = app.cast_ballots([ballot(code), ballot(code)])
    assert [r["accepted"] for r in results] == [True, False]


def test_a_voided_code_is_refused(app, group):
    code = app.issue_codes(BY, *group, "masses", 3)["codes"][1]
    app.void_code(BY, code)
    assert app.cast_ballots([ballot(code)])[0]["code"] == "code_voided"


def test_ballots_are_recorded_only_in_shuffled_batches_of_at_least_k(app, group):
    codes = app.issue_codes(BY, *group, "members", 10)["codes"]
    app.cast_ballots([ballot(codes[0]), ballot(codes[1])])
    assert app.count_waiting_ballots() == 0
    assert cast_events(app) == []  # two of k = 3: still in the box
    app.cast_ballots([ballot(codes[2], "dissatisfied")])
    assert app.count_waiting_ballots() == 3
    assert len(cast_events(app)) == 1
    box = app.repository.get(BallotBox.create_id(*group, "members"))
    assert box.cast == 3 and box.satisfaction == {"satisfied": 2, "basically_satisfied": 0, "dissatisfied": 1}


def test_intake_records_a_full_batch_at_once_without_waiting_for_the_sweep(app, group):
    codes = app.issue_codes(BY, *group, "members", 30)["codes"]
    app.cast_ballots([ballot(code) for code in codes[:25]])
    assert len(cast_events(app)) == 1


def test_closing_a_box_counts_the_remainder_and_voids_the_unused_codes(app, group):
    codes = app.issue_codes(BY, *group, "members", 10)["codes"]
    app.cast_ballots([ballot(codes[0])])
    app.close_box(BY, *group, "members")
    box = app.repository.get(BallotBox.create_id(*group, "members"))
    assert (box.cast, box.voided) == (1, 9)
    assert app.box_codes(str(box.id)) == {"issued": 0, "used": 1, "voided": 9}
    assert app.cast_ballots([ballot(codes[5])])[0]["code"] == "code_voided"


def test_ballots_and_self_assessments_close_after_the_first_phases_deadline(app, group):
    code = app.issue_codes(BY, *group, "members", 3)["codes"][0]
    scores = dict.fromkeys(GOOD, 90)
    app.submit_self_assessment(BY, *group, scores, "初评")
    app.submit_self_assessment(BY, *group, {**scores, "results": 95}, "修改")  # still open: revised
    app.today = lambda: date(2012, 4, 30) + timedelta(days=1)
    assert app.cast_ballots([ballot(code)])[0]["code"] == "closed"
    from shared.errors import Problem

    with pytest.raises(Problem) as refused:
        app.submit_self_assessment(BY, *group, scores, "迟交")
    assert refused.value.code == "closed" and "2012-04-30" in refused.value.zh


def test_a_cycle_opened_before_k_and_caps_were_recorded_reads_with_the_defaults(app, group):
    """Version 1 of CycleOpened had neither: the upcaster supplies the defaults."""
    events = app.recorder.events_record_cls.__table__
    first = (events.c.originator_id == UUID(group[0])) & (events.c.originator_version == 1)
    with app.datastore.transaction(commit=True) as session:
        state = json.loads(session.execute(select(events.c.state).where(first)).scalar_one())
        for field in ("min_ballots", "caps", "class_version"):
            state.pop(field)
        session.execute(update(events).where(first).values(state=json.dumps(state).encode()))
    cycle = app.repository.get(Cycle.create_id(2012))
    assert (cycle.min_ballots, cycle.caps) == (5, DEFAULT_CAPS)
