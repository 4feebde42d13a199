"""zh-CN pages of the year's first phase: the cycle's hub, and one branch's page with the survey,
the self-assessment, the superior evaluation and (for the Party office) the ballot boxes.

The routes hang on a blueprint nested in `pages.bp`, so importing this module (as app.py does)
registers them, together with the voter's page (`pages_vote`) and the grading review and
standings (`pages_review`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from services.assessment.domain.ballots import box_id
from services.assessment.domain.evaluations import FIVE_GOODS
from services.gateway import pages, pages_review, pages_vote, reviews, usecases, year
from services.gateway.pages_terms import (
    VOTER_GROUPS,
    codes_sheet,
    form_number,
    readable,
    render,
    submit,
    today,
)
from services.gateway.web import caller, parts
from shared.errors import Problem, not_found

bp = Blueprint("year", __name__)

# The branch page's section of each form's action.
SECTIONS = {"survey": "survey", "self_assessment": "self_assessment", "superior": "superior",
            "issue": "ballots", "void": "ballots", "close": "ballots"}


# --- the year's hub -----------------------------------------------------------------------

@bp.get("/year")
def current() -> Response:
    """The nav's 本年度工作: this year's cycle, else the latest one, else the calendar."""
    found = usecases.list_cycles(parts().backend, caller())
    if not found:
        return redirect(url_for("pages.cycles"))
    chosen = next((c for c in found if c["year"] == today().year), found[0])
    return redirect(url_for(".hub", cycle_id=chosen["id"]))


@bp.get("/cycles/<cycle_id>/year")
def hub(cycle_id: str) -> Response:
    who = caller()
    backend = parts().backend
    cycle = usecases.get_cycle(backend, who, cycle_id)
    standings = year.standings(backend, who, cycle_id)
    reports = {r["branch_id"]: r for level in reviews.ledger(backend, who, cycle_id)["levels"] for r in level["reports"]}
    return render("year_hub.html", cycle=cycle, standings=standings, due=_due(cycle), reports=reports,
                  may_grade=any(who.holds(r) for r in year.EVALUATORS))


# --- one branch ---------------------------------------------------------------------------

@bp.get("/cycles/<cycle_id>/branches/<branch_id>")
def branch(cycle_id: str, branch_id: str, problem: Problem | None = None, form: Any = None,
           failed: str = "") -> Response:
    who = caller()
    backend = parts().backend
    visible = who.visible_branches()
    who.require(visible is None or branch_id in visible)
    cycle = usecases.get_cycle(backend, who, cycle_id)
    row = next((r for r in year.standings(backend, who, cycle_id)["branches"] if r["branch_id"] == branch_id), None)
    if row is None:
        raise not_found("支部", "branch", branch_id)
    due = _due(cycle)
    may = _may(who, branch_id)
    # A refusal is shown by the form that was refused (and pointed to from the top of the page).
    return render("year_branch.html", status=problem.status if problem else 200, cycle=cycle, row=row, due=due,
                  closed=due is not None and today() > due, may=may, refusal=readable(problem) if problem else None,
                  failed=SECTIONS.get(failed, ""), form=form or {},
                  used=_used(cycle_id, branch_id) if may["ballots"] else {})


@bp.post("/cycles/<cycle_id>/branches/<branch_id>")
def branch_submit(cycle_id: str, branch_id: str) -> Response:
    who = caller()
    backend = parts().backend
    form = request.form
    action = form.get("action", "")
    here = url_for(".branch", cycle_id=cycle_id, branch_id=branch_id)

    def again(problem: Problem) -> Response:
        return branch(cycle_id, branch_id, problem, form, failed=action)

    if action == "survey":
        point = form.get("point", "")
        payload = {"point": point, "finding": form.get(f"finding_{point}", ""),
                   "text": form.get(f"text_{point}", "").strip()}
        return submit(lambda: year.record_survey_point(backend, who, cycle_id, branch_id, payload),
                      "survey_recorded", again, here, "survey")
    if action in ("self_assessment", "superior"):
        payload = {"scores": {good: form_number(form.get(f"{action}_{good}", "")) for good in FIVE_GOODS},
                   "comments": form.get(f"{action}_comments", "").strip()}
        use = year.submit_self_assessment if action == "self_assessment" else year.submit_superior_evaluation
        done = "self_assessment_saved" if action == "self_assessment" else "superior_saved"
        return submit(lambda: use(backend, who, cycle_id, branch_id, payload), done, again, here, action)
    if action == "void":
        return submit(lambda: year.void_code(backend, who, {"code": form.get("code", "").strip()}),
                      "code_voided", again, here, "ballots")
    if action == "close":
        return submit(lambda: year.close_box(backend, who, cycle_id, branch_id, {"category": form.get("category", "")}),
                      "box_closed", again, here, "ballots")
    if action == "issue":
        return _issue(who, cycle_id, branch_id, again)
    raise Problem("bad_request", "无法识别的操作。", f"Unknown action: {action!r}")


def _issue(who: Any, cycle_id: str, branch_id: str, again: Any) -> Response:
    category = request.form.get("category", "")
    group = VOTER_GROUPS.get(category, category)
    name = next((b["name"] for b in usecases.list_branches(parts().backend, who) if b["id"] == branch_id), "")
    return codes_sheet(
        lambda: year.issue_codes(parts().backend, who, cycle_id, branch_id,
                                 {"category": category, "count": form_number(request.form.get("count", ""))})["codes"],
        again, subject=name, heading=f"{group}测评投票码", slip_label=f"{group}测评",
        note="每个投票码只能使用一次；投票不记名。", vote_url=url_for("pages.vote.vote", _external=True),
        back_url=url_for(".branch", cycle_id=cycle_id, branch_id=branch_id, ok="codes_issued", _anchor="ballots"))


def _may(who: Any, branch_id: str) -> dict[str, bool]:
    """The forms this caller may use on the branch's page (the same checks as `year`)."""
    office = who.holds("party_office")
    secretary = office or branch_id in who.branches("branch_secretary")
    return {"survey": secretary, "self_assessment": secretary, "ballots": office,
            "superior": any(who.holds(role) for role in year.EVALUATORS)}


def _used(cycle_id: str, branch_id: str) -> dict[str, int | None]:
    """Used codes per voter group (the standings count only ballots already recorded)."""
    used: dict[str, int | None] = {}
    for group in VOTER_GROUPS:
        try:
            used[group] = parts().backend.call("assessment", "box_codes", str(box_id(cycle_id, branch_id, group)))["used"]
        except Problem:
            used[group] = None
    return used


def _due(cycle: dict) -> date | None:
    """Self-assessments and ballots are due with the first phase."""
    return date.fromisoformat(cycle["phases"][0]["due_on"]) if cycle.get("phases") else None


pages.bp.register_blueprint(bp)
pages.bp.register_blueprint(pages_vote.bp)
pages.bp.register_blueprint(pages_review.bp)
