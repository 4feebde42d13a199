import pytest

from shared.follower import Follower, Poison
from shared.testing import DeadLetters, FollowerStore, SourceLog, envelope


def follower(store, source, dead=None, max_attempts=3):
    return Follower("reader", "source", store, source, dead or DeadLetters(), max_attempts=max_attempts, page_size=2)


def test_events_in_order_are_applied_once_each():
    store = FollowerStore()
    f = follower(store, SourceLog([1, 2, 3]))
    for position in (1, 2, 3):
        f.receive(envelope(position))
    assert [e.position for e in store.applied] == [1, 2, 3]


def test_a_redelivered_event_is_ignored():
    store = FollowerStore()
    f = follower(store, SourceLog([1, 2]))
    f.receive(envelope(1))
    f.receive(envelope(2))
    f.receive(envelope(1))
    f.receive(envelope(2))
    assert [e.position for e in store.applied] == [1, 2]


def test_a_gap_is_filled_from_the_source_before_the_event_is_applied():
    store = FollowerStore()
    source = SourceLog([1, 2, 3, 4, 5])
    f = follower(store, source)
    f.receive(envelope(5))
    assert [e.position for e in store.applied] == [1, 2, 3, 4, 5]
    assert source.calls >= 3  # pages of two


def test_holes_in_the_log_are_not_gaps():
    store = FollowerStore()
    source = SourceLog([1, 4, 9])
    f = follower(store, source)
    for e in source.envelopes:
        f.receive(e)
    assert [e.position for e in store.applied] == [1, 4, 9]
    assert source.calls == 0


def test_catching_up_at_start_applies_what_was_missed_while_down():
    store = FollowerStore()
    f = follower(store, SourceLog([1, 2, 3]))
    assert f.catch_up() == 3
    assert [e.position for e in store.applied] == [1, 2, 3]


def test_an_event_the_source_does_not_have_is_poison():
    store = FollowerStore()
    f = follower(store, SourceLog([1, 2]))
    with pytest.raises(Poison):
        f.receive(envelope(7, previous=6))
    assert [e.position for e in store.applied] == [1, 2]


def test_a_failing_event_is_retried_then_dead_lettered_and_skipped_and_the_rest_flow_on():
    store = FollowerStore(fail_on=lambda e: e.position == 2)
    dead = DeadLetters()
    f = follower(store, SourceLog([1, 2, 3]), dead, max_attempts=3)
    f.receive(envelope(1))
    for _ in range(2):
        with pytest.raises(RuntimeError):
            f.receive(envelope(2))
    f.receive(envelope(2))  # third attempt: given up on
    f.receive(envelope(3))
    assert [e.position for e in store.applied] == [1, 3]
    assert [e.position for e, _ in store.skipped] == [2]
    assert [e.position for e, _ in dead.sent] == [2]
    assert "cannot apply 2" in dead.sent[0][1]


def test_a_failing_event_inside_a_pulled_page_does_not_hold_back_the_events_before_it():
    store = FollowerStore(fail_on=lambda e: e.position == 3)
    f = follower(store, SourceLog([1, 2, 3, 4]), max_attempts=2)
    with pytest.raises(RuntimeError):
        f.catch_up()
    assert [e.position for e in store.applied] == [1, 2]
    f.catch_up()
    assert [e.position for e in store.applied] == [1, 2, 4]
    assert [e.position for e, _ in store.skipped] == [3]
