"""First-class fakes for testing code that follows or relays events, without I/O."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shared.envelope import Envelope


def envelope(position: int, previous: int | None = None, type: str = "Happened", source: str = "source",
             data: dict | None = None) -> Envelope:
    return Envelope(
        event_id=f"00000000-0000-0000-0000-{position:012d}",
        source=source,
        position=position,
        previous_position=position - 1 if previous is None else previous,
        stream_id="00000000-0000-0000-0000-000000000001",
        stream_version=position,
        type=type,
        schema_version=1,
        occurred_at="2012-04-24T00:00:00+00:00",
        data=data or {},
    )


class SourceLog:
    """A source's log in memory; `positions` may have holes, as a real log's may."""

    def __init__(self, positions: Sequence[int], type: str = "Happened"):
        previous = 0
        self.envelopes = []
        for position in positions:
            self.envelopes.append(envelope(position, previous, type))
            previous = position
        self.calls = 0

    def __call__(self, position: int, limit: int) -> list[Envelope]:
        self.calls += 1
        return [e for e in self.envelopes if e.position > position][:limit]


class FollowerStore:
    """A follower's store in memory: applied envelopes, skipped ones, and the position.

    `fail_on` names positions whose application raises (a projection bug or bad data)."""

    def __init__(self, fail_on: Callable[[Envelope], bool] = lambda e: False):
        self.applied: list[Envelope] = []
        self.skipped: list[tuple[Envelope, str]] = []
        self.tracked = 0
        self.fail_on = fail_on

    def position(self) -> int:
        return self.tracked

    def apply(self, envelopes: Sequence[Envelope]) -> int:
        fresh = [e for e in envelopes if e.position > self.tracked]
        for e in fresh:  # all or nothing, like one transaction
            if self.fail_on(e):
                raise RuntimeError(f"cannot apply {e.position}")
        self.applied.extend(fresh)
        if fresh:
            self.tracked = fresh[-1].position
        return len(fresh)

    def skip(self, envelope: Envelope, error: str) -> None:
        if envelope.position > self.tracked:
            self.skipped.append((envelope, error))
            self.tracked = envelope.position


class DeadLetters:
    def __init__(self) -> None:
        self.sent: list[tuple[Envelope, str]] = []

    def __call__(self, envelope: Envelope, error: str) -> None:
        self.sent.append((envelope, error))
