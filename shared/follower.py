"""The follower: applies one source's events to a consumer's store, in order, exactly once.

- Duplicates (a position at or below the tracked one) are ignored.
- A gap (the envelope's previous position is not the tracked one) is filled by pulling the
  missing events from the source's log, so a consumer that was down or started late misses
  nothing; the same pull runs at start and on a timer.
- An event whose application raises is retried; after `max_attempts` it is dead-lettered,
  recorded as skipped (tracking moves past it in the same transaction) and the rest flow on.
The store writes each batch's effects and its tracking position in one transaction."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Protocol

from shared import metrics
from shared.envelope import Envelope

log = logging.getLogger(__name__)


class Poison(Exception):
    """A message that can never be applied (malformed, or naming an event its source lacks)."""


class FollowerStore(Protocol):
    def position(self) -> int: ...

    def apply(self, envelopes: Sequence[Envelope]) -> int:
        """Apply those after the tracked position, with the new position, atomically."""
        ...

    def skip(self, envelope: Envelope, error: str) -> None:
        """Record `envelope` as not applied and move tracking past it, atomically."""
        ...


Fetch = Callable[[int, int], list[Envelope]]
DeadLetter = Callable[[Envelope, str], None]


class Follower:
    def __init__(
        self,
        consumer: str,
        source: str,
        store: FollowerStore,
        fetch: Fetch,
        dead_letter: DeadLetter,
        max_attempts: int = 5,
        page_size: int = 500,
    ):
        self.consumer = consumer
        self.source = source
        self.store = store
        self.fetch = fetch
        self.dead_letter = dead_letter
        self.max_attempts = max_attempts
        self.page_size = page_size
        self._failures: dict[int, int] = defaultdict(int)
        self._seen = 0
        self._labels = (consumer, source)
        self.applied = 0  # the highest position known to be applied
        self._advancing = threading.Condition()

    def _advanced(self, position: int) -> None:
        with self._advancing:
            if position > self.applied:
                self.applied = position
                self._advancing.notify_all()

    def wait_until(self, position: int, timeout: float) -> bool:
        """Block until `position` is applied (read-your-writes), at most `timeout` seconds.

        Woken by this process's own applies; every 100 ms it also reads the store, where a
        replica competing for the same queue may have applied it."""
        deadline = time.monotonic() + timeout
        while self.applied < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._advancing:
                woken = self._advancing.wait_for(lambda: self.applied >= position, min(remaining, 0.1))
            if not woken:
                self._advanced(self.store.position())
        return True

    def receive(self, envelope: Envelope) -> None:
        """Handle one delivery from the bus. Raises to ask for a redelivery later."""
        self._seen = max(self._seen, envelope.position)
        position = self.store.position()
        self._advanced(position)
        if envelope.position <= position:
            metrics.events_duplicate.labels(*self._labels).inc()
        elif envelope.previous_position != position:
            reached = self.catch_up(until=envelope.position)
            if reached < envelope.position:
                raise Poison(
                    f"{self.source} has no event at position {envelope.position} "
                    f"(its log ends at {reached})"
                )
        else:
            self._apply([envelope])
            self._advanced(envelope.position)
        self._report()

    def catch_up(self, until: int | None = None) -> int:
        """Pull and apply what the source has after the tracked position (up to `until`)."""
        position = self.store.position()
        self._advanced(position)
        while until is None or position < until:
            page = self.fetch(position, self.page_size)
            if until is not None:
                page = [e for e in page if e.position <= until]
            if not page:
                break
            metrics.events_pulled.labels(*self._labels).inc(len(page))
            self._seen = max(self._seen, page[-1].position)
            self._apply(page)
            position = page[-1].position
            self._advanced(position)
        self._report()
        return position

    def _apply(self, page: Sequence[Envelope]) -> None:
        started = time.perf_counter()
        try:
            applied = self.store.apply(page)
        except Exception as exc:
            if len(page) == 1:
                self._failed(page[0], exc)
                return
            # Find the one that fails, so that everything before it still goes in.
            for envelope in page:
                self._apply([envelope])
            return
        metrics.apply_duration.labels(*self._labels).observe(time.perf_counter() - started)
        metrics.events_applied.labels(*self._labels).inc(applied)
        self._failures.pop(page[-1].position, None)

    def _failed(self, envelope: Envelope, exc: Exception) -> None:
        metrics.apply_failures.labels(*self._labels).inc()
        self._failures[envelope.position] += 1
        attempts = self._failures[envelope.position]
        if attempts < self.max_attempts:
            log.warning(
                "applying an event failed; it will be retried",
                exc_info=True,
                extra={"source": self.source, "position": envelope.position, "attempt": attempts},
            )
            raise exc
        error = f"{type(exc).__name__}: {exc}"[:1000]
        log.error(
            "giving up on an event: dead-lettered and skipped",
            extra={"source": self.source, "position": envelope.position, "error": error},
        )
        self.dead_letter(envelope, error)
        self.store.skip(envelope, error)
        metrics.dead_letters.labels(self.consumer, self.source, "failed").inc()
        del self._failures[envelope.position]

    def _report(self) -> None:
        metrics.projection_position.labels(*self._labels).set(self.applied)
        metrics.projection_lag.labels(*self._labels).set(max(0, self._seen - self.applied))
