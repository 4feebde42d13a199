"""A follower's store on SQLite and PostgreSQL: effects and tracking commit together."""

import pytest
from sqlalchemy import select

from services.projections.projector import project
from services.projections.tables import branches, open_read_model, skipped
from shared.testing import envelope
from shared.tracking import TrackedStore


def registered(position, code):
    return envelope(position, type="BranchRegistered", source="assessment",
                    data={"code": code, "name": code, "departments": [], "actor": "a", "reason": ""})


def codes(model):
    with model.transaction() as session:
        return [r.code for r in session.execute(select(branches).order_by(branches.c.code))]


def test_effects_and_position_are_written_together_and_duplicates_are_ignored(database_url):
    model = open_read_model(database_url)
    store = TrackedStore(model.recorder, "assessment", project, skipped)
    page = [registered(1, "A"), registered(2, "B")]
    page[1] = page[1].__class__(**{**page[1].to_dict(), "stream_id": "00000000-0000-0000-0000-000000000002"})
    assert store.apply(page) == 2
    assert store.apply(page) == 0
    assert store.position() == 2
    assert codes(model) == ["A", "B"]


def test_a_failing_event_leaves_neither_effects_nor_a_new_position(database_url):
    model = open_read_model(database_url)
    store = TrackedStore(model.recorder, "assessment", project, skipped)
    good = registered(1, "A")
    broken = envelope(2, type="BranchRegistered", source="assessment", data={"code": "B"})  # no name
    with pytest.raises(KeyError):
        store.apply([good, broken])
    assert store.position() == 0
    assert codes(model) == []


def test_a_skipped_event_is_recorded_and_tracking_moves_past_it(database_url):
    model = open_read_model(database_url)
    store = TrackedStore(model.recorder, "assessment", project, skipped)
    store.apply([registered(1, "A")])
    store.skip(envelope(2, type="BranchRegistered", source="assessment"), "KeyError: 'name'")
    assert store.position() == 2
    with model.transaction() as session:
        rows = session.execute(select(skipped.c.position, skipped.c.error)).all()
    assert [(r.position, r.error) for r in rows] == [(2, "KeyError: 'name'")]
