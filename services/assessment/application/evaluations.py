"""Use cases of the first phase's findings: the survey, self-assessments, superior evaluations."""

from __future__ import annotations

from typing import Any

from services.assessment.application.common import UseCases, receipt
from services.assessment.domain import Branch, Cycle, SelfAssessment, SuperiorEvaluation, Survey
from services.assessment.domain.evaluations import _Scored
from shared.facts import By


class EvaluationCommands(UseCases):
    def record_survey_point(self, by: By, cycle: str, branch: str, point: str, finding: str, text: str) -> dict[str, Any]:
        self._get(Cycle, cycle)
        self._get(Branch, branch)
        survey = self._find(Survey, Survey.create_id(cycle, branch))
        if survey is None:
            survey = Survey(cycle_id=cycle, branch_id=branch, **by.fields())
        survey.record(point, finding, text, **by.fields())
        return receipt(survey, self.save(survey))

    def submit_self_assessment(self, by: By, cycle: str, branch: str, scores: dict, comments: str) -> dict[str, Any]:
        """Revisable until the first phase's deadline; after it, refused as closed."""
        self._get(Cycle, cycle).check_open(self.today(), "自评", "Self-assessment")
        return self._score(SelfAssessment, by, cycle, branch, scores, comments)

    def submit_superior_evaluation(self, by: By, cycle: str, branch: str, scores: dict, comments: str) -> dict[str, Any]:
        self._get(Cycle, cycle)
        return self._score(SuperiorEvaluation, by, cycle, branch, scores, comments)

    def _score(self, kind: type[_Scored], by: By, cycle: str, branch: str, scores: dict, comments: str) -> dict[str, Any]:
        self._get(Branch, branch)
        found = self._find(kind, kind.create_id(cycle, branch))
        if found is None:
            found = kind.submit(cycle, branch, scores, comments, **by.fields())
        else:
            found.revise(scores, comments, **by.fields())
        return receipt(found, self.save(found))
