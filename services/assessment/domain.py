"""The organisation roster and the year's cycles: aggregates and the facts they record.

Identities are derived from natural keys (a branch's code, a person's staff number, a cycle's
year), so the event store itself refuses a second branch with the same code: two racing
registrations cannot both succeed."""

from __future__ import annotations

from datetime import date
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


def cycle_id(year: int) -> UUID:
    return uuid5(_NAMESPACE, f"cycle:{int(year)}")


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


class Cycle(Aggregate):
    """One Organisation-Building Year: its phases and deadlines, and how branches are graded.

    The weights and thresholds are recorded in the opening fact, so a replay grades exactly as
    the year did."""

    class Opened(Fact, Aggregate.Created):
        year: int
        title: str
        phases: list[dict]
        weights: dict
        thresholds: dict

    class PhaseRescheduled(Fact):
        key: str
        starts_on: str
        due_on: str

    @staticmethod
    def create_id(year: int, **_: object) -> UUID:
        return cycle_id(year)

    @classmethod
    def open(cls, year: int, title: str, phases: list[dict], weights: dict, thresholds: dict, **by: str) -> Cycle:
        check_phases(phases, year)
        check_weights(weights)
        check_thresholds(thresholds)
        return cls(year=year, title=title, phases=phases, weights=weights, thresholds=thresholds, **by)

    @event(Opened)
    def __init__(self, year: int, title: str, phases: list[dict], weights: dict, thresholds: dict,
                 actor: str, reason: str, correlation_id: str):
        self.registered_in = correlation_id
        self.year = year
        self.title = title
        self.phases = [dict(p) for p in phases]
        self.weights = dict(weights)
        self.thresholds = dict(thresholds)

    def reschedule(self, key: str, starts_on: str, due_on: str, **by: str) -> None:
        if key not in {p["key"] for p in self.phases}:
            raise Problem("not_found", f"本年度没有该阶段：{key}", f"The cycle has no phase {key!r}.")
        check_dates(starts_on, due_on, "phases", self.year)
        self._phase_rescheduled(key=key, starts_on=starts_on, due_on=due_on, **by)

    @event(PhaseRescheduled)
    def _phase_rescheduled(self, key: str, starts_on: str, due_on: str, actor: str, reason: str, correlation_id: str) -> None:
        for phase in self.phases:
            if phase["key"] == key:
                phase["starts_on"], phase["due_on"] = starts_on, due_on


def check_phases(phases: list[dict], year: int) -> None:
    if not phases:
        raise refused("phases", "至少需要一个阶段。", "A cycle needs at least one phase.")
    keys = [p["key"] for p in phases]
    if len(set(keys)) != len(keys):
        raise refused("phases", "阶段标识不能重复。", "Phase keys must be unique.")
    for phase in phases:
        check_dates(phase["starts_on"], phase["due_on"], "phases", year)


def check_dates(starts_on: str, due_on: str, field: str, year: int) -> None:
    starts, due = date.fromisoformat(starts_on), date.fromisoformat(due_on)
    if starts > due:
        raise refused(field, "开始日期不能晚于截止日期。", "A phase cannot start after its deadline.")
    if starts.year != year or due.year != year:
        raise refused(field, f"各阶段日期须在 {year} 年内。", f"Every phase must fall within {year}.")


def check_weights(weights: dict) -> None:
    if sum(weights.values()) != 100:
        raise refused(
            "weights",
            "三项权重（自评、测评、考评）之和必须为 100。",
            "The three weights (self-assessment, ballots, superior) must add up to 100.",
        )


def check_thresholds(thresholds: dict) -> None:
    if not 0 <= thresholds["average"] < thresholds["advanced"] <= 100:
        raise refused(
            "thresholds",
            "分档线须满足 0 ≤ 一般 < 先进 ≤ 100。",
            "Thresholds must satisfy 0 ≤ average < advanced ≤ 100.",
        )
