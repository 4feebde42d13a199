"""Who is calling and what they may see or change: the gateway's single access policy.

An account's roles come from the roster (the person it is linked to) plus any it holds by
itself (the bootstrap administrator). Roster roles are read from the projections service and
cached for a few seconds: a revoked role stops working within `ROLE_CACHE_SECONDS`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from services.gateway.accounts import Account
from shared.errors import Problem

HOSPITAL_WIDE = frozenset({"party_office", "general_secretary", "superior"})
ROLE_CACHE_SECONDS = 5.0


def forbidden() -> Problem:
    return Problem("forbidden", "您没有权限进行此操作。", "You are not allowed to do this.")


def unauthenticated() -> Problem:
    return Problem("unauthenticated", "请先登录。", "Sign in first.")


@dataclass(frozen=True)
class Caller:
    account: Account
    name: str
    roles: frozenset[tuple[str, str]]  # (role, branch id or "")
    csrf: str = ""

    def holds(self, role: str) -> bool:
        return any(r == role for r, _ in self.roles)

    def branches(self, *roles: str) -> set[str]:
        return {b for r, b in self.roles if b and (not roles or r in roles)}

    @property
    def sees_all(self) -> bool:
        return any(r in HOSPITAL_WIDE for r, _ in self.roles)

    def visible_branches(self) -> list[str] | None:
        """None means every branch."""
        return None if self.sees_all else sorted(self.branches())

    def may_see_people_of(self, branch_id: str) -> bool:
        return self.sees_all or branch_id in self.branches("branch_secretary")

    def may_manage_people_of(self, branch_id: str) -> bool:
        return self.holds("party_office") or branch_id in self.branches("branch_secretary")

    def require(self, allowed: bool) -> None:
        if not allowed:
            raise forbidden()


class RoleCache:
    """Roster roles per person, refreshed at most every few seconds."""

    def __init__(self, load: Callable[[str], dict], ttl: float = ROLE_CACHE_SECONDS):
        self.load = load
        self.ttl = ttl
        self._entries: dict[str, tuple[float, str, frozenset[tuple[str, str]]]] = {}
        self._lock = threading.Lock()

    def caller(self, account: Account, csrf: str = "") -> Caller:
        own = frozenset((role, "") for role in account.own_roles)
        if not account.person_id:
            return Caller(account, account.username, own, csrf)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(account.person_id)
        if entry is None or entry[0] <= now:
            try:
                person = self.load(account.person_id)
                entry = (now + self.ttl, person["name"], frozenset((r["role"], r["branch_id"]) for r in person["roles"]))
            except Problem as problem:
                if problem.code != "not_found":
                    raise
                entry = (now + self.ttl, account.username, frozenset())
            with self._lock:
                self._entries[account.person_id] = entry
        return Caller(account, entry[1], own | entry[2], csrf)
