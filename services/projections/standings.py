"""The standings the Party office looks at every day: per branch, and for the hospital.

A ballot group's results (average score, satisfaction) are shown only once it holds at least the
cycle's k ballots; below that only the count is shown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from services.assessment.domain.ballots import CATEGORIES as BALLOT_CATEGORIES
from services.assessment.domain.cycle import CATEGORIES
from services.assessment.domain.evaluations import FIVE_POINTS
from services.projections.tables import ReadModel, ballot_boxes, branches, cycles, phases, standings


def _mean(scores: dict | None) -> float | None:
    return round(sum(scores.values()) / len(scores), 2) if scores else None


def _ballots(box: dict | None, k: int) -> dict[str, Any]:
    if box is None:
        return {"issued": 0, "voided": 0, "count": 0, "shown": False, "score": None, "satisfaction_rate": None}
    shown = box["cast"] >= k
    happy = box["satisfaction"]["satisfied"] + box["satisfaction"]["basically_satisfied"]
    return {
        "issued": box["issued"], "voided": box["voided"], "count": box["cast"], "shown": shown,
        "score": round(box["score_sum"] / box["cast"], 2) if shown else None,
        "satisfaction_rate": round(100 * happy / box["cast"], 2) if shown else None,
    }


def standings_of(model: ReadModel, cycle_id: str, visible: Iterable[str] | None = None) -> dict[str, Any] | None:
    with model.transaction() as session:
        cycle = session.execute(select(cycles).where(cycles.c.id == cycle_id)).first()
        if cycle is None:
            return None
        query = select(branches.c.id, branches.c.code, branches.c.name).order_by(branches.c.code)
        if visible is not None:
            query = query.where(branches.c.id.in_(list(visible)))
        listed = session.execute(query).all()
        found = {r.branch_id: dict(r._mapping) for r in session.execute(select(standings).where(standings.c.cycle_id == cycle_id))}
        boxes = {(b.branch_id, b.category): dict(b._mapping)
                 for b in session.execute(select(ballot_boxes).where(ballot_boxes.c.cycle_id == cycle_id))}
        due = session.execute(select(phases.c.due_on).where(phases.c.cycle_id == cycle_id)
                              .order_by(phases.c.ordinal).limit(1)).scalar()
    rows = []
    for branch in listed:
        standing = found.get(branch.id) or {"survey": {}, "self_scores": None, "superior_scores": None,
                                            "category": None, "total": None, "arithmetic": None, "moved_up": False}
        arithmetic = standing["arithmetic"] or {}
        rows.append({
            "branch_id": branch.id, "code": branch.code, "name": branch.name,
            "survey": {point: standing["survey"].get(point) for point in FIVE_POINTS},
            "survey_problems": sorted(p for p, f in standing["survey"].items() if f == "problem"),
            "self_score": _mean(standing["self_scores"]),
            "superior_score": _mean(standing["superior_scores"]),
            "ballots": {c: _ballots(boxes.get((branch.id, c)), cycle.min_ballots) for c in BALLOT_CATEGORIES},
            "category": standing["category"], "total": standing["total"],
            "shares": {s: v["contribution"] for s, v in arithmetic.get("sources", {}).items()},
            "renormalised": arithmetic.get("renormalised", False),
            "caps_applied": arithmetic.get("caps_applied", []),
            "moved_up": standing["moved_up"],
        })
    ranked = sorted((r["total"] for r in rows if r["total"] is not None), reverse=True)
    for row in rows:
        row["rank"] = None if row["total"] is None else ranked.index(row["total"]) + 1
        row["missing"] = _missing(row)
    return {"cycle_id": cycle_id, "year": cycle.year, "title": cycle.title, "min_ballots": cycle.min_ballots,
            "due_on": due, "branches": rows, "summary": _summary(rows)}


def _missing(row: dict[str, Any]) -> list[str]:
    """What the branch has not yet submitted (keys; the pages name them in Chinese)."""
    missing = []
    if any(finding is None for finding in row["survey"].values()):
        missing.append("survey")
    if row["self_score"] is None:
        missing.append("self_assessment")
    for category, ballots in row["ballots"].items():
        if not ballots["shown"]:
            missing.append(f"ballots_{category}")
    if row["superior_score"] is None:
        missing.append("superior")
    if row["category"] is None:
        missing.append("grade")
    return missing


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    per_category = Counter(r["category"] for r in rows if r["category"])
    return {
        "branches": len(rows),
        "graded": sum(per_category.values()),
        "per_category": {c: per_category.get(c, 0) for c in CATEGORIES},
        "moved_up": sum(1 for r in rows if r["moved_up"]),
        "outstanding": {item: [r["name"] for r in rows if item in r["missing"]]
                        for item in ("survey", "self_assessment", "ballots_members", "ballots_masses", "superior", "grade")},
    }
