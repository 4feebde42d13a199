"""What a caller may do in the year's first phase, and how it is done: survey, self-assessment,
superior evaluation, ballot codes, grading and standings. The API and the pages call these."""

from __future__ import annotations

from typing import Any

from services.gateway.access import Caller
from services.gateway.backend import Backend

EVALUATORS = ("party_office", "general_secretary")


def _secretary_or_office(caller: Caller, branch_id: str) -> bool:
    return caller.holds("party_office") or branch_id in caller.branches("branch_secretary")


def record_survey_point(backend: Backend, caller: Caller, cycle_id: str, branch_id: str, payload: dict) -> dict:
    caller.require(_secretary_or_office(caller, branch_id))
    return backend.command("record_survey_point", caller.account.username, cycle_id, branch_id, payload)


def submit_self_assessment(backend: Backend, caller: Caller, cycle_id: str, branch_id: str, payload: dict) -> dict:
    caller.require(_secretary_or_office(caller, branch_id))
    return backend.command("submit_self_assessment", caller.account.username, cycle_id, branch_id, payload)


def submit_superior_evaluation(backend: Backend, caller: Caller, cycle_id: str, branch_id: str, payload: dict) -> dict:
    caller.require(any(caller.holds(role) for role in EVALUATORS))
    return backend.command("submit_superior_evaluation", caller.account.username, cycle_id, branch_id, payload)


def issue_codes(backend: Backend, caller: Caller, cycle_id: str, branch_id: str, payload: dict) -> dict:
    """New one-time codes: shown this once, to be printed and cut into slips."""
    caller.require(caller.holds("party_office"))
    return backend.command("issue_codes", caller.account.username, cycle_id, branch_id, payload)


def void_code(backend: Backend, caller: Caller, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("void_code", caller.account.username, payload)


def close_box(backend: Backend, caller: Caller, cycle_id: str, branch_id: str, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("close_box", caller.account.username, cycle_id, branch_id, payload)


def propose_grades(backend: Backend, caller: Caller, cycle_id: str) -> dict[str, Any]:
    """Every branch's proposed grade with its arithmetic, for review before confirmation."""
    caller.require(any(caller.holds(role) for role in EVALUATORS))
    branches = backend.call("projections", "list_branches", None)
    proposals = backend.call("assessment", "propose_grades", cycle_id, [b["id"] for b in branches])
    return {"cycle_id": cycle_id,
            "branches": [{"branch_id": b["id"], "code": b["code"], "name": b["name"], **proposals[b["id"]]}
                         for b in branches]}


def confirm_grade(backend: Backend, caller: Caller, cycle_id: str, branch_id: str, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("confirm_grade", caller.account.username, cycle_id, branch_id, payload)


def standings(backend: Backend, caller: Caller, cycle_id: str) -> dict:
    return backend.call("projections", "standings", cycle_id, caller.visible_branches())
