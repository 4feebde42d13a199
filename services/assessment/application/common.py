"""What every group of use cases needs: finding aggregates, receipts, the hospital's calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.assessment.domain import (
    BallotBox,
    Branch,
    Cycle,
    Grade,
    Person,
    Report,
    ReportBox,
    SelfAssessment,
    SuperiorEvaluation,
    Survey,
)
from services.assessment.domain.cycle import HOSPITAL_TIME
from shared.errors import already_exists, not_found
from shared.eventstore import WriterApplication
from shared.facts import By

A = TypeVar("A")

_WHAT = {
    Branch: ("支部", "branch"), Person: ("人员", "person"), Cycle: ("年度", "cycle"), Survey: ("调查", "survey"),
    SelfAssessment: ("自评", "self-assessment"), SuperiorEvaluation: ("上级考评", "superior evaluation"),
    BallotBox: ("票箱", "ballot box"), Grade: ("定级", "grade"), Report: ("述职", "report"),
    ReportBox: ("评议票箱", "evaluation box"),
}
_KEY_NAMES = {Branch: ("支部编码", "Branch code"), Person: ("工号", "Staff number"), Cycle: ("年度", "Cycle")}


def receipt(aggregate: Any, recordings: list[Any]) -> dict[str, Any]:
    """What a command returns: the stream it touched and how far the log got."""
    position = max((r.notification.id for r in recordings), default=0)
    return {"id": str(aggregate.id), "version": aggregate.version, "position": position}


class UseCases(WriterApplication):
    def today(self) -> date:
        return datetime.now(HOSPITAL_TIME).date()

    def _get(self, cls: type[A], key: str | UUID) -> A:
        try:
            found = self._find(cls, key if isinstance(key, UUID) else UUID(key))
        except ValueError:
            found = None
        if found is None:
            zh, en = _WHAT[cls]
            raise not_found(zh, en, key)
        return found

    def _find(self, cls: type[A], key: UUID) -> A | None:
        try:
            aggregate = self.repository.get(key)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def _created_before(self, cls: type, key: UUID, by: By) -> dict[str, Any] | None:
        """None if `key` is free. The same request delivered again (a retry with the same
        request id, or RabbitMQ redelivering after a crash) gets the first answer; anyone
        else is told it exists."""
        found = self._find(cls, key)
        if found is None and key not in self.repository:
            return None
        if found is not None and by.correlation_id and found.registered_in == by.correlation_id:
            return receipt(found, [])
        zh, en = _KEY_NAMES[cls]
        raise already_exists(zh, en, _natural_key(found) if found else key)

    def _check_branch(self, branch: str) -> None:
        if branch:
            self._get(Branch, branch)


def _natural_key(aggregate: Any) -> Any:
    return getattr(aggregate, "code", None) or getattr(aggregate, "staff_no", None) or aggregate.year
