"""The event store on SQLite and PostgreSQL: optimistic concurrency, the log, the checkpoint."""

import threading

import pytest

from services.assessment.application import AssessmentApplication
from services.assessment.schemas import CONTRACT
from shared.errors import Problem
from shared.eventstore import Checkpoint, EventLog, store_env
from shared.facts import By

BY = By("admin")


def test_two_writers_racing_on_one_aggregate_one_wins_the_other_gets_a_conflict(database_url):
    first = AssessmentApplication(env=store_env(database_url))
    second = AssessmentApplication(env=store_env(database_url))  # another process, in effect
    branch_id = first.register_branch(BY, "NK", "内科支部", [])["id"]
    copies = [first.repository.get(branch_id), second.repository.get(branch_id)]
    both_read = threading.Barrier(2)
    outcomes = {}

    def rename(app, branch, name):
        both_read.wait()
        branch.rename(name, **By(name).fields())
        try:
            app.save(branch)
            outcomes[name] = "saved"
        except Problem as problem:
            outcomes[name] = problem.code

    threads = [threading.Thread(target=rename, args=(app, copy, name))
               for app, copy, name in ((first, copies[0], "甲"), (second, copies[1], "乙"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    stored = AssessmentApplication(env=store_env(database_url)).repository.get(branch_id)
    assert (stored.name, stored.version) == (winner, 2)


def test_the_log_reads_as_envelopes_each_naming_the_one_before(database_url):
    app = AssessmentApplication(env=store_env(database_url))
    for code in ("A", "B", "C"):
        app.register_branch(BY, code, f"支部{code}", [])
    log = EventLog(app, CONTRACT)
    page = log.after(0, 2)
    assert [(e.position, e.previous_position) for e in page] == [(1, 0), (2, 1)]
    rest = log.after(page[-1].position, 10)
    assert [(e.position, e.previous_position) for e in rest] == [(3, 2)]
    assert rest[0].type == "BranchRegistered" and rest[0].data["code"] == "C"
    assert log.head() == 3


def test_the_relay_checkpoint_survives_a_restart(database_url):
    app = AssessmentApplication(env=store_env(database_url))
    Checkpoint(app.datastore, "assessment").save(41)
    Checkpoint(app.datastore, "assessment").save(42)
    again = AssessmentApplication(env=store_env(database_url))
    assert Checkpoint(again.datastore, "assessment").load() == 42


@pytest.mark.parametrize("count", [30])
def test_concurrent_writers_of_different_aggregates_all_land(database_url, count):
    app = AssessmentApplication(env=store_env(database_url))
    errors = []

    def register(n):
        try:
            app.register_branch(BY, f"B{n}", f"支部{n}", [])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    envelopes = EventLog(app, CONTRACT).after(0, 1000)
    assert sorted(e.data["code"] for e in envelopes) == sorted(f"B{n}" for n in range(count))
