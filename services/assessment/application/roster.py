"""Use cases of the roster and the cycles: one method per command.

Every command either records all of its facts in one transaction or records nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.assessment.application.common import UseCases, receipt
from services.assessment.domain import (
    BRANCH_ROLES,
    Branch,
    Cycle,
    Person,
    branch_id,
    cycle_id,
    person_id,
)
from shared.errors import Problem
from shared.facts import By


class RosterCommands(UseCases):
    """Branches, people and their roles, the year's cycles, and roster files."""

    # --- branches -------------------------------------------------------------------------

    def register_branch(self, by: By, code: str, name: str, departments: list[str]) -> dict[str, Any]:
        if (earlier := self._created_before(Branch, branch_id(code), by)) is not None:
            return earlier
        branch = Branch(code=code, name=name, departments=_unique(departments), **by.fields())
        return receipt(branch, self.save(branch))

    def rename_branch(self, by: By, branch: str, name: str) -> dict[str, Any]:
        aggregate = self._get(Branch, branch)
        aggregate.rename(name, **by.fields())
        return receipt(aggregate, self.save(aggregate))

    def add_department(self, by: By, branch: str, department: str) -> dict[str, Any]:
        aggregate = self._get(Branch, branch)
        aggregate.add_department(department, **by.fields())
        return receipt(aggregate, self.save(aggregate))

    def remove_department(self, by: By, branch: str, department: str) -> dict[str, Any]:
        aggregate = self._get(Branch, branch)
        aggregate.remove_department(department, **by.fields())
        return receipt(aggregate, self.save(aggregate))

    # --- people ---------------------------------------------------------------------------

    def register_person(self, by: By, staff_no: str, name: str, email: str, roles: list[dict]) -> dict[str, Any]:
        if (earlier := self._created_before(Person, person_id(staff_no), by)) is not None:
            return earlier
        person = Person(staff_no=staff_no, name=name, email=email, **by.fields())
        for role in roles:
            self._check_branch(role["branch_id"])
            person.grant_role(role["role"], role["branch_id"], **by.fields())
        return receipt(person, self.save(person))

    def change_email(self, by: By, person: str, email: str) -> dict[str, Any]:
        aggregate = self._get(Person, person)
        aggregate.change_email(email, **by.fields())
        return receipt(aggregate, self.save(aggregate))

    def grant_role(self, by: By, person: str, role: str, branch: str) -> dict[str, Any]:
        aggregate = self._get(Person, person)
        self._check_branch(branch)
        aggregate.grant_role(role, branch, **by.fields())
        return receipt(aggregate, self.save(aggregate))

    def revoke_role(self, by: By, person: str, role: str, branch: str) -> dict[str, Any]:
        aggregate = self._get(Person, person)
        aggregate.revoke_role(role, branch, **by.fields())
        return receipt(aggregate, self.save(aggregate))

    # --- cycles ---------------------------------------------------------------------------

    def open_cycle(self, by: By, year: int, title: str, phases: list[dict], weights: dict, thresholds: dict,
                   min_ballots: int, caps: list[dict]) -> dict[str, Any]:
        if (earlier := self._created_before(Cycle, cycle_id(year), by)) is not None:
            return earlier
        cycle = Cycle.open(year, title, phases, weights, thresholds, min_ballots, caps, **by.fields())
        return receipt(cycle, self.save(cycle))

    def reschedule_phase(self, by: By, cycle: str, key: str, starts_on: str, due_on: str) -> dict[str, Any]:
        aggregate = self._get(Cycle, cycle)
        aggregate.reschedule(key, starts_on, due_on, **by.fields())
        return receipt(aggregate, self.save(aggregate))

    # --- roster import --------------------------------------------------------------------

    def import_roster(self, by: By, rows: list[dict]) -> dict[str, Any]:
        """Apply every row of a roster file, or none: a bad row is reported by its number."""
        branches: dict[UUID, Branch] = {}
        people: dict[UUID, Person] = {}
        errors: list[dict[str, Any]] = []
        for row in rows:
            try:
                self._import_row(by, row, branches, people)
            except Problem as problem:
                for field, text in (problem.details or {"_row": {"zh": problem.zh, "en": problem.en}}).items():
                    errors.append({"row": row["row"], "field": field, **text})
        if errors:
            raise roster_problem(errors)
        changed = [a for a in (*branches.values(), *people.values()) if a.pending_events]
        facts = sum(len(a.pending_events) for a in changed)
        recordings = self.save(*changed)
        return {
            "rows": len(rows),
            "facts_recorded": facts,
            "position": max((r.notification.id for r in recordings), default=0),
        }

    def _import_row(self, by: By, row: dict, branches: dict[UUID, Branch], people: dict[UUID, Person]) -> None:
        branch = None
        if row["branch_code"]:
            key = branch_id(row["branch_code"])
            branch = branches.get(key) or self._find(Branch, key)
            if branch is None:
                if not row["branch_name"]:
                    raise _row_problem("branch_name", "新支部须填写支部名称。", "A new branch needs a name.")
                branch = Branch(code=row["branch_code"], name=row["branch_name"], departments=[], **by.fields())
            elif row["branch_name"] and row["branch_name"] != branch.name:
                raise _row_problem(
                    "branch_name",
                    f"支部编码 {row['branch_code']} 已对应“{branch.name}”，与本行名称不符。",
                    f"Branch {row['branch_code']} is already named {branch.name!r}.",
                )
            branches[key] = branch
            for department in row["departments"]:
                branch.add_department(department, **by.fields())
        key = person_id(row["staff_no"])
        person = people.get(key) or self._find(Person, key)
        if person is None:
            person = Person(staff_no=row["staff_no"], name=row["name"], email=row["email"], **by.fields())
        elif person.name != row["name"]:
            raise _row_problem(
                "name",
                f"工号 {row['staff_no']} 已登记为“{person.name}”，与本行姓名不符。",
                f"Staff number {row['staff_no']} is registered as {person.name!r}.",
            )
        people[key] = person
        for role in row["roles"]:
            in_branch = role in BRANCH_ROLES or (role == "mass_rep" and branch is not None)
            if in_branch and branch is None:
                raise _row_problem("branch_code", "该角色须填写支部编码。", f"The role {role} needs a branch code.")
            person.grant_role(role, str(branch.id) if in_branch else "", **by.fields())


def roster_problem(errors: list[dict[str, Any]]) -> Problem:
    rows = len({e["row"] for e in errors})
    return Problem(
        "invalid_file",
        f"文件中有 {rows} 行有误，整个文件均未导入。",
        f"{rows} row(s) are invalid; nothing from the file was applied.",
        sorted(errors, key=lambda e: e["row"]),
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _row_problem(field: str, zh: str, en: str) -> Problem:
    return Problem("invalid_input", zh, en, {field: {"zh": zh, "en": en}})
