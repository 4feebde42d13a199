"""Figure 1: `Relay.relay_pending()` against raw kombu publishing with publisher confirms.

Both publish the same bodies to `assessment.events`, to which one durable classic queue is
bound (`#`), so every message is routed and persisted before RabbitMQ confirms it."""

from __future__ import annotations

from kombu import Connection, Queue

from services.assessment.application import AssessmentApplication
from services.assessment.schemas import CONTRACT
from shared.bus import ConfirmingPublisher, events_exchange, outgoing
from shared.eventstore import Checkpoint, EventLog
from shared.relay import Relay
from tests.bench.common import figure, note, stopwatch, target

QUEUE = "bench.relay"
TARGET_RATIO = 0.5


def _queue() -> Queue:
    return Queue(QUEUE, exchange=events_exchange("assessment"), routing_key="#", durable=True)


def _declare_empty(amqp_uri: str) -> None:
    with Connection(amqp_uri) as connection:
        queue = _queue()(connection.default_channel)
        queue.declare()
        queue.purge()


def _count(amqp_uri: str) -> int:
    with Connection(amqp_uri) as connection:
        return _queue()(connection.default_channel).queue_declare(passive=True).message_count


def raw_kombu(amqp_uri: str, messages: list) -> float:
    """Seconds to publish `messages` one at a time, each confirmed before the next."""
    exchange = events_exchange("assessment")
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as connection:
        producer = connection.Producer(exchange=exchange)
        with stopwatch() as took:
            for m in messages:
                producer.publish(
                    m.body, routing_key=m.routing_key, headers=m.headers, message_id=m.message_id,
                    content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                    retry=False,
                )
    return took[0]


def bench(label: str, app: AssessmentApplication, amqp_uri: str) -> None:
    """`app` holds the filled log; its relay checkpoint is at 0 and ends at the head."""
    log = EventLog(app, CONTRACT)
    head = log.head()
    messages = [outgoing(e) for e in log.after(0, head)]
    assert len(messages) == head

    _declare_empty(amqp_uri)
    raw = raw_kombu(amqp_uri, messages)
    routed = _count(amqp_uri)
    assert routed == head, f"raw kombu: {routed} of {head} messages reached the queue"

    _declare_empty(amqp_uri)
    relay = Relay("assessment", log, Checkpoint(app.datastore, "assessment"),
                  connect=lambda: ConfirmingPublisher(amqp_uri))
    try:
        with stopwatch() as took:
            sent = relay.relay_pending()
    finally:
        relay.close()
    routed = _count(amqp_uri)
    assert sent == head and routed == head, f"relay: sent {sent}, {routed} of {head} reached the queue"
    _declare_empty(amqp_uri)

    relay_rate, raw_rate = head / took[0], head / raw
    note(f"relay {label}: {head} events in {took[0]:.2f} s; raw kombu {raw:.2f} s")
    figure(f"relay_{label}_events", head, "events")
    figure(f"relay_{label}_rate", relay_rate, "events/s")
    figure(f"relay_{label}_baseline_raw_kombu_confirmed_rate", raw_rate, "events/s")
    figure(f"relay_{label}_ratio_to_raw_kombu", relay_rate / raw_rate, "x")
    target(f"relay_{label}_ratio", relay_rate / raw_rate, TARGET_RATIO)
