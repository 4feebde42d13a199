"""Use cases of secret ballots: issuing and voiding one-time codes, taking ballots in, closing.
The same machinery takes the secret evaluations of reports (application/reports.py).

Codes are kept as SHA-256 digests with a state (issued, used, voided) and nothing else: no time,
no order of use. An accepted ballot waits, without its code, in the box's pending table (its
rows have no insertion order: WITHOUT ROWID on SQLite, random keys everywhere). Once a box
holds at least the cycle's k pending ballots (checked every second; at once when 25 wait)
they are shuffled and recorded together as one `BallotsCast` fact, and deleted from the
pending table in the same transaction. Spending a code and keeping its ballot commit
together, so an accepted ballot is never lost."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Column,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from services.assessment.application.common import UseCases, receipt
from services.assessment.domain import BallotBox, Branch, Cycle
from services.assessment.domain.ballots import code_digest, new_code
from shared.errors import Problem
from shared.eventstore import racing_replicas
from shared.facts import By

metadata = MetaData()
codes = Table(
    "assessment_ballot_codes", metadata,
    Column("digest", String(64), primary_key=True),
    Column("box_id", String(36), nullable=False, index=True),
    Column("state", String(8), nullable=False),  # issued, used or voided
)
pending = Table(
    "assessment_ballot_pending", metadata,
    Column("id", String(32), primary_key=True),
    Column("box_id", String(36), nullable=False, index=True),
    Column("ballot", JSON, nullable=False),
    sqlite_with_rowid=False,
)
_shuffle = secrets.SystemRandom().shuffle
# Intake records a box's ballots when this many wait (or k, if more); the once-a-second sweep
# records any k. Fewer, fuller batches under load: cheaper, and larger anonymity sets.
RELEASE_AT = 25

REFUSALS = {
    None: ("unknown_code", "投票码无效，请核对后重新输入。", "This ballot code does not exist; check it and try again."),
    "used": ("code_used", "该投票码已经使用过，每个投票码只能投票一次。", "This ballot code has already been used."),
    "voided": ("code_voided", "该投票码已作废。", "This ballot code has been voided."),
}


class BallotCommands(UseCases):
    def __init__(self, env: dict[str, str] | None = None):
        super().__init__(env)
        racing_replicas(lambda: metadata.create_all(self.datastore.engine))
        self._boxes: dict[str, tuple[type, str]] = {}  # box -> (kind, cycle)
        self._cycles: dict[str, tuple[float, Cycle]] = {}

    def issue_codes(self, by: By, cycle: str, branch: str, category: str, count: int) -> dict[str, Any]:
        """New one-time codes, returned once: only their digests are kept."""
        found = self._get(Cycle, cycle)
        found.check_open(self.today(), "党员群众测评", "Balloting")
        self._get(Branch, branch)
        box = self._find(BallotBox, BallotBox.create_id(cycle, branch, category))
        if box is None:
            box = BallotBox(cycle_id=cycle, branch_id=branch, category=category, **by.fields())
        return self._issue(box, count, by)

    def _issue(self, box: Any, count: int, by: By) -> dict[str, Any]:
        issued = [new_code() for _ in range(count)]
        box.issue(count, **by.fields())
        with self.datastore.transaction(commit=True) as session:
            session.execute(insert(codes), [{"digest": code_digest(c), "box_id": str(box.id), "state": "issued"}
                                            for c in issued])
            recordings = self.save(box)
        return {**receipt(box, recordings), "codes": issued}

    def void_code(self, by: By, code: str) -> dict[str, Any]:
        with self.datastore.transaction(commit=True) as session:
            row = session.execute(select(codes).where(codes.c.digest == code_digest(code))).first()
            if row is None or row.state != "issued":
                raise _refusal(None if row is None else row.state)
            session.execute(update(codes).where(codes.c.digest == row.digest).values(state="voided"))
            box = self._box(row.box_id)
            box.void(1, **by.fields())
            return receipt(box, self.save(box))

    def close_box(self, by: By, cycle: str, branch: str, category: str) -> dict[str, Any]:
        """Void the unused codes and count every pending ballot, however few."""
        return self._close(self._get(BallotBox, BallotBox.create_id(cycle, branch, category)).id, by)

    def _close(self, box_id: UUID, by: By) -> dict[str, Any]:
        with self.datastore.transaction(commit=True) as session:
            unused = session.execute(update(codes).where(codes.c.box_id == str(box_id), codes.c.state == "issued")
                                     .values(state="voided")).rowcount
            self._release_where(session, [str(box_id)], lambda _: 1)
            box = self._box(box_id)
            box.void(unused, **by.fields())
            return receipt(box, self.save(box))

    def cast_ballots(self, ballots: list[dict]) -> list[dict[str, Any]]:
        """Take in a batch of ballots; one result per ballot, in order."""
        return self._cast(ballots, BallotBox, lambda b: {"ratings": b["ratings"], "satisfaction": b["satisfaction"]},
                          lambda cycle: cycle.check_open(self.today(), "党员群众测评", "Balloting"))

    def _cast(self, answers: list[dict], kind: type, keep: Callable[[dict], dict],
              check: Callable[[Cycle], None]) -> list[dict[str, Any]]:
        """Take in a batch of secret answers to boxes of `kind`, keeping `keep(answer)` of each:
        one transaction, and a handful of statements whatever the batch's size. A code of
        another kind of box is as unknown as a code that does not exist."""
        digests = [code_digest(b["code"]) for b in answers]
        results: list[dict[str, Any] | None] = [None] * len(answers)
        with self.datastore.transaction(commit=True) as session:
            found = {r.digest: r for r in session.execute(
                select(codes.c.digest, codes.c.box_id, codes.c.state).where(codes.c.digest.in_(set(digests))))
                if self._kind_of(r.box_id) is kind}
            wanted: dict[str, int] = {}  # digest -> the first answer that uses it
            for n, digest in enumerate(digests):
                row = found.get(digest)
                try:
                    if row is None or row.state != "issued" or digest in wanted:
                        raise _refusal("used" if digest in wanted else None if row is None else row.state)
                    check(self._cycle_of(row.box_id))
                    wanted[digest] = n
                except Problem as problem:
                    results[n] = {"accepted": False, **problem.as_dict()}
            # Conditional: of two racing uses of one code, exactly one changes its row.
            spent = set(session.execute(
                update(codes).where(codes.c.digest.in_(list(wanted)), codes.c.state == "issued")
                .values(state="used").returning(codes.c.digest)).scalars()) if wanted else set()
            kept = []
            for digest, n in wanted.items():
                if digest in spent:
                    kept.append({"id": secrets.token_hex(16), "box_id": found[digest].box_id, "ballot": keep(answers[n])})
                    results[n] = {"accepted": True}
                else:
                    results[n] = {"accepted": False, **_refusal("used").as_dict()}
            if kept:
                session.execute(insert(pending), kept)
            self._release_where(session, sorted({row["box_id"] for row in kept}),
                                lambda box: max(self._cycle_of(box).min_ballots, RELEASE_AT))
        return results  # type: ignore[return-value]

    def count_waiting_ballots(self) -> int:
        """Record every box's pending ballots once there are at least k of them (run every
        second): intake itself records only fuller batches, which is cheaper under load."""
        with self.datastore.transaction(commit=True) as session:
            return self._release_where(session, None, lambda box: self._cycle_of(box).min_ballots)

    def _release_where(self, session: Session, boxes: list[str] | None, enough: Callable[[str], int]) -> int:
        """Record the pending ballots of each box (of `boxes`, or all) that holds `enough(box)`."""
        query = select(pending.c.box_id, func.count()).group_by(pending.c.box_id)
        if boxes is not None:
            query = query.where(pending.c.box_id.in_(boxes))
        waiting = session.execute(query).all()
        return sum(self._release(session, box) for box, count in waiting if count >= enough(box))

    def _release(self, session: Session, box_id: str) -> int:
        rows = session.execute(select(pending.c.id, pending.c.ballot).where(pending.c.box_id == box_id)).all()
        if self.datastore.engine.dialect.name == "sqlite":
            session.execute(text("PRAGMA secure_delete = ON"))  # deleted ballots leave no bytes behind
        session.execute(delete(pending).where(pending.c.id.in_([r.id for r in rows])))
        batch = [r.ballot for r in rows]
        _shuffle(batch)
        box = self._box(box_id)
        box.receive(batch)
        self.save(box)
        return len(batch)

    def _box(self, box_id: str | UUID) -> Any:
        """A box of secret answers: a ballot box or a report's box."""
        return self.repository.get(UUID(str(box_id)))

    def _kind_of(self, box_id: str) -> type:
        if box_id not in self._boxes:
            box = self._box(box_id)
            self._boxes[box_id] = (type(box), box.cycle_id)  # a box never changes kind or cycle
        return self._boxes[box_id][0]

    def _cycle_of(self, box_id: str) -> Cycle:
        """The box's cycle, read again at most once a second (a deadline may move)."""
        self._kind_of(box_id)
        cycle = self._boxes[box_id][1]
        read_at, found = self._cycles.get(cycle, (0.0, None))
        if found is None or time.monotonic() - read_at > 1.0:
            found = self._get(Cycle, cycle)
            self._cycles[cycle] = (time.monotonic(), found)
        return found

    def box_codes(self, box: str) -> dict[str, int]:
        """How many of a box's codes are issued (unused), used and voided."""
        with self.datastore.transaction(commit=False) as session:
            rows = session.execute(select(codes.c.state).where(codes.c.box_id == box)).scalars().all()
        return {state: rows.count(state) for state in ("issued", "used", "voided")}


def _refusal(state: str | None) -> Problem:
    code, zh, en = REFUSALS[state]  # never echo the code back: it may be a guess
    return Problem(code, zh, en)
