"""Grading a branch (分类定级): the three sources combined by the cycle's weights, mapped to a
category by its thresholds, then held down by its caps. The arithmetic is returned whole so it
can be shown and recorded: anyone can redo the sums."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.assessment.domain.cycle import CATEGORIES
from services.assessment.domain.roster import derived_id
from shared.errors import Problem
from shared.facts import Fact

SOURCES = ("self_assessment", "ballots", "superior")
SOURCE_NAMES = {"self_assessment": "党组织自评", "ballots": "党员群众测评", "superior": "上级组织考评"}
RANK = {category: n for n, category in enumerate(CATEGORIES)}  # lower is better


@dataclass(frozen=True)
class BallotGroup:
    count: int
    score_sum: float
    satisfaction_rate: float


def grade(weights: dict, thresholds: dict, caps: list[dict], min_ballots: int, self_score: float | None,
          superior_score: float | None, ballots: dict[str, BallotGroup], survey_problems: set[str]) -> dict[str, Any]:
    """The grade of one branch, with every step of the arithmetic."""
    counted = {name: group for name, group in ballots.items() if group.count >= min_ballots}
    ballot_count = sum(g.count for g in counted.values())
    scores: dict[str, Fraction | None] = {
        "self_assessment": None if self_score is None else Fraction(self_score),
        "ballots": Fraction(sum(g.score_sum for g in counted.values())) / ballot_count if ballot_count else None,
        "superior": None if superior_score is None else Fraction(superior_score),
    }
    present = [s for s in SOURCES if scores[s] is not None]
    if not present:
        raise Problem("not_ready", "三项评价均未完成，无法定级。", "No source has scored this branch yet.")
    weight_present = sum(Fraction(weights[s]) for s in present)
    total = sum(Fraction(weights[s]) / weight_present * scores[s] for s in present)
    by_total = ("advanced" if total >= thresholds["advanced"] else
                "average" if total >= thresholds["average"] else "lagging")
    category, applied = by_total, []
    for cap in caps:
        if _triggered(cap, counted, survey_problems) and RANK[category] < RANK[cap["cap"]]:
            category = cap["cap"]
            applied.append(dict(cap))
    return {
        "sources": {
            s: {
                "score": None if scores[s] is None else round(float(scores[s]), 2),
                "weight": weights[s],
                "effective_weight": round(float(Fraction(weights[s]) / weight_present), 4) if s in present else 0,
                "contribution": round(float(Fraction(weights[s]) / weight_present * scores[s]), 2) if s in present else 0,
                "present": s in present,
            }
            for s in SOURCES
        },
        "ballots": {name: {"count": g.count, "counted": name in counted,
                           "satisfaction_rate": round(g.satisfaction_rate, 2) if name in counted else None}
                    for name, g in sorted(ballots.items())},
        "renormalised": len(present) < len(SOURCES),
        "total": round(float(total), 2),
        "category_by_total": by_total,
        "caps_applied": applied,
        "category": category,
    }


def _triggered(cap: dict, counted: dict[str, BallotGroup], survey_problems: set[str]) -> bool:
    if cap["rule"] == "mass_satisfaction_below":
        # Judged only on a counted group: fewer than k ballots say nothing that may be shown.
        masses = counted.get("masses")
        return masses is not None and masses.satisfaction_rate < cap["value"]
    return cap["point"] in survey_problems


class Grade(Aggregate):
    """A branch's confirmed grade in a cycle, and every re-grade after it."""

    class Confirmed(Fact, Aggregate.Created):
        published_as = "BranchGraded"
        cycle_id: str
        branch_id: str
        arithmetic: dict
        category: str

    class Revised(Fact):
        published_as = "BranchRegraded"
        cycle_id: str
        branch_id: str
        arithmetic: dict
        category: str
        previous_category: str
        moved_up: bool

    @staticmethod
    def create_id(cycle_id: str, branch_id: str, **_: object) -> UUID:
        return derived_id("grade", cycle_id, branch_id)

    @event(Confirmed)
    def __init__(self, cycle_id: str, branch_id: str, arithmetic: dict, category: str, actor: str, reason: str,
                 correlation_id: str):
        self.cycle_id = cycle_id
        self.branch_id = branch_id
        self.arithmetic = arithmetic
        self.category = category

    def regrade(self, arithmetic: dict, **by: str) -> None:
        category = arithmetic["category"]
        self._revised(cycle_id=self.cycle_id, branch_id=self.branch_id, arithmetic=arithmetic, category=category,
                      previous_category=self.category, moved_up=RANK[category] < RANK[self.category], **by)

    @event(Revised)
    def _revised(self, cycle_id: str, branch_id: str, arithmetic: dict, category: str, previous_category: str,
                 moved_up: bool, actor: str, reason: str, correlation_id: str) -> None:
        self.arithmetic = arithmetic
        self.category = category
