"""How each published event changes the read model: one handler per event type.

Handlers change rows in memory (`shared.readmodel`); each names where its stream's rows live so
a batch loads them once. Types a projection does not know are passed over (their position is
still tracked)."""

from __future__ import annotations

from services.projections.tables import branches, cycles, people, phases, roles
from shared.envelope import Envelope
from shared.readmodel import Batch, Projector

project = Projector()
BRANCH = (branches, "id")
PERSON = (people, "id")
ROLES = (roles, "person_id")
CYCLE = (cycles, "id")
PHASES = (phases, "cycle_id")


@project.handles("BranchRegistered")
def _branch_registered(rows: Batch, e: Envelope) -> None:
    rows[branches].put({"id": e.stream_id, "code": e.data["code"], "name": e.data["name"],
                        "departments": list(e.data["departments"]), "registered_at": e.occurred_at,
                        "version": e.stream_version})


@project.handles("BranchRenamed", BRANCH)
def _branch_renamed(rows: Batch, e: Envelope) -> None:
    rows[branches].get(e.stream_id).update(name=e.data["name"], version=e.stream_version)


@project.handles("BranchDepartmentAdded", BRANCH)
def _department_added(rows: Batch, e: Envelope) -> None:
    branch = rows[branches].get(e.stream_id)
    branch.update(departments=branch["departments"] + [e.data["department"]], version=e.stream_version)


@project.handles("BranchDepartmentRemoved", BRANCH)
def _department_removed(rows: Batch, e: Envelope) -> None:
    branch = rows[branches].get(e.stream_id)
    branch.update(departments=[d for d in branch["departments"] if d != e.data["department"]],
                  version=e.stream_version)


@project.handles("PersonRegistered")
def _person_registered(rows: Batch, e: Envelope) -> None:
    rows[people].put({"id": e.stream_id, "staff_no": e.data["staff_no"], "name": e.data["name"],
                      "email": e.data["email"], "member_of": "", "registered_at": e.occurred_at,
                      "version": e.stream_version})


@project.handles("PersonEmailChanged", PERSON)
def _email_changed(rows: Batch, e: Envelope) -> None:
    rows[people].get(e.stream_id).update(email=e.data["email"], version=e.stream_version)


@project.handles("PersonRoleGranted", PERSON, ROLES)
def _role_granted(rows: Batch, e: Envelope) -> None:
    role, branch = e.data["role"], e.data["branch_id"]
    rows[roles].put({"person_id": e.stream_id, "role": role, "branch_id": branch})
    person = rows[people].get(e.stream_id)
    person["version"] = e.stream_version
    if role == "member":
        person["member_of"] = branch


@project.handles("PersonRoleRevoked", PERSON, ROLES)
def _role_revoked(rows: Batch, e: Envelope) -> None:
    role, branch = e.data["role"], e.data["branch_id"]
    rows[roles].delete(e.stream_id, role, branch)
    person = rows[people].get(e.stream_id)
    person["version"] = e.stream_version
    if role == "member":
        person["member_of"] = ""


@project.handles("CycleOpened")
def _cycle_opened(rows: Batch, e: Envelope) -> None:
    rows[cycles].put({"id": e.stream_id, "year": e.data["year"], "title": e.data["title"],
                      "weights": e.data["weights"], "thresholds": e.data["thresholds"],
                      "opened_at": e.occurred_at, "version": e.stream_version})
    for n, phase in enumerate(e.data["phases"]):
        rows[phases].put({"cycle_id": e.stream_id, "key": phase["key"], "ordinal": n, "name": phase["name"],
                          "starts_on": phase["starts_on"], "due_on": phase["due_on"]})


@project.handles("CyclePhaseRescheduled", CYCLE, PHASES)
def _phase_rescheduled(rows: Batch, e: Envelope) -> None:
    rows[phases].get(e.stream_id, e.data["key"]).update(starts_on=e.data["starts_on"], due_on=e.data["due_on"])
    rows[cycles].get(e.stream_id)["version"] = e.stream_version
