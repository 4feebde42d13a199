"""Use cases of grading: the proposal (with its arithmetic) and the Party office's confirmation."""

from __future__ import annotations

from typing import Any

from services.assessment.application.common import UseCases, receipt
from services.assessment.domain import (
    BallotBox,
    Branch,
    Cycle,
    Grade,
    SelfAssessment,
    SuperiorEvaluation,
    Survey,
)
from services.assessment.domain.ballots import CATEGORIES
from services.assessment.domain.grading import BallotGroup, grade
from shared.errors import Problem
from shared.facts import By


class GradingCommands(UseCases):
    def propose_grade(self, cycle: str, branch: str) -> dict[str, Any]:
        """What the branch's grade would be now, with the arithmetic (records nothing)."""
        rules = self._get(Cycle, cycle)
        self._get(Branch, branch)
        assessed = self._find(SelfAssessment, SelfAssessment.create_id(cycle, branch))
        evaluated = self._find(SuperiorEvaluation, SuperiorEvaluation.create_id(cycle, branch))
        survey = self._find(Survey, Survey.create_id(cycle, branch))
        groups = {}
        for category in CATEGORIES:
            box = self._find(BallotBox, BallotBox.create_id(cycle, branch, category))
            if box is not None:
                groups[category] = BallotGroup(box.cast, box.score_sum, box.satisfaction_rate())
        return grade(rules.weights, rules.thresholds, rules.caps, rules.min_ballots,
                     assessed.score() if assessed else None, evaluated.score() if evaluated else None,
                     groups, survey.problems() if survey else set())

    def confirm_grade(self, by: By, cycle: str, branch: str, expected_total: float | None) -> dict[str, Any]:
        arithmetic = self.propose_grade(cycle, branch)
        if expected_total is not None and abs(arithmetic["total"] - expected_total) > 0.005:
            raise Problem("conflict", f"评分已变化（现为 {arithmetic['total']:.2f}），请重新核对后确认。",
                          f"The scores changed (the total is now {arithmetic['total']:.2f}); review again.")
        graded = self._find(Grade, Grade.create_id(cycle, branch))
        if graded is None:
            graded = Grade(cycle_id=cycle, branch_id=branch, arithmetic=arithmetic, category=arithmetic["category"],
                           **by.fields())
        elif graded.arithmetic != arithmetic:
            graded.regrade(arithmetic, **by.fields())
        return {**receipt(graded, self.save(graded)), "arithmetic": arithmetic}
