"""zh-CN pages of the review ledger (三级联述联评联考): the ledger (printable), a report with its
evaluation and examination forms, submitting a report, and the evaluator's page for a one-time
code (`/evaluate`, anonymous like `/vote`)."""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from flask_limiter.errors import RateLimitExceeded

from services.assessment.domain.ballots import LEVELS as RATINGS
from services.assessment.domain.cycle import report_phase
from services.assessment.domain.reports import EVALUATORS, LEVELS, VERDICTS
from services.gateway import pages, reviews, usecases, year
from services.gateway.extensions import code_failures
from services.gateway.pages_terms import (
    NOTICES,
    anonymous_page,
    codes_sheet,
    form_number,
    readable,
    refusal_of,
    render,
    submit,
    too_many_attempts,
)
from services.gateway.web import caller, parts
from shared.errors import Problem

bp = Blueprint("reviews", __name__)
TERMS = {"ratings": {key: name for key, (name, _) in RATINGS.items()}, "evaluators": EVALUATORS,
         "report_levels": LEVELS, "verdicts": VERDICTS}
NOTICES.update({
    "report_saved": "述职报告已保存。考核之前可以修改。",
    "report_evaluated": "组织评议已提交。",
    "report_examined": "考核结果已保存。",
    "report_codes_issued": "评议码已发放。请确认已打印全部评议条。",
    "report_code_voided": "评议码已作废。",
    "report_box_closed": "评议已结束：未使用的评议码已作废，已交的评议全部计入。",
})


@bp.get("/cycles/<cycle_id>/ledger")
def ledger(cycle_id: str) -> Response:
    who = caller()
    cycle = usecases.get_cycle(parts().backend, who, cycle_id)
    due = report_phase(cycle["phases"])["due_on"] if cycle["phases"] else ""
    return render("ledger.html", cycle=cycle, ledger=reviews.ledger(parts().backend, who, cycle_id), report_due=due,
                  may_report=who.holds("party_office") or bool(_levels_of(who)), **TERMS)


def _levels_of(who: Any) -> list[int]:
    """The levels at which the caller gives a report."""
    return [level for level, role in reviews.REPORTERS.items() if who.holds(role)]


# --- submitting a report ------------------------------------------------------------------

@bp.get("/cycles/<cycle_id>/reports/new")
def report_form(cycle_id: str, problem: Problem | None = None, form: Any = None) -> Response:
    who = caller()
    backend = parts().backend
    cycle = usecases.get_cycle(backend, who, cycle_id)
    office = who.holds("party_office")
    who.require(office or bool(_levels_of(who)))
    branches = [b for b in usecases.list_branches(backend, who)
                if office or b["id"] in who.branches("branch_secretary")]
    people = usecases.list_people(backend, who) if office else []
    return render("report_form.html", status=problem.status if problem else 200, cycle=cycle, branches=branches,
                  people=people, office=office, report_choices=[1, 2] if office else _levels_of(who), form=form or {},
                  refusal=readable(problem) if problem else None, **TERMS)


@bp.post("/cycles/<cycle_id>/reports/new")
def report_submit(cycle_id: str) -> Response:
    who = caller()
    form = request.form
    payload = {"level": form_number(form.get("level", "")), "branch_id": form.get("branch_id", ""),
               "reporter_id": form.get("reporter_id", ""), "period": form.get("period", "").strip(),
               "text": form.get("text", "").strip(), "reason": form.get("reason", "").strip(),
               "attachments": [{"name": f.filename, "content_type": f.mimetype,
                                "content": base64.b64encode(f.read()).decode()}
                               for f in request.files.getlist("attachments") if f.filename]}
    target = url_for(".ledger", cycle_id=cycle_id)
    return submit(lambda: reviews.submit_report(parts().backend, who, cycle_id, payload), "report_saved",
                  lambda problem: report_form(cycle_id, problem, form), target)


# --- one report ---------------------------------------------------------------------------

@bp.get("/cycles/<cycle_id>/reports/<report_id>")
def report(cycle_id: str, report_id: str, problem: Problem | None = None, failed: str = "") -> Response:
    who = caller()
    backend = parts().backend
    cycle = usecases.get_cycle(backend, who, cycle_id)
    found = reviews.report(backend, who, cycle_id, report_id)
    office = who.holds("party_office")
    own = who.branches("branch_secretary")
    signed = {e["organisation_id"] for e in found.get("signed", [])}
    committees = [b for b in usecases.list_branches(backend, who) if (office or b["id"] in own)
                  and b["id"] not in signed and not (found["level"] == 1 and b["id"] == found["branch_id"])]
    may = {"evaluate": bool(committees), "codes": office,
           "examine": any(who.holds(role) for role in reviews.EXAMINERS[found["level"]])}
    return render("report.html", status=problem.status if problem else 200, cycle=cycle, report=found,
                  committees=committees, may=may, failed=failed, min_ballots=cycle.get("min_ballots"),
                  refusal=readable(problem) if problem else None, **TERMS)


@bp.post("/cycles/<cycle_id>/reports/<report_id>")
def report_action(cycle_id: str, report_id: str) -> Response:
    who = caller()
    backend = parts().backend
    form = request.form
    action = form.get("action", "")
    here = url_for(".report", cycle_id=cycle_id, report_id=report_id)

    def again(problem: Problem) -> Response:
        return report(cycle_id, report_id, problem, failed=action)

    if action == "evaluate":
        payload = {"organisation_id": form.get("organisation_id", ""), "rating": form.get("rating", ""),
                   "comment": form.get("comment", "").strip()}
        return submit(lambda: reviews.evaluate_report(backend, who, report_id, payload), "report_evaluated",
                      again, here, "evaluate")
    if action == "examine":
        payload = {"score": form_number(form.get("score", "")), "verdict": form.get("verdict", ""),
                   "comment": form.get("comment", "").strip()}
        return submit(lambda: reviews.examine_report(backend, who, cycle_id, report_id, payload), "report_examined",
                      again, here, "examine")
    if action == "close":
        return submit(lambda: reviews.close_report_box(backend, who, report_id, {"category": form.get("category", "")}),
                      "report_box_closed", again, here, "codes")
    if action == "void":  # codes are one table: the ballots' void serves evaluation codes too
        return submit(lambda: year.void_code(backend, who, {"code": form.get("code", "").strip()}),
                      "report_code_voided", again, here, "codes")
    if action == "issue":
        return _issue(who, cycle_id, report_id, again)
    raise Problem("bad_request", "无法识别的操作。", f"Unknown action: {action!r}")


def _issue(who: Any, cycle_id: str, report_id: str, again: Any) -> Response:
    category = request.form.get("category", "")
    group = EVALUATORS.get(category, category)
    found = reviews.report(parts().backend, who, cycle_id, report_id)
    return codes_sheet(
        lambda: reviews.issue_report_codes(parts().backend, who, report_id, {
            "category": category, "count": form_number(request.form.get("count", ""))})["codes"],
        again, subject=f"{found['branch_name']} {found['reporter_name']} 述职", heading=f"{group}评议码",
        slip_label=f"{group}评议", note="每个评议码只能使用一次；评议不记名。",
        vote_url=url_for(".evaluate", _external=True),
        back_url=url_for(".report", cycle_id=cycle_id, report_id=report_id, ok="report_codes_issued", _anchor="codes"))


# --- the evaluator's page (no account) -----------------------------------------------------

def _evaluate_page(template: str = "evaluate.html", status: int = 200, problem: Problem | None = None,
                   answers: dict | None = None) -> Response:
    return anonymous_page(template, status, problem, answers=answers or {}, **TERMS)


@bp.get("/evaluate")
def evaluate() -> Response:
    return _evaluate_page()


@bp.post("/evaluate")
@code_failures
def evaluate_submit() -> Response:
    code = request.form.get("code", "").strip()
    answers = {"rating": request.form.get("rating", ""), "comment": request.form.get("comment", "").strip()[:500]}
    if answers["rating"] not in RATINGS:
        problem = Problem("invalid_input", "请选择评议等次。", "Choose a rating.",
                          {"评议等次": {"zh": "请选择。", "en": "Choose one."}})
    elif not code:
        problem = Problem("invalid_input", "请输入评议条上的评议码。", "Enter the code from your slip.")
    else:
        problem = refusal_of(lambda: reviews.cast_evaluation(parts().backend, {"code": code, **answers}))
        if problem is None:
            return redirect(url_for(".evaluate_done"), code=303)
    return _evaluate_page(status=problem.status, problem=problem, answers=answers)


@bp.get("/evaluate/done")
def evaluate_done() -> Response:
    return _evaluate_page("evaluate_done.html")


@bp.errorhandler(RateLimitExceeded)
def too_many(_: RateLimitExceeded) -> Response:
    return _evaluate_page(status=429, problem=too_many_attempts())


pages.bp.register_blueprint(bp)
