"""The review ledger (台账): per cycle and level, who reported to whom and when, the ratings
per category of evaluator, the good-rate, the examination; and a hospital summary.

Secret evaluations are shown (distribution, good-rate, comments) only once a box holds the
cycle's k of them. `access` decides what a caller receives: which reports (`read`), the
evaluations and examination of which (`aggregate`), the signed evaluations of which committees
(`signed_by`), and whether every signed evaluation, the secret comments and the examiner's
comment are included (`details`); None in a list means all."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.assessment.domain.ballots import LEVELS as RATINGS
from services.assessment.domain.cycle import HOSPITAL_TIME
from services.assessment.domain.reports import (
    EVALUATORS,
    GOOD_RATINGS,
    LEVELS,
    SECRET_EVALUATORS,
    VERDICTS,
)
from services.projections.tables import ReadModel, branches, cycles, people, report_boxes, reports

GENERAL_BRANCH = "党总支"
FULL = {"read": None, "aggregate": None, "signed_by": None, "details": True}


def good_rate(ratings: dict[str, int]) -> float | None:
    count = sum(ratings.values())
    return round(100 * sum(ratings[r] for r in GOOD_RATINGS) / count, 2) if count else None


def _group(ratings: dict[str, int], count: int, k: int | None, box: dict | None = None) -> dict[str, Any]:
    """One category's evaluations; below k (secret categories) only the count is shown."""
    shown = k is None or count >= k
    return {"count": count, "shown": shown, "issued": box["issued"] if box else None,
            "voided": box["voided"] if box else None,
            "ratings": dict(ratings) if shown else None, "good_rate": good_rate(ratings) if shown else None}


def _day(instant: str) -> str:
    """The hospital's calendar day of a recorded instant (deadlines are such days)."""
    return datetime.fromisoformat(instant).astimezone(HOSPITAL_TIME).date().isoformat()


def _in(value: str, allowed: list[str] | None) -> bool:
    return allowed is None or value in allowed


def ledger_of(model: ReadModel, cycle_id: str, access: dict[str, Any] = FULL) -> dict[str, Any] | None:
    with model.transaction() as session:
        cycle = session.execute(select(cycles).where(cycles.c.id == cycle_id)).first()
        if cycle is None:
            return None
        names = {b.id: (b.code, b.name) for b in session.execute(select(branches.c.id, branches.c.code, branches.c.name))}
        found = [dict(r._mapping) for r in session.execute(select(reports).where(reports.c.cycle_id == cycle_id))]
        who = dict(session.execute(select(people.c.id, people.c.name)
                                   .where(people.c.id.in_({r["reporter_id"] for r in found}))).all())
        boxes = {(b.report_id, b.category): dict(b._mapping)
                 for b in session.execute(select(report_boxes).where(report_boxes.c.cycle_id == cycle_id))}
    rows = [_row(r, names, who, boxes, cycle.min_ballots, access) for r in found if _in(r["branch_id"], access["read"])]
    rows.sort(key=lambda r: (r["level"], r["branch_code"]))
    levels = []
    for level, (name, to) in LEVELS.items():
        listed = [r for r in rows if r["level"] == level]
        reported = {r["branch_id"] for r in listed}
        if access["read"] is not None:
            missing = []
        elif level == 1:
            missing = sorted((code, bname) for bid, (code, bname) in names.items() if bid not in reported)
        else:
            missing = [] if listed else [("", GENERAL_BRANCH)]
        levels.append({"level": level, "name": name, "to": to, "reports": listed,
                       "not_reported": [{"code": code, "name": bname} for code, bname in missing]})
    return {"cycle_id": cycle_id, "year": cycle.year, "title": cycle.title, "min_ballots": cycle.min_ballots,
            "levels": levels, "summary": _summary(levels) if access["details"] else None}


def _row(report: dict, names: dict, who: dict, boxes: dict, k: int, access: dict) -> dict[str, Any]:
    code, name = names.get(report["branch_id"], ("", GENERAL_BRANCH))
    row = {
        "report_id": report["id"], "level": report["level"], "branch_id": report["branch_id"], "branch_code": code,
        "branch_name": name, "reporter_id": report["reporter_id"], "reporter_name": who.get(report["reporter_id"], ""),
        "to": LEVELS[report["level"]][1], "period": report["period"], "text": report["text"],
        "attachments": report["attachments"], "submitted_on": _day(report["submitted_at"]), "due_on": report["due_on"],
        "late": report["late"], "revised_on": _day(report["revised_at"]) if report["revised_at"] else None,
        "evaluations": None, "good_rate": None, "score": None, "verdict": None, "outcome": None,
    }
    if access["details"] or access.get("signed_by"):
        row["signed"] = [{"organisation_id": org, "organisation": names.get(org, ("", org))[1], **e}
                         for org, e in sorted(report["organisations"].items(), key=lambda i: names.get(i[0], ("", ""))[0])
                         if access["details"] or org in access["signed_by"]]
    if not _in(report["branch_id"], access["aggregate"]):
        return row
    signed = Counter(e["rating"] for e in report["organisations"].values())
    groups = {"organisations": _group({r: signed.get(r, 0) for r in RATINGS}, sum(signed.values()), None)}
    for category in SECRET_EVALUATORS:
        box = boxes.get((report["id"], category))
        groups[category] = _group(box["ratings"] if box else dict.fromkeys(RATINGS, 0), box["cast"] if box else 0, k, box)
    together = Counter()
    for group in groups.values():
        if group["shown"]:
            together.update(group["ratings"])
    row.update(evaluations=groups, good_rate=good_rate({r: together.get(r, 0) for r in RATINGS}),
               score=report["score"], verdict=report["verdict"],
               outcome=VERDICTS.get(report["verdict"]) if report["verdict"] else None)
    if access["details"]:
        row["comments"] = {c: (boxes[(report["id"], c)]["comments"] if groups[c]["shown"] and (report["id"], c) in boxes
                               else []) for c in SECRET_EVALUATORS}
        row["exam_comment"] = report["exam_comment"]
    return row


def _summary(levels: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [r for level in levels for r in level["reports"]]
    scores = [r["score"] for r in rows if r["score"] is not None]
    per_category = {}
    for category in EVALUATORS:
        total = Counter()
        for r in rows:
            if r["evaluations"] and r["evaluations"][category]["shown"]:
                total.update(r["evaluations"][category]["ratings"])
        per_category[category] = good_rate({k: total.get(k, 0) for k in RATINGS})
    return {
        "reports": len(rows), "late": sum(1 for r in rows if r["late"]),
        "examined": len(scores), "average_score": round(sum(scores) / len(scores), 2) if scores else None,
        "verdicts": {v: sum(1 for r in rows if r["verdict"] == v) for v in VERDICTS},
        "good_rate": per_category,
        "not_reported": sum(len(level["not_reported"]) for level in levels),
    }
