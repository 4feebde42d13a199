"""What a caller may do with the review ledger (三级联述联评联考), and how it is done. The API
and the pages call these.

Who sees what: the Party office, the general branch secretary and the superior committee see
the whole ledger. A branch secretary reads every report (their committee evaluates the others'),
sees the evaluations and examination of their own report only in aggregate, and of the signed
evaluations only their own committee's. A member or mass representative reads their own
branch's report and the general branch's, and no evaluation at all."""

from __future__ import annotations

import base64
from typing import Any

from services.gateway.access import Caller
from services.gateway.backend import Backend
from shared.errors import Problem, not_found

# Who examines each level's reports: the level above, or the Party office for it.
EXAMINERS = {1: ("party_office", "general_secretary"), 2: ("party_office", "superior")}
REPORTERS = {1: "branch_secretary", 2: "general_secretary"}


def access_of(caller: Caller) -> dict[str, Any]:
    if caller.sees_all:
        return {"read": None, "aggregate": None, "signed_by": None, "details": True}
    own = sorted(caller.branches("branch_secretary"))
    if own:  # their committee's own signed evaluations of others' reports, too
        return {"read": None, "aggregate": own, "signed_by": own, "details": False}
    return {"read": sorted(caller.branches()) + [""], "aggregate": [], "signed_by": [], "details": False}


def ledger(backend: Backend, caller: Caller, cycle_id: str) -> dict[str, Any]:
    return backend.call("projections", "ledger", cycle_id, access_of(caller))


def report(backend: Backend, caller: Caller, cycle_id: str, report_id: str) -> dict[str, Any]:
    """One report as the caller may see it; not found when they may not read it."""
    for level in ledger(backend, caller, cycle_id)["levels"]:
        for row in level["reports"]:
            if row["report_id"] == report_id:
                return row
    raise not_found("述职", "report", report_id)


def submit_report(backend: Backend, caller: Caller, cycle_id: str, payload: dict) -> dict:
    """The secretary reports for themself; the Party office may enter a report for a secretary.
    A malformed level or branch goes on, for the service to refuse as invalid input."""
    level, branch = payload.get("level"), payload.get("branch_id", "")
    well_formed = isinstance(level, int) and level in REPORTERS and isinstance(branch, str)
    if not caller.holds("party_office"):
        if well_formed:
            role = (REPORTERS[level], branch if level == 1 else "")
            caller.require(bool(caller.account.person_id) and role in caller.roles)
        payload = {**payload, "reporter_id": caller.account.person_id}
    elif well_formed and not payload.get("reporter_id"):
        payload = {**payload, "reporter_id": _secretary(backend, level, branch)}
    return backend.command("submit_report", caller.account.username, cycle_id, payload)


def _secretary(backend: Backend, level: Any, branch: str) -> str:
    """Whom the Party office reports for when it names no one: the one holder of the role."""
    if level == 1:
        if not branch:
            return ""  # the service refuses a level-1 report without its branch
        found = backend.call("projections", "list_branches", [branch])
        holders = [s["id"] for s in found[0]["secretaries"]] if found else []
    else:
        holders = [p["id"] for p in backend.call("projections", "list_people", None, None)
                   if any(r["role"] == "general_secretary" for r in p["roles"])]
    if len(holders) != 1:
        raise Problem("invalid_input", "请选择述职人。", "Choose who gives the report.",
                      {"reporter_id": {"zh": "请选择述职人。", "en": "Choose who gives the report."}})
    return holders[0]


def evaluate_report(backend: Backend, caller: Caller, report_id: str, payload: dict) -> dict:
    """A branch committee's signed evaluation, entered by its secretary (or the Party office)."""
    organisation = payload.get("organisation_id")
    if not caller.holds("party_office") and isinstance(organisation, str):
        caller.require(organisation in caller.branches("branch_secretary"))
    # Anything else is malformed: the service refuses it as invalid input, recording nothing.
    return backend.command("evaluate_report", caller.account.username, report_id, payload)


def examine_report(backend: Backend, caller: Caller, cycle_id: str, report_id: str, payload: dict) -> dict:
    found = report(backend, caller, cycle_id, report_id)
    caller.require(any(caller.holds(role) for role in EXAMINERS[found["level"]]))
    return backend.command("examine_report", caller.account.username, report_id, payload)


def issue_report_codes(backend: Backend, caller: Caller, report_id: str, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("issue_report_codes", caller.account.username, report_id, payload)


def close_report_box(backend: Backend, caller: Caller, report_id: str, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("close_report_box", caller.account.username, report_id, payload)


def attachment(backend: Backend, caller: Caller, cycle_id: str, report_id: str, sha256: str) -> tuple[dict, bytes]:
    """An attachment of a report the caller may read."""
    found = report(backend, caller, cycle_id, report_id)
    listed = next((a for a in found["attachments"] if a["sha256"] == sha256), None)
    if listed is None:
        raise not_found("附件", "attachment", sha256)
    return listed, base64.b64decode(backend.call("assessment", "read_attachment", sha256))


def cast_evaluation(backend: Backend, evaluation: dict) -> dict:
    """A secret evaluation with a one-time code: no caller, no request id (an anonymous path)."""
    return backend.call("assessment", "cast_report_evaluations", [evaluation])[0]
