"""How each published event changes the read model: one function per event type.

Types a projection does not know are ignored (their position is still tracked)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from services.projections.tables import branches, cycles, people, phases, roles
from shared.envelope import Envelope

Handler = Callable[[Session, Envelope], None]
HANDLERS: dict[str, Handler] = {}


def handles(event_type: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[event_type] = handler
        return handler

    return register


def project(session: Session, envelope: Envelope) -> None:
    handler = HANDLERS.get(envelope.type)
    if handler is not None:
        handler(session, envelope)


@handles("BranchRegistered")
def _branch_registered(session: Session, e: Envelope) -> None:
    session.execute(branches.insert().values(
        id=e.stream_id, code=e.data["code"], name=e.data["name"],
        departments=list(e.data["departments"]), registered_at=e.occurred_at, version=e.stream_version,
    ))


@handles("BranchRenamed")
def _branch_renamed(session: Session, e: Envelope) -> None:
    session.execute(update(branches).where(branches.c.id == e.stream_id)
                    .values(name=e.data["name"], version=e.stream_version))


def _departments(session: Session, e: Envelope, change: Callable[[list[str]], list[str]]) -> None:
    current = session.execute(select(branches.c.departments).where(branches.c.id == e.stream_id)).scalar_one()
    session.execute(update(branches).where(branches.c.id == e.stream_id)
                    .values(departments=change(list(current)), version=e.stream_version))


@handles("BranchDepartmentAdded")
def _department_added(session: Session, e: Envelope) -> None:
    _departments(session, e, lambda ds: ds + [e.data["department"]])


@handles("BranchDepartmentRemoved")
def _department_removed(session: Session, e: Envelope) -> None:
    _departments(session, e, lambda ds: [d for d in ds if d != e.data["department"]])


@handles("PersonRegistered")
def _person_registered(session: Session, e: Envelope) -> None:
    session.execute(people.insert().values(
        id=e.stream_id, staff_no=e.data["staff_no"], name=e.data["name"], email=e.data["email"],
        member_of="", registered_at=e.occurred_at, version=e.stream_version,
    ))


@handles("PersonEmailChanged")
def _email_changed(session: Session, e: Envelope) -> None:
    session.execute(update(people).where(people.c.id == e.stream_id)
                    .values(email=e.data["email"], version=e.stream_version))


@handles("PersonRoleGranted")
def _role_granted(session: Session, e: Envelope) -> None:
    role, branch = e.data["role"], e.data["branch_id"]
    session.execute(roles.insert().values(person_id=e.stream_id, role=role, branch_id=branch))
    values = {"version": e.stream_version}
    if role == "member":
        values["member_of"] = branch
    session.execute(update(people).where(people.c.id == e.stream_id).values(**values))


@handles("PersonRoleRevoked")
def _role_revoked(session: Session, e: Envelope) -> None:
    role, branch = e.data["role"], e.data["branch_id"]
    session.execute(delete(roles).where(
        roles.c.person_id == e.stream_id, roles.c.role == role, roles.c.branch_id == branch))
    values = {"version": e.stream_version}
    if role == "member":
        values["member_of"] = ""
    session.execute(update(people).where(people.c.id == e.stream_id).values(**values))


@handles("CycleOpened")
def _cycle_opened(session: Session, e: Envelope) -> None:
    session.execute(cycles.insert().values(
        id=e.stream_id, year=e.data["year"], title=e.data["title"], weights=e.data["weights"],
        thresholds=e.data["thresholds"], opened_at=e.occurred_at, version=e.stream_version,
    ))
    if e.data["phases"]:
        session.execute(phases.insert(), [
            {"cycle_id": e.stream_id, "ordinal": n, "key": p["key"], "name": p["name"],
             "starts_on": p["starts_on"], "due_on": p["due_on"]}
            for n, p in enumerate(e.data["phases"])
        ])


@handles("CyclePhaseRescheduled")
def _phase_rescheduled(session: Session, e: Envelope) -> None:
    session.execute(update(phases).where(phases.c.cycle_id == e.stream_id, phases.c.key == e.data["key"])
                    .values(starts_on=e.data["starts_on"], due_on=e.data["due_on"]))
    session.execute(update(cycles).where(cycles.c.id == e.stream_id).values(version=e.stream_version))
