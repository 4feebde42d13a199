"""What the first-phase pages share: the Chinese names of the year's terms, notices, rendering,
and refusals whose field names a reader understands (`scores.results` reads 工作业绩好)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Response, make_response, redirect, render_template, request

from services.assessment.domain import ROLE_NAMES
from services.assessment.domain.ballots import CATEGORIES as VOTER_GROUPS
from services.assessment.domain.ballots import LEVELS, SATISFACTION
from services.assessment.domain.cycle import CATEGORY_NAMES, HOSPITAL_TIME
from services.assessment.domain.evaluations import FIVE_GOODS, FIVE_POINTS
from services.assessment.domain.grading import SOURCE_NAMES
from services.gateway.pages import FORM_CODES
from services.gateway.standings_file import MISSING_NAMES
from services.gateway.web import caller, check_csrf
from shared.errors import Problem

# Refusals a year form shows next to itself; anything else goes to the error page.
YEAR_FORM_CODES = (*FORM_CODES, "closed", "not_ready", "unknown_code", "code_used", "code_voided", "already_evaluated",
                   "already_examined", "own_report", "not_reporter")

NOTICES = {
    "survey_recorded": "调查结论已保存。",
    "self_assessment_saved": "自评已提交。截止日期前可以修改。",
    "superior_saved": "上级考评已提交。",
    "codes_issued": "投票码已发放。请确认已打印全部投票条。",
    "code_voided": "投票码已作废。",
    "box_closed": "票箱已关闭：未使用的投票码已作废，已投的票全部计入。",
    "grade_confirmed": "定级已确认。",
}

TERMS = {
    "five_points": FIVE_POINTS,
    "five_goods": FIVE_GOODS,
    "levels": {key: name for key, (name, _) in LEVELS.items()},
    "satisfaction_names": SATISFACTION,
    "voter_groups": VOTER_GROUPS,
    "category_names": CATEGORY_NAMES,
    "source_names": SOURCE_NAMES,
    "missing_names": MISSING_NAMES,
}

FIELD_NAMES = {
    "point": "调查项", "finding": "调查结论", "text": "问题描述", "comments": "评语", "scores": "五好评分",
    "category": "测评对象", "count": "数量", "code": "投票码", "ratings": "五好评价",
    "satisfaction": "总体满意度", "expected_total": "总分", "level": "述职层级", "branch_id": "支部",
    "reporter_id": "述职人", "period": "述职期间", "attachments": "附件", "organisation_id": "评议组织",
    "rating": "评议等次", "comment": "意见", "score": "考核得分", "verdict": "考核结果",
    **{f"scores.{good}": f"{name}（分数）" for good, name in FIVE_GOODS.items()},
    **{f"ratings.{good}": name for good, name in FIVE_GOODS.items()},
}


def today() -> date:
    return datetime.now(HOSPITAL_TIME).date()


def form_number(text: str) -> Any:
    """A typed number as an int when it is one; anything else goes on for the service to refuse."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return text or None


def readable(problem: Problem) -> Problem:
    """The same refusal with its field paths named in Chinese."""
    if not isinstance(problem.details, dict):
        return problem
    details = {FIELD_NAMES.get(field, field): text for field, text in problem.details.items()}
    return Problem(problem.code, problem.zh, problem.en, details)


def render(template: str, status: int = 200, **context: Any) -> Response:
    """A page for a signed-in person (or the sign-in redirect), with the year's terms."""
    who = caller(required=False)
    problem = context.pop("problem", None)
    response = make_response(render_template(
        template, who=who, role_names=ROLE_NAMES, notice=NOTICES.get(request.args.get("ok", "")),
        problem=readable(problem) if problem else None, **TERMS, **context))
    response.status_code = status
    return response


def submit(action: Callable[[], Any], done: str, again: Callable[[Problem], Response], target: str,
           anchor: str = "") -> Response:
    """Run a form's action: on success go to `target` with a notice; on a refusal show the page again."""
    check_csrf(request.form.get("csrf_token"))
    try:
        action()
    except Problem as problem:
        if problem.code not in YEAR_FORM_CODES:
            raise
        return again(problem)
    return redirect(f"{target}?ok={done}{'#' + anchor if anchor else ''}")


def codes_sheet(issue: Callable[[], list[str]], again: Callable[[Problem], Response], **sheet: Any) -> Response:
    """Issue codes and show them this once, on a sheet to print and cut: never stored, never
    redirected (a reload issues new ones, as the sheet warns)."""
    check_csrf(request.form.get("csrf_token"))
    try:
        codes = issue()
    except Problem as problem:
        if problem.code not in YEAR_FORM_CODES:
            raise
        return again(problem)
    return render("codes_sheet.html", status=201, codes=codes, **sheet)


def anonymous_page(template: str, status: int = 200, problem: Problem | None = None, **context: Any) -> Response:
    """A page of the anonymous paths (`/vote`, `/evaluate`): no caller on purpose, so a signed-in
    voter's session is not looked at, let alone linked."""
    response = make_response(render_template(template, who=None, notice=None, csrf_token="",
                                             problem=readable(problem) if problem else None, **context))
    response.status_code = status
    return response


def refusal_of(cast: Callable[[], dict]) -> Problem | None:
    """Cast a secret answer (a ballot, an evaluation): the refusal to show, or None if accepted."""
    try:
        result = cast()
    except Problem as refused:
        return refused
    return None if result["accepted"] else Problem.from_result(result)


def too_many_attempts() -> Problem:
    return Problem("rate_limited", "尝试次数过多，请一分钟后再试。", "Too many attempts; wait a minute.")


def cap_reason(cap: dict, arithmetic: dict | None = None) -> str:
    """Why a cap holds a branch down, in a sentence."""
    ceiling = CATEGORY_NAMES.get(cap.get("cap", ""), cap.get("cap", ""))
    if cap.get("rule") == "mass_satisfaction_below":
        rate = ((arithmetic or {}).get("ballots", {}).get("masses") or {}).get("satisfaction_rate")
        found = f"（本支部为 {rate:g}%）" if rate is not None else ""
        return f"群众代表满意率低于 {cap.get('value')}%{found}，最高只能评为「{ceiling}」。"
    if cap.get("rule") == "survey_problem":
        point = FIVE_POINTS.get(cap.get("point", ""), cap.get("point", ""))
        return f"调查摸底发现「{point}」存在问题，最高只能评为「{ceiling}」。"
    return f"封顶规则 {cap.get('rule')}：最高只能评为「{ceiling}」。"


def cap_rule(cap: dict) -> str:
    """A cap as the rule of the cycle states it."""
    ceiling = CATEGORY_NAMES.get(cap.get("cap", ""), cap.get("cap", ""))
    if cap.get("rule") == "mass_satisfaction_below":
        return f"群众代表满意率低于 {cap.get('value')}% 的，最高评为「{ceiling}」"
    if cap.get("rule") == "survey_problem":
        return f"调查摸底发现「{FIVE_POINTS.get(cap.get('point', ''), cap.get('point', ''))}」有问题的，最高评为「{ceiling}」"
    return f"{cap.get('rule')}：最高评为「{ceiling}」"
