"""Secret ballots of members and mass representatives (党员群众测评).

A ballot box holds one group's ballots: one branch, one category of voter, one cycle. Voters
use one-time codes, and the box records ballots only in shuffled batches of at least the
cycle's k, with no code, no voter, no request and only the day: nothing recorded says which
code cast which ballot (see docs/ballots.md)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.assessment.domain.evaluations import FIVE_GOODS
from services.assessment.domain.roster import derived_id
from shared.facts import Fact

CATEGORIES = {"members": "党员", "masses": "群众代表"}
LEVELS = {"good": ("好", 100), "fairly_good": ("较好", 80), "fair": ("一般", 60), "poor": ("差", 40)}
SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}

# Crockford-like: no 0/O, 1/I/L; 12 symbols of 32 = 60 random bits, typed as XXXX-XXXX-XXXX.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code() -> str:
    symbols = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_digest(code: str) -> str:
    """What is kept of a code: 60 random bits behind SHA-256 cannot be guessed back."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def ballot_score(ballot: dict) -> float:
    return sum(LEVELS[ballot["ratings"][good]][1] for good in FIVE_GOODS) / len(FIVE_GOODS)


def box_id(cycle_id: str, branch_id: str, category: str) -> UUID:
    return derived_id("ballot-box", cycle_id, branch_id, category)


class BallotBox(Aggregate):
    class Opened(Fact, Aggregate.Created):
        cycle_id: str
        branch_id: str
        category: str

    class CodesIssued(Fact):
        published_as = "BallotCodesIssued"
        cycle_id: str
        branch_id: str
        category: str
        count: int

    class CodesVoided(Fact):
        published_as = "BallotCodesVoided"
        cycle_id: str
        branch_id: str
        category: str
        count: int

    class BallotsCast(Aggregate.Event):
        """A shuffled batch of ballots: no actor, no request, and the day only."""

        published_as = "BallotsCast"

        cycle_id: str
        branch_id: str
        category: str
        ballots: list[dict]

        @staticmethod
        def create_timestamp() -> datetime:
            now = datetime.now(UTC)
            return datetime(now.year, now.month, now.day, tzinfo=UTC)

        def apply(self, box: BallotBox) -> None:
            box.tally(self.ballots)

    @staticmethod
    def create_id(cycle_id: str, branch_id: str, category: str, **_: object) -> UUID:
        return box_id(cycle_id, branch_id, category)

    @event(Opened)
    def __init__(self, cycle_id: str, branch_id: str, category: str, actor: str, reason: str, correlation_id: str):
        self.cycle_id = cycle_id
        self.branch_id = branch_id
        self.category = category
        self.issued = 0
        self.voided = 0
        self.cast = 0
        self.score_sum = 0.0
        self.satisfaction = dict.fromkeys(SATISFACTION, 0)

    def _group(self) -> dict[str, str]:
        return {"cycle_id": self.cycle_id, "branch_id": self.branch_id, "category": self.category}

    def issue(self, count: int, **by: str) -> None:
        self._codes_issued(**self._group(), count=count, **by)

    @event(CodesIssued)
    def _codes_issued(self, cycle_id: str, branch_id: str, category: str, count: int, actor: str, reason: str,
                      correlation_id: str) -> None:
        self.issued += count

    def void(self, count: int, **by: str) -> None:
        if count:
            self._codes_voided(**self._group(), count=count, **by)

    @event(CodesVoided)
    def _codes_voided(self, cycle_id: str, branch_id: str, category: str, count: int, actor: str, reason: str,
                      correlation_id: str) -> None:
        self.voided += count

    def receive(self, ballots: list[dict]) -> None:
        """Record a batch of ballots, already shuffled by the caller."""
        if ballots:
            self.trigger_event(BallotBox.BallotsCast, **self._group(), ballots=ballots)

    def tally(self, ballots: list[dict]) -> None:
        self.cast += len(ballots)
        for ballot in ballots:
            self.score_sum += ballot_score(ballot)
            self.satisfaction[ballot["satisfaction"]] += 1

    def satisfaction_rate(self) -> float:
        """满意 and 基本满意 as a share of all ballots, in per cent."""
        if not self.cast:
            return 0.0
        happy = self.satisfaction["satisfied"] + self.satisfaction["basically_satisfied"]
        return 100.0 * happy / self.cast
