"""The relay and the follower's consumer against a real RabbitMQ (and a real store)."""

import json
import threading
import time

import pytest
from kombu import Connection, Queue

from services.assessment.application import AssessmentApplication
from services.assessment.schemas import CONTRACT
from shared import metrics
from shared.bus import ConfirmingPublisher, Outgoing, events_exchange, follower_queues
from shared.consumer import DeadLetters, FollowerConsumer
from shared.eventstore import Checkpoint, EventLog, store_env
from shared.facts import By
from shared.follower import Follower
from shared.relay import Relay
from shared.testing import FollowerStore

BY = By("admin")


def relay_for(app, amqp_uri):
    return Relay("assessment", EventLog(app, CONTRACT), Checkpoint(app.datastore, "assessment"),
                 connect=lambda: ConfirmingPublisher(amqp_uri), batch_size=7)


def drain(amqp_uri, queue, expected, timeout=10):
    bodies = []
    with Connection(amqp_uri) as connection, connection.SimpleQueue(queue) as simple:
        deadline = time.monotonic() + timeout
        while len(bodies) < expected and time.monotonic() < deadline:
            try:
                message = simple.get(timeout=1)
            except simple.Empty:
                continue
            bodies.append((message.delivery_info["routing_key"], json.loads(message.body), message.headers))
            message.ack()
    return bodies


def bind_listener(amqp_uri, name):
    queue = Queue(name, exchange=events_exchange("assessment"), routing_key="#", durable=False, auto_delete=False)
    with Connection(amqp_uri) as connection:
        queue(connection.default_channel).declare()
    return queue


def test_the_relay_publishes_the_log_in_order_and_resumes_after_its_checkpoint(database_url, amqp_uri):
    app = AssessmentApplication(env=store_env(database_url))
    queue = bind_listener(amqp_uri, "listener")
    for n in range(20):
        app.register_branch(By("admin", correlation_id=f"req-{n}"), f"B{n}", f"支部{n}", [])
    relay = relay_for(app, amqp_uri)
    assert relay.relay_pending() == 20
    relay.close()
    app.register_branch(BY, "LAST", "最后", [])
    restarted = relay_for(app, amqp_uri)
    assert restarted.relay_pending() == 1
    restarted.close()
    received = drain(amqp_uri, queue, 21)
    assert [b["position"] for _, b, _ in received] == list(range(1, 22))
    assert [b["previous_position"] for _, b, _ in received] == list(range(0, 21))
    assert {key for key, _, _ in received} == {"BranchRegistered"}
    assert received[3][2]["nameko.correlation_id"] == "req-3"


def test_the_relay_wakes_at_once_after_an_append(tmp_path, amqp_uri):
    app = AssessmentApplication(env=store_env(f"sqlite:///{tmp_path / 'a.sqlite'}"))
    queue = bind_listener(amqp_uri, "listener")
    relay = relay_for(app, amqp_uri)
    relay.interval = 30  # the timer alone would be far too slow
    app.on_recorded(relay.wake)
    stopping = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stopping,))
    thread.start()
    try:
        time.sleep(0.5)
        started = time.monotonic()
        app.register_branch(BY, "NK", "内科支部", [])
        assert len(drain(amqp_uri, queue, 1, timeout=5)) == 1
        assert time.monotonic() - started < 2
    finally:
        stopping.set()
        relay.wake()
        thread.join(10)


def run_consumer(follower, amqp_uri):
    consumer = FollowerConsumer(follower, amqp_uri, catch_up_interval=0.5)
    stopping = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stopping,))
    thread.start()
    deadline = time.monotonic() + 10
    while not consumer.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    return consumer, stopping, thread


def message_count(amqp_uri, queue):
    with Connection(amqp_uri) as connection:
        return queue(connection.default_channel).queue_declare(passive=True).message_count


@pytest.mark.parametrize("garbage", [b"not json", b'{"type": "BranchRegistered"}'])
def test_a_malformed_message_goes_to_the_dead_letter_queue_and_the_rest_still_apply(tmp_path, amqp_uri, garbage):
    app = AssessmentApplication(env=store_env(f"sqlite:///{tmp_path / 'a.sqlite'}"))
    store = FollowerStore()
    log = EventLog(app, CONTRACT)
    follower = Follower("reader", "assessment", store, log.after, DeadLetters(amqp_uri=amqp_uri, consumer="reader", source="assessment"))
    before = metrics.dead_letters.labels("reader", "assessment", "malformed")._value.get()
    consumer, stopping, thread = run_consumer(follower, amqp_uri)
    try:
        publisher = ConfirmingPublisher(amqp_uri)
        publisher.publish(events_exchange("assessment"), [Outgoing("BranchRegistered", garbage, {}, "x")])
        relay = relay_for(app, amqp_uri)
        app.register_branch(BY, "NK", "内科支部", [])
        relay.relay_pending()
        deadline = time.monotonic() + 10
        while store.position() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [e.data["code"] for e in store.applied] == ["NK"]
        dead = follower_queues("reader", "assessment")[1]
        while message_count(amqp_uri, dead) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert message_count(amqp_uri, dead) == 1
        assert metrics.dead_letters.labels("reader", "assessment", "malformed")._value.get() == before + 1
    finally:
        stopping.set()
        thread.join(10)


def test_an_event_that_keeps_failing_is_dead_lettered_with_its_error_and_skipped(tmp_path, amqp_uri):
    app = AssessmentApplication(env=store_env(f"sqlite:///{tmp_path / 'a.sqlite'}"))
    store = FollowerStore(fail_on=lambda e: e.data.get("code") == "BAD")
    log = EventLog(app, CONTRACT)
    follower = Follower("reader", "assessment", store, log.after,
                        DeadLetters(consumer="reader", source="assessment", amqp_uri=amqp_uri), max_attempts=3)
    consumer, stopping, thread = run_consumer(follower, amqp_uri)
    try:
        relay = relay_for(app, amqp_uri)
        for code in ("OK1", "BAD", "OK2"):
            app.register_branch(BY, code, code, [])
        relay.relay_pending()
        deadline = time.monotonic() + 20
        while store.position() < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [e.data["code"] for e in store.applied] == ["OK1", "OK2"]
        assert [e.data["code"] for e, _ in store.skipped] == ["BAD"]
        dead = drain(amqp_uri, follower_queues("reader", "assessment")[1], 1)
        assert dead[0][1]["data"]["code"] == "BAD"
        assert "cannot apply" in dead[0][2]["x-grassroots-error"]
    finally:
        stopping.set()
        thread.join(10)


def test_of_two_replicas_only_the_lease_holder_relays_and_the_other_takes_over_when_it_goes(postgres_database, amqp_uri):
    from shared.relay import Lease
    from tests.conftest import new_postgres_schema

    url = new_postgres_schema(postgres_database)
    first, second = (AssessmentApplication(env=store_env(url)) for _ in range(2))
    queue = bind_listener(amqp_uri, "listener")
    relays = [Relay("assessment", EventLog(app, CONTRACT), Checkpoint(app.datastore, "assessment"),
                    connect=lambda: ConfirmingPublisher(amqp_uri), lease=Lease(app.datastore.engine, "assessment.relay"))
              for app in (first, second)]
    first.register_branch(BY, "A", "甲", [])
    assert relays[0].relay_pending() == 1
    assert relays[1].relay_pending() == 0  # standing by
    second.register_branch(BY, "B", "乙", [])
    relays[0].close()  # the first replica stops: its lease goes with its connection
    assert relays[1].relay_pending() == 1
    received = drain(amqp_uri, queue, 2)
    assert [b["data"]["code"] for _, b, _ in received] == ["A", "B"]
    relays[1].close()
