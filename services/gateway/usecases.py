"""What a caller may do with the roster and the cycles, and how it is done.

The JSON API and the pages both call these functions, so each rule is written once. Every
function checks the caller first; reads pass the caller's visible branches to the service."""

from __future__ import annotations

import secrets
from typing import Any

from services.gateway.access import Caller
from services.gateway.accounts import AccountStore
from services.gateway.backend import Backend
from shared.errors import Problem

SECRETARY_GRANTS = ("member", "mass_rep")


# --- branches -----------------------------------------------------------------------------

def list_branches(backend: Backend, caller: Caller) -> list[dict]:
    return backend.call("projections", "list_branches", caller.visible_branches())


def get_branch(backend: Backend, caller: Caller, branch_id: str) -> dict:
    visible = caller.visible_branches()
    caller.require(visible is None or branch_id in visible)
    branch = backend.call("projections", "get_branch", branch_id)
    if not caller.may_see_people_of(branch_id):
        branch["people"] = []
    return branch


def register_branch(backend: Backend, caller: Caller, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("register_branch", caller.account.username, payload)


def rename_branch(backend: Backend, caller: Caller, branch_id: str, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("rename_branch", caller.account.username, branch_id, payload)


def add_department(backend: Backend, caller: Caller, branch_id: str, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("add_department", caller.account.username, branch_id, payload)


def remove_department(backend: Backend, caller: Caller, branch_id: str, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("remove_department", caller.account.username, branch_id, payload)


# --- people -------------------------------------------------------------------------------

def list_people(backend: Backend, caller: Caller, branch_id: str | None = None) -> list[dict]:
    if branch_id:
        caller.require(caller.may_see_people_of(branch_id))
        return backend.call("projections", "list_people", branch_id, None)
    if caller.sees_all:
        return backend.call("projections", "list_people", None, None)
    secretary_of = sorted(caller.branches("branch_secretary"))
    caller.require(bool(secretary_of))
    return backend.call("projections", "list_people", None, secretary_of)


def _branches_of(person: dict) -> set[str]:
    return {r["branch_id"] for r in person["roles"] if r["branch_id"]} | ({person["member_of"]} - {""})


def get_person(backend: Backend, caller: Caller, person_id: str) -> dict:
    person = backend.call("projections", "get_person", person_id)
    allowed = (
        caller.sees_all
        or caller.account.person_id == person_id
        or bool(_branches_of(person) & caller.branches("branch_secretary"))
    )
    caller.require(allowed)
    return person


def register_person(backend: Backend, caller: Caller, payload: dict) -> dict:
    if not caller.holds("party_office"):
        roles = payload.get("roles") if isinstance(payload, dict) else None
        mine = caller.branches("branch_secretary")
        caller.require(
            bool(roles) and isinstance(roles, list)
            and all(isinstance(r, dict) and r.get("role") in SECRETARY_GRANTS and r.get("branch_id") in mine for r in roles)
        )
    return backend.command("register_person", caller.account.username, payload)


def _may_grant(caller: Caller, payload: dict) -> bool:
    return caller.holds("party_office") or (
        isinstance(payload, dict)
        and payload.get("role") in SECRETARY_GRANTS
        and payload.get("branch_id") in caller.branches("branch_secretary")
    )


def grant_role(backend: Backend, caller: Caller, person_id: str, payload: dict) -> dict:
    caller.require(_may_grant(caller, payload))
    return backend.command("grant_role", caller.account.username, person_id, payload)


def revoke_role(backend: Backend, caller: Caller, person_id: str, payload: dict) -> dict:
    caller.require(_may_grant(caller, payload))
    return backend.command("revoke_role", caller.account.username, person_id, payload)


def change_email(backend: Backend, caller: Caller, person_id: str, payload: dict) -> dict:
    if not (caller.holds("party_office") or caller.account.person_id == person_id):
        person = backend.call("projections", "get_person", person_id)
        caller.require(bool(_branches_of(person) & caller.branches("branch_secretary")))
    return backend.command("change_email", caller.account.username, person_id, payload)


def import_roster(backend: Backend, caller: Caller, rows: list[dict], reason: str = "") -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("import_roster", caller.account.username, rows, reason)


# --- cycles -------------------------------------------------------------------------------

def list_cycles(backend: Backend, caller: Caller) -> list[dict]:
    return backend.call("projections", "list_cycles")


def get_cycle(backend: Backend, caller: Caller, cycle_id: str) -> dict:
    return backend.call("projections", "get_cycle", cycle_id)


def open_cycle(backend: Backend, caller: Caller, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("open_cycle", caller.account.username, payload)


def reschedule_phase(backend: Backend, caller: Caller, cycle_id: str, key: str, payload: dict) -> dict:
    caller.require(caller.holds("party_office"))
    return backend.command("reschedule_phase", caller.account.username, cycle_id, key, payload)


# --- accounts -----------------------------------------------------------------------------

def create_account(backend: Backend, store: AccountStore, caller: Caller, payload: dict) -> dict:
    """Open an account for a person of the roster; returns a first password to hand over."""
    caller.require(caller.holds("party_office"))
    person_id = str(payload.get("person_id") or "")
    person = backend.call("projections", "get_person", person_id)
    if store.for_person(person_id) is not None:
        raise Problem("already_exists", "此人已有账号。", "This person already has an account.")
    username = str(payload.get("username") or person["staff_no"]).strip()
    if not 1 <= len(username) <= 64:
        raise Problem("invalid_input", "用户名长度应为 1 到 64 个字符。", "A username has 1 to 64 characters.")
    password = secrets.token_urlsafe(9)
    account = store.create(username, password, person_id=person_id)
    return {"id": account.id, "username": account.username, "person_id": person_id, "password": password}


def change_password(store: AccountStore, caller: Caller, current: str, new: str) -> None:
    store.verify(caller.account.username, current)
    if len(new) < 10:
        raise Problem(
            "invalid_input", "新密码至少需要 10 个字符。", "A new password needs at least 10 characters.",
            {"new_password": {"zh": "新密码至少需要 10 个字符。", "en": "At least 10 characters."}},
        )
    store.set_password(caller.account.id, new)


def describe(caller: Caller) -> dict[str, Any]:
    return {
        "username": caller.account.username,
        "name": caller.name,
        "person_id": caller.account.person_id,
        "roles": [{"role": r, "branch_id": b} for r, b in sorted(caller.roles)],
    }
