"""Errors a user can act on: a stable machine-readable code and a message in Chinese and English.

A `Problem` raised inside a nameko service crosses RPC intact (`shared.rpcclient` registers it
for deserialisation), so the gateway turns it into `application/problem+json` unchanged. This
module imports no framework: domain code raises `Problem` too."""

from __future__ import annotations

import json
from typing import Any

# code -> HTTP status, the one place the gateway looks it up.
STATUS = {
    "invalid_input": 422,
    "invalid_file": 422,
    "not_found": 404,
    "already_exists": 409,
    "conflict": 409,
    "unauthenticated": 401,
    "forbidden": 403,
    "rate_limited": 429,
    "unavailable": 503,
    "closed": 409,
    "not_ready": 409,
    "unknown_code": 404,
    "code_used": 409,
    "code_voided": 409,
    "already_evaluated": 409,
    "already_examined": 409,
    "own_report": 409,
    "not_reporter": 422,
    "bad_request": 400,
    "method_not_allowed": 405,
    "too_large": 413,
    "internal_error": 500,
}


class Problem(Exception):
    """A refusal the caller can understand and fix; never a bug."""

    def __init__(self, code: str, zh: str, en: str, details: Any = None):
        # nameko stringifies every non-text arg on the way out, so details travel as JSON text.
        super().__init__(code, zh, en, json.dumps(details, ensure_ascii=False))
        self.code = code
        self.zh = zh
        self.en = en
        self.details = details

    @classmethod
    def from_wire(cls, code: str, zh: str, en: str, details: str = "null") -> Problem:
        """Rebuild a Problem from the args it crossed RPC with."""
        return cls(code, zh, en, json.loads(details))

    @classmethod
    def from_result(cls, result: dict[str, Any]) -> Problem:
        """Rebuild a Problem a batch call returned as one of its results (see `as_dict`)."""
        return cls(result["code"], result["title"], result["detail"], result.get("errors"))

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def __str__(self) -> str:
        return f"{self.code}: {self.en}"

    def as_dict(self) -> dict[str, Any]:
        body = {"code": self.code, "title": self.zh, "detail": self.en}
        if self.details is not None:
            body["errors"] = self.details
        return body


def invalid_input(details: Any) -> Problem:
    return Problem("invalid_input", "提交的内容有误，请按提示修改。", "The input is invalid; see the errors.", details)


def not_found(what_zh: str, what_en: str, key: Any) -> Problem:
    return Problem("not_found", f"{what_zh}不存在：{key}", f"No such {what_en}: {key}")


def already_exists(what_zh: str, what_en: str, key: Any) -> Problem:
    return Problem("already_exists", f"{what_zh}已存在：{key}", f"{what_en} already exists: {key}")


def conflict() -> Problem:
    return Problem(
        "conflict",
        "该记录刚被他人修改，本次操作未生效，请刷新后重试。",
        "The record was changed by someone else at the same time; nothing was applied. Reload and retry.",
    )
