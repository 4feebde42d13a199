"""Secret ballots and secret evaluations of reports: nothing stored or emitted links a ballot (or
an evaluation) to the code (or voter) that cast it.

The property: run the same election twice, with the same codes used in the same order, but
with the ballots of each counted batch handed to different codes. Everything an observer can
read afterwards (every table of the store, every published envelope, every log line) must be
the same for both runs. A batch holds at least k ballots: that is each ballot's anonymity set."""

import json
import logging
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.assessment.application import AssessmentApplication
from services.assessment.application import ballots as ballot_cases
from services.assessment.domain.ballots import LEVELS, SATISFACTION, code_digest
from services.assessment.domain.cycle import DEFAULT_CAPS
from services.assessment.domain.evaluations import FIVE_GOODS
from services.assessment.schemas import CONTRACT
from shared.eventstore import EventLog, store_env
from shared.facts import By

K = 3
CODES = [f"K{n:03d}-TEST-CODE" for n in range(40)]
ballots = st.fixed_dictionaries({
    "ratings": st.fixed_dictionaries({good: st.sampled_from(sorted(LEVELS)) for good in FIVE_GOODS}),
    "satisfaction": st.sampled_from(sorted(SATISFACTION)),
})
evaluations = st.fixed_dictionaries({
    "rating": st.sampled_from(sorted(LEVELS)), "comment": st.sampled_from(["", "很好", "联系群众不够"]),
})


@dataclass(frozen=True)
class Secret:
    """One kind of secret answer: how its box is set up, how an answer is cast, how it is closed."""

    name: str
    answers: Any  # a hypothesis strategy
    batch: str  # the published type of a recorded batch
    fields: set[str]  # what a recorded answer holds
    open_box: Callable[[AssessmentApplication, By, str, str], str]
    cast: Callable[[AssessmentApplication, dict], list[dict]]
    close: Callable[[AssessmentApplication, By, str], Any]


def _report_box(app, by, cycle, branch):
    secretary = app.register_person(by, "S1", "王书记", "s1@h.cn", [{"role": "branch_secretary", "branch_id": branch}])
    report = app.submit_report(by, cycle, 1, branch, secretary["id"], "2012年度", "述职", [])["id"]
    app.issue_report_codes(by, report, "members", len(CODES))
    return report


KINDS = [
    Secret("ballots", ballots, "BallotsCast", {"ratings", "satisfaction"},
           lambda app, by, cycle, branch: app.issue_codes(by, cycle, branch, "members", len(CODES)) and f"{cycle}|{branch}",
           lambda app, answer: app.cast_ballots([answer]),
           lambda app, by, box: app.close_box(by, *box.split("|"), "members")),
    Secret("report evaluations", evaluations, "ReportEvaluationsCast", {"rating", "comment"}, _report_box,
           lambda app, answer: app.cast_report_evaluations([answer]),
           lambda app, by, report: app.close_report_box(by, report, "members")),
]
SAMPLES = {"ballots": {"ratings": dict.fromkeys(FIVE_GOODS, "good"), "satisfaction": "satisfied"},
           "report evaluations": {"rating": "good", "comment": "很好"}}


def election(kind: Secret, cast: list[tuple[str, dict]], monkeypatch) -> tuple[AssessmentApplication, Path]:
    codes = iter(CODES)
    monkeypatch.setattr(ballot_cases, "new_code", lambda: next(codes))
    folder = Path(tempfile.mkdtemp())
    monkeypatch.setenv("GRASSROOTS_DATA_DIR", str(folder))
    app = AssessmentApplication(env=store_env(f"sqlite:///{folder / 'assessment.sqlite'}"))
    app.today = lambda: date(2012, 4, 20)
    by = By("admin", correlation_id="setup")
    cycle = app.open_cycle(by, 2012, "2012年", [{"key": "survey", "name": "调查", "starts_on": "2012-04-01",
                                               "due_on": "2012-04-30"}],
                           {"self_assessment": 20, "ballots": 40, "superior": 40}, {"advanced": 85, "average": 70},
                           K, DEFAULT_CAPS)["id"]
    branch = app.register_branch(by, "NK", "内科支部", [])["id"]
    box = kind.open_box(app, by, cycle, branch)
    for code, answer in cast:  # one at a time, as voters come, the sweep running between them
        assert kind.cast(app, {"code": code, **answer}) == [{"accepted": True}]
        app.count_waiting_ballots()
    kind.close(app, by, box)
    return app, folder / "assessment.sqlite"


def canonical_event(state: dict) -> dict:
    state = dict(state)
    batch = "ballots" if "ballots" in state else "evaluations" if "evaluations" in state else None
    if batch:
        state[batch] = sorted(json.dumps(b, sort_keys=True) for b in state[batch])
    else:
        state.pop("timestamp", None)  # facts of setting up, not of casting
    return state


def observe(app: AssessmentApplication, database: Path) -> dict:
    """Everything an observer with the database and the bus can read."""
    seen = {}
    with sqlite3.connect(database) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            rows = db.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608 - names from sqlite_master
            if table == "assessment_events":
                rows = [(r[1], r[2], r[3], json.dumps(canonical_event(json.loads(r[4])), sort_keys=True)) for r in rows]
            seen[table] = sorted(map(repr, rows))
    envelopes = []
    for e in EventLog(app, CONTRACT).after(0, 1000):
        body = e.to_dict()
        body["data"] = canonical_event(body["data"])
        if e.type not in ("BallotsCast", "ReportEvaluationsCast"):
            body.pop("occurred_at")
        envelopes.append(json.dumps(body, sort_keys=True))
    seen["envelopes"] = envelopes
    return seen


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), shuffles=st.randoms(use_true_random=False))
def test_which_code_in_a_batch_cast_which_answer_changes_nothing_anyone_can_read(kind, data, shuffles, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    votes = data.draw(st.lists(kind.answers, min_size=K, max_size=4 * K))
    codes = CODES[:len(votes)]
    # Hand each batch's answers to its codes in another order (batches: k at a time, then the rest).
    swapped = []
    for start in range(0, len(votes), K):
        block = votes[start:start + K] if len(votes) - start >= K else votes[start:]
        swapped += shuffles.sample(block, len(block))
    first, first_db = election(kind, list(zip(codes, votes, strict=True)), monkeypatch)
    second, second_db = election(kind, list(zip(codes, swapped, strict=True)), monkeypatch)
    assert observe(first, first_db) == observe(second, second_db)
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    for code in codes:
        assert code not in logged and code_digest(code) not in logged
    assert not any(field in logged for field in ("ratings", "rating", "comment"))


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_a_recorded_batch_names_no_voter_request_or_code_and_only_the_day(kind, monkeypatch):
    answer = SAMPLES[kind.name]
    app, _ = election(kind, [(CODES[n], answer) for n in range(K)], monkeypatch)
    cast = [e for e in EventLog(app, CONTRACT).after(0, 1000) if e.type == kind.batch]
    assert len(cast) == 1
    envelope = cast[0].to_dict()
    assert envelope["correlation_id"] == ""
    listed = "ballots" if kind.batch == "BallotsCast" else "evaluations"
    assert set(envelope["data"]) - {listed} == ({"cycle_id", "branch_id", "category"} if listed == "ballots"
                                                else {"cycle_id", "report_id", "category"})
    assert envelope["occurred_at"].endswith("T00:00:00+00:00")
    assert all(set(b) == kind.fields for b in envelope["data"][listed])
    text = json.dumps(envelope)
    assert not any(code in text or code_digest(code) in text for code in CODES)
