"""RabbitMQ: where events are published, how followers' queues are declared, and a publisher
that confirms in batches.

Exchanges follow nameko's convention (`<source>.events`, topic, durable, the event type as the
routing key), so `@event_handler("assessment", "BranchRegistered")` works against the relay.
A follower's queue is a durable quorum queue bound to every type of its source (`#`), with a
dead-letter exchange and a delivery limit as the broker-side backstop for retries."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable
from typing import Any, NamedTuple

import amqp
from kombu import Connection, Exchange, Queue

from shared.envelope import Envelope

DEAD_LETTER_EXCHANGE = Exchange("grassroots.dead-letter", type="direct", durable=True)
# Broker-side ceiling; the follower itself gives up on an event far sooner (see follower.py).
DELIVERY_LIMIT = 20


def events_exchange(source: str) -> Exchange:
    return Exchange(f"{source}.events", type="topic", durable=True)


def follower_queue_name(consumer: str, source: str) -> str:
    return f"{consumer}.follow.{source}"


def follower_queues(consumer: str, source: str) -> tuple[Queue, Queue]:
    """The follower's queue and its dead-letter queue."""
    name = follower_queue_name(consumer, source)
    dead_name = f"{name}.dead-letter"
    queue = Queue(
        name,
        exchange=events_exchange(source),
        routing_key="#",
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE.name,
            "x-dead-letter-routing-key": dead_name,
            "x-delivery-limit": DELIVERY_LIMIT,
        },
    )
    dead = Queue(
        dead_name,
        exchange=DEAD_LETTER_EXCHANGE,
        routing_key=dead_name,
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )
    return queue, dead


class Outgoing(NamedTuple):
    routing_key: str
    body: bytes
    headers: dict[str, Any]
    message_id: str


def outgoing(envelope: Envelope) -> Outgoing:
    # The correlation id rides in nameko's header so nameko handlers pick it up as context.
    headers = {"nameko.correlation_id": envelope.correlation_id} if envelope.correlation_id else {}
    body = json.dumps(envelope.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()
    return Outgoing(envelope.type, body, headers, envelope.event_id)


class PublishNotConfirmed(Exception):
    """RabbitMQ nacked a message or did not confirm it in time: publish the batch again."""


class ConfirmingPublisher:
    """Publishes a batch, then waits once for RabbitMQ to confirm all of it.

    Waiting per message caps throughput near the round-trip rate; one wait per batch does not.
    """

    def __init__(self, amqp_uri: str, timeout: float = 30.0):
        self.timeout = timeout
        self.connection = Connection(amqp_uri, connect_timeout=5)
        self.connection.connect()
        self.channel = self.connection.channel()
        self.channel.confirm_select()
        self.channel.events["basic_ack"].add(self._on_ack)
        self.channel.events["basic_nack"].add(self._on_nack)
        self._next_tag = 1
        self._unconfirmed: set[int] = set()
        self._nacked = False
        self._declared: set[str] = set()

    def _settle(self, tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > tag}
        else:
            self._unconfirmed.discard(tag)

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._nacked = True
        self._settle(tag, multiple)

    def declare(self, exchange: Exchange) -> None:
        if exchange.name not in self._declared:
            exchange(self.channel).declare()
            self._declared.add(exchange.name)

    def publish(self, exchange: Exchange, messages: Iterable[Outgoing]) -> int:
        self.declare(exchange)
        count = 0
        for message in messages:
            self.channel.basic_publish(
                amqp.Message(
                    message.body,
                    content_type="application/json",
                    content_encoding="utf-8",
                    delivery_mode=2,
                    message_id=message.message_id,
                    application_headers=message.headers,
                ),
                exchange=exchange.name,
                routing_key=message.routing_key,
            )
            self._unconfirmed.add(self._next_tag)
            self._next_tag += 1
            count += 1
        self._wait_for_confirms()
        return count

    def _wait_for_confirms(self) -> None:
        deadline = time.monotonic() + self.timeout
        while self._unconfirmed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PublishNotConfirmed(f"{len(self._unconfirmed)} messages not confirmed in time")
            try:
                self.connection.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
        if self._nacked:
            self._nacked = False
            raise PublishNotConfirmed("RabbitMQ refused a message of the batch")

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a broken connection may itself fail
            self.connection.release()
