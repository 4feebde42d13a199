"""The organisation roster: branches and people, and the facts they record.

Identities are derived from natural keys (a branch's code, a person's staff number), so the
event store itself refuses a second branch with the same code: two racing registrations cannot
both succeed."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.errors import Problem
from shared.facts import Fact

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:grassroots:assessment")

HOSPITAL_ROLES = ("party_office", "general_secretary", "superior")
BRANCH_ROLES = ("branch_secretary", "member")
ROLES = HOSPITAL_ROLES + BRANCH_ROLES + ("mass_rep",)
ROLE_NAMES = {
    "party_office": "党办",
    "general_secretary": "总支书记",
    "superior": "上级党委",
    "branch_secretary": "支部书记",
    "member": "党员",
    "mass_rep": "群众代表",
}


def branch_id(code: str) -> UUID:
    return uuid5(_NAMESPACE, f"branch:{code.strip().upper()}")


def person_id(staff_no: str) -> UUID:
    return uuid5(_NAMESPACE, f"person:{staff_no.strip().upper()}")


def derived_id(*parts: object) -> UUID:
    """The id of an aggregate known by its natural key (e.g. a cycle's survey of a branch)."""
    return uuid5(_NAMESPACE, ":".join(str(p) for p in parts))


def refused(field: str, zh: str, en: str) -> Problem:
    return Problem("invalid_input", zh, en, {field: {"zh": zh, "en": en}})


class Branch(Aggregate):
    """A Party branch (支部), the unit that is assessed, and the departments (科室) it covers."""

    class Registered(Fact, Aggregate.Created):
        code: str
        name: str
        departments: list[str]

    class Renamed(Fact):
        name: str

    class DepartmentAdded(Fact):
        department: str

    class DepartmentRemoved(Fact):
        department: str

    @staticmethod
    def create_id(code: str, **_: object) -> UUID:
        return branch_id(code)

    @event(Registered)
    def __init__(self, code: str, name: str, departments: list[str], actor: str, reason: str, correlation_id: str):
        self.registered_in = correlation_id
        self.code = code
        self.name = name
        self.departments = list(departments)

    def rename(self, name: str, **by: str) -> None:
        if name != self.name:
            self._renamed(name=name, **by)

    @event(Renamed)
    def _renamed(self, name: str, actor: str, reason: str, correlation_id: str) -> None:
        self.name = name

    def add_department(self, department: str, **by: str) -> None:
        if department not in self.departments:
            self._department_added(department=department, **by)

    @event(DepartmentAdded)
    def _department_added(self, department: str, actor: str, reason: str, correlation_id: str) -> None:
        self.departments.append(department)

    def remove_department(self, department: str, **by: str) -> None:
        if department not in self.departments:
            raise refused(
                "department", f"该支部不含科室“{department}”。", f"The branch does not cover {department!r}."
            )
        self._department_removed(department=department, **by)

    @event(DepartmentRemoved)
    def _department_removed(self, department: str, actor: str, reason: str, correlation_id: str) -> None:
        self.departments.remove(department)


class Person(Aggregate):
    """Someone the year involves: a member, a secretary, a mass representative, an officer."""

    class Registered(Fact, Aggregate.Created):
        staff_no: str
        name: str
        email: str

    class EmailChanged(Fact):
        email: str

    class RoleGranted(Fact):
        role: str
        branch_id: str

    class RoleRevoked(Fact):
        role: str
        branch_id: str

    @staticmethod
    def create_id(staff_no: str, **_: object) -> UUID:
        return person_id(staff_no)

    @event(Registered)
    def __init__(self, staff_no: str, name: str, email: str, actor: str, reason: str, correlation_id: str):
        self.registered_in = correlation_id
        self.staff_no = staff_no
        self.name = name
        self.email = email
        self.roles: list[tuple[str, str]] = []

    def change_email(self, email: str, **by: str) -> None:
        if email != self.email:
            self._email_changed(email=email, **by)

    @event(EmailChanged)
    def _email_changed(self, email: str, actor: str, reason: str, correlation_id: str) -> None:
        self.email = email

    def grant_role(self, role: str, branch: str, **by: str) -> None:
        """Grant `role` (in `branch` where the role is a branch's); granting twice does nothing."""
        check_role(role, branch)
        if (role, branch) in self.roles:
            return
        if role == "member":
            current = self.member_of()
            if current:
                raise refused(
                    "branch",
                    "该党员已属于另一个支部，请先移出原支部。",
                    "This member already belongs to another branch; revoke that membership first.",
                )
        self._role_granted(role=role, branch_id=branch, **by)

    @event(RoleGranted)
    def _role_granted(self, role: str, branch_id: str, actor: str, reason: str, correlation_id: str) -> None:
        self.roles.append((role, branch_id))

    def revoke_role(self, role: str, branch: str, **by: str) -> None:
        if (role, branch) not in self.roles:
            raise Problem(
                "not_found",
                f"此人没有该角色：{ROLE_NAMES.get(role, role)}",
                f"The person does not hold the role {role}.",
            )
        self._role_revoked(role=role, branch_id=branch, **by)

    @event(RoleRevoked)
    def _role_revoked(self, role: str, branch_id: str, actor: str, reason: str, correlation_id: str) -> None:
        self.roles.remove((role, branch_id))

    def member_of(self) -> str:
        return next((b for r, b in self.roles if r == "member"), "")


def check_role(role: str, branch: str) -> None:
    if role not in ROLES:
        raise refused("role", f"未知角色：{role}", f"Unknown role: {role}")
    if role in BRANCH_ROLES and not branch:
        raise refused(
            "branch_id",
            f"{ROLE_NAMES[role]}必须属于一个支部。",
            f"The role {role} needs a branch.",
        )
    if role in HOSPITAL_ROLES and branch:
        raise refused(
            "branch_id",
            f"{ROLE_NAMES[role]}是全院角色，不属于某个支部。",
            f"The role {role} is hospital-wide and takes no branch.",
        )
