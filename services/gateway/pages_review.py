"""zh-CN pages of the year's results: the grading review (each branch's arithmetic, confirmed by
the Party office) and the standings dashboard with its SVG charts and XLSX export."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, request, url_for

from services.assessment.domain.cycle import CATEGORIES
from services.gateway import usecases, year
from services.gateway.pages_terms import (
    TERMS,
    cap_reason,
    cap_rule,
    readable,
    render,
    submit,
    today,
)
from services.gateway.web import caller, parts
from shared.errors import Problem

bp = Blueprint("review", __name__)

BAR_ROW = 30  # SVG units per bar


# --- grading review -----------------------------------------------------------------------

@bp.get("/cycles/<cycle_id>/grading")
def grading(cycle_id: str, problem: Problem | None = None, failed: str = "") -> Response:
    who = caller()
    backend = parts().backend
    proposals = year.propose_grades(backend, who, cycle_id)
    cycle = usecases.get_cycle(backend, who, cycle_id)
    confirmed = {r["branch_id"]: r for r in year.standings(backend, who, cycle_id)["branches"]}
    reviews = [_review(p, cycle, confirmed.get(p["branch_id"])) for p in proposals["branches"]]
    return render("year_grading.html", status=problem.status if problem else 200, cycle=cycle, reviews=reviews,
                  may_confirm=who.holds("party_office"), refusal=readable(problem) if problem else None,
                  failed=failed, cap_rule=cap_rule)


@bp.post("/cycles/<cycle_id>/grading")
def grading_submit(cycle_id: str) -> Response:
    who = caller()
    branch_id = request.form.get("branch_id", "")
    try:
        expected: float | None = float(request.form.get("expected_total", ""))
    except ValueError:
        expected = None  # the service then checks nothing; the form always carries the total shown

    def confirm() -> None:
        year.confirm_grade(parts().backend, who, cycle_id, branch_id, {"expected_total": expected})

    return submit(confirm, "grade_confirmed", lambda p: grading(cycle_id, p, branch_id),
                  url_for(".grading", cycle_id=cycle_id), f"b-{branch_id}")


def _review(proposal: dict[str, Any], cycle: dict[str, Any], standing: dict[str, Any] | None) -> dict[str, Any]:
    """A proposal with the sentences that explain it, and what was confirmed before."""
    review = {**proposal, "confirmed": standing["category"] if standing else None,
              "confirmed_total": standing["total"] if standing else None}
    if "problem" in proposal:
        return review
    sources = proposal["sources"]
    present = [s for s, v in sources.items() if v["present"]]
    weight_present = sum(sources[s]["weight"] for s in present)
    review["absent"] = [s for s, v in sources.items() if not v["present"]]
    review["weight_present"] = weight_present
    review["sum_text"] = " + ".join(f"{sources[s]['contribution']:.2f}" for s in present)
    thresholds = cycle["thresholds"]
    review["threshold_text"] = (f"先进线 {thresholds['advanced']}，一般线 {thresholds['average']}："
                                f"总分 {proposal['total']:.2f} "
                                + ("≥ 先进线" if proposal["category_by_total"] == "advanced" else
                                   "≥ 一般线且 < 先进线" if proposal["category_by_total"] == "average" else "< 一般线"))
    review["cap_texts"] = [cap_reason(cap, proposal) for cap in proposal["caps_applied"]]
    review["unchanged"] = (standing is not None and standing["category"] == proposal["category"]
                           and standing["total"] is not None and abs(standing["total"] - proposal["total"]) < 0.005)
    return review


# --- standings ----------------------------------------------------------------------------

@bp.get("/cycles/<cycle_id>/standings")
def standings(cycle_id: str) -> Response:
    who = caller()
    backend = parts().backend
    found = year.standings(backend, who, cycle_id)
    cycle = usecases.get_cycle(backend, who, cycle_id)
    rows = sorted(found["branches"], key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    days_left = (date.fromisoformat(found["due_on"]) - today()).days if found["due_on"] else None
    return render("year_standings.html", cycle=cycle, standings=found, rows=rows, days_left=days_left,
                  category_chart=category_chart(found["summary"]), totals_chart=totals_chart(rows, cycle["thresholds"]),
                  may_grade=any(who.holds(r) for r in year.EVALUATORS), cap_rule=cap_rule)


def category_chart(summary: dict[str, Any]) -> dict[str, Any]:
    """Horizontal bars: how many branches in each category, and how many are not graded yet."""
    width, x0 = 420, 64
    counts = [(c, TERMS["category_names"][c], summary["per_category"][c]) for c in CATEGORIES]
    counts.append(("ungraded", "未定级", summary["branches"] - summary["graded"]))
    most = max([n for _, _, n in counts] + [1])
    bars = [{"key": key, "label": label, "count": n, "y": i * BAR_ROW + 6,
             "width": round((width - x0 - 50) * n / most, 1) if n else 0}
            for i, (key, label, n) in enumerate(counts)]
    return {"bars": bars, "width": width, "height": len(bars) * BAR_ROW + 8, "x0": x0}


def totals_chart(rows: list[dict[str, Any]], thresholds: dict[str, int]) -> dict[str, Any]:
    """Each graded branch's total on a 0-100 scale, coloured by its category, with the thresholds."""
    width, x0 = 1000, 170
    span = width - x0 - 110
    graded = [r for r in rows if r["total"] is not None]

    def x(value: float) -> float:
        return round(x0 + span * value / 100, 1)

    bars = [{"label": r["name"], "total": r["total"], "category": r["category"] or "ungraded",
             "category_name": TERMS["category_names"].get(r["category"], "未定级"),
             "y": 28 + i * BAR_ROW, "width": round(x(r["total"]) - x0, 1)}
            for i, r in enumerate(graded)]
    lines = [{"x": x(thresholds[key]), "label": f"{TERMS['category_names'][key]} {thresholds[key]}"}
             for key in ("advanced", "average")]
    return {"bars": bars, "lines": lines, "x0": x0, "width": width, "height": 34 + len(bars) * BAR_ROW,
            "ticks": [{"x": x(v), "label": v} for v in (0, 100)]}
