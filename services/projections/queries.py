"""Reads of the read model. `visible` is the set of branch ids the caller may see, or None
for everything: filtering happens here, so no caller receives rows it may not see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_, select

from services.assessment.domain import ROLE_NAMES
from services.projections.tables import ReadModel, branches, cycles, people, phases, roles


def list_branches(model: ReadModel, visible: Iterable[str] | None = None) -> list[dict[str, Any]]:
    query = select(branches).order_by(branches.c.code)
    if visible is not None:
        query = query.where(branches.c.id.in_(list(visible)))
    with model.transaction() as session:
        rows = [dict(r._mapping) for r in session.execute(query)]
        members = dict(session.execute(
            select(people.c.member_of, func.count()).where(people.c.member_of != "").group_by(people.c.member_of)
        ).all())
        secretaries = defaultdict(list)
        for branch, pid, name in session.execute(
            select(roles.c.branch_id, people.c.id, people.c.name)
            .join(people, people.c.id == roles.c.person_id)
            .where(roles.c.role == "branch_secretary").order_by(people.c.staff_no)
        ):
            secretaries[branch].append({"id": pid, "name": name})
    for row in rows:
        row["member_count"] = members.get(row["id"], 0)
        row["secretaries"] = secretaries.get(row["id"], [])
    return rows


def get_branch(model: ReadModel, branch_id: str) -> dict[str, Any] | None:
    found = list_branches(model, [branch_id])
    if not found:
        return None
    branch = found[0]
    branch["people"] = list_people(model, branch_id=branch_id)
    return branch


def list_people(model: ReadModel, branch_id: str | None = None, visible: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """People of one branch (its members and anyone holding a role in it), or all visible."""
    query = select(people).order_by(people.c.staff_no)
    scope = [branch_id] if branch_id else (None if visible is None else list(visible))
    if scope is not None:
        in_role = select(roles.c.person_id).where(roles.c.branch_id.in_(scope))
        query = query.where(or_(people.c.member_of.in_(scope), people.c.id.in_(in_role)))
    with model.transaction() as session:
        return _with_roles(session, [dict(r._mapping) for r in session.execute(query)])


def get_person(model: ReadModel, person_id: str) -> dict[str, Any] | None:
    with model.transaction() as session:
        found = [dict(r._mapping) for r in session.execute(select(people).where(people.c.id == person_id))]
        return _with_roles(session, found)[0] if found else None


def _with_roles(session: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    held = defaultdict(list)
    ids = [r["id"] for r in rows]
    for chunk in range(0, len(ids), 500):
        for pid, role, branch in session.execute(
            select(roles.c.person_id, roles.c.role, roles.c.branch_id)
            .where(roles.c.person_id.in_(ids[chunk:chunk + 500]))
            .order_by(roles.c.role, roles.c.branch_id)
        ):
            held[pid].append({"role": role, "role_name": ROLE_NAMES.get(role, role), "branch_id": branch})
    for row in rows:
        row["roles"] = held.get(row["id"], [])
        del row["registered_at"]
    return rows


def list_cycles(model: ReadModel) -> list[dict[str, Any]]:
    with model.transaction() as session:
        rows = [dict(r._mapping) for r in session.execute(select(cycles).order_by(cycles.c.year.desc()))]
        by_cycle = defaultdict(list)
        for p in session.execute(select(phases).order_by(phases.c.cycle_id, phases.c.ordinal)):
            by_cycle[p.cycle_id].append({"key": p.key, "name": p.name, "starts_on": p.starts_on, "due_on": p.due_on})
    for row in rows:
        row["phases"] = by_cycle.get(row["id"], [])
    return rows


def get_cycle(model: ReadModel, cycle_id: str) -> dict[str, Any] | None:
    return next((c for c in list_cycles(model) if c["id"] == cycle_id), None)
