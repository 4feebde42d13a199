"""What every recorded fact carries besides its own data: who, why, and which request.

Secret ballots are the exception: their events derive from `Aggregate.Event` directly and carry
none of this."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from eventsourcing.domain import Aggregate


class Fact(Aggregate.Event):
    actor: str
    reason: str
    correlation_id: str


@dataclass(frozen=True)
class By:
    """The author of a command: an account (or a role acting as a system), a reason, a request."""

    actor: str
    reason: str = ""
    correlation_id: str = ""

    def fields(self) -> dict[str, str]:
        return asdict(self)
