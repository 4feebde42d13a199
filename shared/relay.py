"""The relay: moves a writer's log to RabbitMQ, in order, at least once.

Transactional outbox: an event is accepted when its append commits; the relay then publishes
everything after its checkpoint, waits for RabbitMQ's confirms, and only then advances the
checkpoint. A crash between the two re-publishes a batch (consumers ignore duplicates); it
never skips one. It wakes at once after an append and also on a timer."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from shared import metrics
from shared.bus import ConfirmingPublisher, events_exchange, outgoing
from shared.eventstore import Checkpoint, EventLog

log = logging.getLogger(__name__)


class Lease:
    """Which replica relays: the one holding a PostgreSQL advisory lock on its own connection.

    Replicas of a writer share its log; each would otherwise publish every event once more.
    (Duplicates would be harmless, waste is not.) The lock goes with the connection, so a
    replica that dies hands over at once. On SQLite one process owns the file: always held."""

    RECHECK_SECONDS = 5.0

    def __init__(self, engine: Any, name: str):
        self.engine = engine if engine.dialect.name == "postgresql" else None
        self.name = name
        self._connection: Any = None
        self._held_until = 0.0

    def held(self) -> bool:
        if self.engine is None or time.monotonic() < self._held_until:
            return True
        try:
            if self._connection is None:
                # Autocommit: the lock belongs to the session; no transaction may stay open.
                self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            held = bool(self._connection.execute(
                text("SELECT pg_try_advisory_lock(hashtext(:name))"), {"name": self.name}).scalar())
        except Exception:
            self.release()
            raise
        # Held, it is only asked again (which also proves the connection alive) every few seconds.
        self._held_until = time.monotonic() + self.RECHECK_SECONDS if held else 0.0
        return held

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # a broken connection is gone either way
                # Unlock now (the server would notice a closed connection only a moment later),
                # and invalidate, not just close: a pooled connection would keep the lock.
                self._connection.execute(text("SELECT pg_advisory_unlock_all()"))
            with contextlib.suppress(Exception):
                self._connection.invalidate()
                self._connection.close()
            self._connection = None
        self._held_until = 0.0


class Relay:
    def __init__(
        self,
        source: str,
        event_log: EventLog,
        checkpoint: Checkpoint,
        connect: Callable[[], ConfirmingPublisher],
        lease: Lease | None = None,
        batch_size: int = 500,
        interval: float = 1.0,
    ):
        self.source = source
        self.event_log = event_log
        self.checkpoint = checkpoint
        self.connect = connect
        self.lease = lease
        self.batch_size = batch_size
        self.interval = interval
        self.exchange = events_exchange(source)
        self._woken = threading.Event()
        self._publisher: ConfirmingPublisher | None = None
        self._position: int | None = None
        self.healthy = False

    def wake(self) -> None:
        self._woken.set()

    def relay_pending(self) -> int:
        """Publish everything after the checkpoint; return how many events went out."""
        if self.lease is not None and not self.lease.held():
            self._position = None  # another replica relays; read its checkpoint when taking over
            return 0
        if self._position is None:
            self._position = self.checkpoint.load()
        if self._publisher is None:
            self._publisher = self.connect()
        sent = 0
        page: list = []
        while not sent or len(page) == self.batch_size:
            page = self.event_log.after(self._position, self.batch_size)
            if not page:
                break
            started = time.perf_counter()
            self._publisher.publish(self.exchange, (outgoing(e) for e in page))
            metrics.relay_batch_duration.labels(self.source).observe(time.perf_counter() - started)
            self.checkpoint.save(page[-1].position)
            self._position = page[-1].position
            sent += len(page)
            metrics.events_published.labels(self.source).inc(len(page))
            metrics.relay_position.labels(self.source).set(self._position)
        # A short page reached the end of the log: nothing is waiting (whatever was appended
        # meanwhile has woken the relay again).
        behind = 0 if len(page) < self.batch_size else max(0, self.event_log.head() - self._position)
        metrics.relay_lag.labels(self.source).set(behind)
        return sent

    def run(self, stopping: threading.Event) -> None:
        """Relay until `stopping` is set, reconnecting with backoff when RabbitMQ is away."""
        backoff = 0.5
        while not stopping.is_set():
            self._woken.clear()
            try:
                self.relay_pending()
                self.healthy = True
                backoff = 0.5
                self._woken.wait(self.interval)
            except Exception:
                self.healthy = False
                metrics.relay_failures.labels(self.source).inc()
                log.exception("relay round failed; retrying", extra={"source": self.source})
                self.close()
                stopping.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self.close()

    def close(self) -> None:
        if self.lease is not None:
            self.lease.release()
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None
