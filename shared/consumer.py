"""Feeds a follower from its RabbitMQ queue, and fills gaps from the source over RPC.

Acknowledgement rules: ack after the follower has committed (or found a duplicate); requeue,
after a short pause, when applying raised (the follower counts attempts and eventually
dead-letters the event itself); reject without requeue, which RabbitMQ routes to the
dead-letter queue, when the message is malformed or names an event its source does not have."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from typing import Any

from kombu import Connection, Consumer
from kombu.message import Message
from marshmallow import ValidationError
from nameko.standalone.rpc import ClusterRpcProxy

from shared import metrics
from shared.bus import DEAD_LETTER_EXCHANGE, ConfirmingPublisher, Outgoing, follower_queues
from shared.envelope import Envelope, EnvelopeSchema
from shared.follower import Follower, Poison
from shared.logs import correlated
from shared.rpcclient import expiring_proxy

log = logging.getLogger(__name__)


class SourceLog:
    """A source's log over RPC (`<source>.events_after`), for filling gaps."""

    def __init__(self, source: str, amqp_uri: str, timeout: float = 30.0):
        self.source = source
        self.config = {"AMQP_URI": amqp_uri}
        self.timeout = timeout
        self._cluster: Any = None
        self._proxy: ClusterRpcProxy | None = None

    def __call__(self, position: int, limit: int) -> list[Envelope]:
        if self._proxy is None:
            self._proxy = expiring_proxy(self.config, self.timeout)
            self._cluster = self._proxy.start()
        try:
            page = getattr(self._cluster, self.source).events_after(position, limit)
        except Exception:
            self.close()
            raise
        return [Envelope.from_trusted(body) for body in page]

    def close(self) -> None:
        if self._proxy is not None:
            with contextlib.suppress(Exception):  # a broken proxy may fail to stop
                self._proxy.stop()
            self._proxy = None


class DeadLetters:
    """Publishes an event the follower gave up on to the follower's dead-letter queue."""

    def __init__(self, consumer: str, source: str, amqp_uri: str):
        self.amqp_uri = amqp_uri
        self.queue = follower_queues(consumer, source)[1]
        self._publisher: ConfirmingPublisher | None = None

    def __call__(self, envelope: Envelope, error: str) -> None:
        if self._publisher is None:
            self._publisher = ConfirmingPublisher(self.amqp_uri)
        body = json.dumps(envelope.to_dict(), ensure_ascii=False).encode()
        message = Outgoing(self.queue.routing_key, body, {"x-grassroots-error": error}, envelope.event_id)
        try:
            self._publisher.publish(DEAD_LETTER_EXCHANGE, [message])
        except Exception:
            self._publisher.close()
            self._publisher = None
            raise


class FollowerConsumer:
    def __init__(
        self,
        follower: Follower,
        amqp_uri: str,
        catch_up_interval: float = 30.0,
        prefetch: int = 200,
    ):
        self.follower = follower
        self.amqp_uri = amqp_uri
        self.catch_up_interval = catch_up_interval
        self.prefetch = prefetch
        self.queue, self.dead_queue = follower_queues(follower.consumer, follower.source)
        self.schema = EnvelopeSchema()
        self.connected = False
        self._labels = (follower.consumer, follower.source)

    def run(self, stopping: threading.Event) -> None:
        backoff = 0.5
        while not stopping.is_set():
            try:
                self._consume(stopping)
                backoff = 0.5
            except Exception:
                self.connected = False
                log.exception("follower connection failed; reconnecting", extra={"source": self.follower.source})
                stopping.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self.connected = False

    def _consume(self, stopping: threading.Event) -> None:
        with Connection(self.amqp_uri, connect_timeout=5, heartbeat=30) as connection:
            channel = connection.channel()
            self.dead_queue(channel).declare()
            self.queue(channel).declare()
            channel.basic_qos(0, self.prefetch, False)
            consumer = Consumer(channel, queues=[self.queue], on_message=self._on_message, no_ack=False)
            consumer.consume()
            self.connected = True
            next_catch_up = self._catch_up()
            while not stopping.is_set():
                try:
                    connection.drain_events(timeout=1.0)
                except TimeoutError:
                    connection.heartbeat_check()
                if time.monotonic() >= next_catch_up:
                    next_catch_up = self._catch_up()

    def _catch_up(self) -> float:
        """Catch up; return when to do it next (soon if the source was not there yet)."""
        try:
            self.follower.catch_up()
        except Exception:
            log.warning("catching up from the source failed; will try again", exc_info=True)
            return time.monotonic() + min(2.0, self.catch_up_interval)
        return time.monotonic() + self.catch_up_interval

    def _on_message(self, message: Message) -> None:
        try:
            envelope = self.schema.make(json.loads(message.body))
            if envelope.source != self.follower.source:
                raise Poison(f"an event of {envelope.source} on {self.follower.source}'s exchange")
        except (ValueError, TypeError, ValidationError, Poison) as exc:
            self._reject(message, "malformed", exc)
            return
        with correlated(envelope.correlation_id):
            try:
                self.follower.receive(envelope)
            except Poison as exc:
                self._reject(message, "unknown_event", exc)
                return
            except Exception:
                # The follower counted the attempt; let RabbitMQ deliver it again shortly.
                time.sleep(0.2)
                message.requeue()
                return
            log.info("event received", extra={"type": envelope.type, "position": envelope.position})
        message.ack()

    def _reject(self, message: Message, reason: str, exc: Exception) -> None:
        log.error("message dead-lettered", extra={"reason": reason, "error": str(exc)[:500]})
        metrics.dead_letters.labels(*self._labels, reason).inc()
        message.reject(requeue=False)
