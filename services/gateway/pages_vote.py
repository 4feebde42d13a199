"""The voter's page (党员群众测评): a one-time code and the answers, on a phone, with no account.

Nothing here looks at a session or a request id (`/vote` is one of `web.ANONYMOUS_PATHS`), the
code travels only in the POST body and is never written back into the page, and wrong, used or
voided codes count against the same per-address limit as the API's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from flask_limiter.errors import RateLimitExceeded

from services.assessment.domain.ballots import LEVELS, SATISFACTION
from services.assessment.domain.evaluations import FIVE_GOODS
from services.gateway.extensions import code_failures
from services.gateway.pages_terms import TERMS, anonymous_page, refusal_of, too_many_attempts
from services.gateway.web import parts
from shared.errors import Problem

bp = Blueprint("vote", __name__)


def _page(template: str = "vote.html", status: int = 200, problem: Problem | None = None,
          answers: dict | None = None) -> Response:
    return anonymous_page(template, status, problem, answers=answers or {"ratings": {}, "satisfaction": ""}, **TERMS)


def _answers() -> dict[str, Any]:
    """The answers as posted, each kept only if it is one of the choices."""
    ratings = {good: request.form.get(f"rating_{good}", "") for good in FIVE_GOODS}
    satisfaction = request.form.get("satisfaction", "")
    return {"ratings": {g: v for g, v in ratings.items() if v in LEVELS},
            "satisfaction": satisfaction if satisfaction in SATISFACTION else ""}


def _incomplete(code: str, answers: dict[str, Any]) -> Problem | None:
    missing = {f"ratings.{good}": {"zh": "请选择。", "en": "Choose one."}
               for good in FIVE_GOODS if good not in answers["ratings"]}
    if not answers["satisfaction"]:
        missing["satisfaction"] = {"zh": "请选择。", "en": "Choose one."}
    if missing:
        return Problem("invalid_input", "还有未作答的项目，请每项选择后再提交。",
                       "Some questions are unanswered.", missing)
    if not code:
        return Problem("invalid_input", "请输入投票条上的投票码。", "Enter the ballot code from your slip.")
    return None


@bp.get("/vote")
def vote() -> Response:
    return _page()


@bp.post("/vote")
# 422 is left out: an unanswered form is refused before any code is looked up.
@code_failures
def vote_submit() -> Response:
    code = request.form.get("code", "").strip()
    answers = _answers()
    problem = _incomplete(code, answers)
    if problem is None:
        problem = refusal_of(lambda: parts().intake.cast({"code": code, **answers}))
        if problem is None:
            return redirect(url_for(".vote_done"), code=303)
    return _page(status=problem.status, problem=problem, answers=answers)


@bp.get("/vote/done")
def vote_done() -> Response:
    return _page("vote_done.html")


@bp.errorhandler(RateLimitExceeded)
def too_many(_: RateLimitExceeded) -> Response:
    return _page(status=429, problem=too_many_attempts(), answers=_answers() if request.method == "POST" else None)
