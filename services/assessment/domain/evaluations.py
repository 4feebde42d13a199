"""The first phase's findings about a branch: the five-point survey (调查摸底), the branch's
self-assessment against the five goods (自评) and the superior's evaluation (上级考评)."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.assessment.domain.roster import derived_id, refused
from shared.facts import Fact

FIVE_POINTS = {
    "organisation": "组织设置是否合理",
    "leadership": "领导班子是否健全",
    "rules": "组织制度是否完善",
    "funding": "经费场所保障是否落实",
    "role": "作用发挥是否充分",
}
FIVE_GOODS = {
    "leadership_team": "领导班子好",
    "member_body": "党员队伍好",
    "mechanism": "工作机制好",
    "results": "工作业绩好",
    "mass_response": "群众反映好",
}


def check_scores(scores: dict) -> None:
    if set(scores) != set(FIVE_GOODS) or not all(0 <= v <= 100 for v in scores.values()):
        raise refused("scores", "五好每项须打 0 到 100 分。", "Score each of the five goods from 0 to 100.")


class Survey(Aggregate):
    """What the survey found on each of the five points, for one branch in one cycle."""

    class Opened(Fact, Aggregate.Created):
        cycle_id: str
        branch_id: str

    class PointFoundSound(Fact):
        cycle_id: str
        branch_id: str
        point: str
        text: str

    class ProblemFound(Fact):
        cycle_id: str
        branch_id: str
        point: str
        text: str

    @staticmethod
    def create_id(cycle_id: str, branch_id: str, **_: object) -> UUID:
        return derived_id("survey", cycle_id, branch_id)

    @event(Opened)
    def __init__(self, cycle_id: str, branch_id: str, actor: str, reason: str, correlation_id: str):
        self.cycle_id = cycle_id
        self.branch_id = branch_id
        self.findings: dict[str, tuple[str, str]] = {}

    def record(self, point: str, finding: str, text: str, **by: str) -> None:
        """Record a point's finding; the same finding with the same text records nothing."""
        if point not in FIVE_POINTS:
            raise refused("point", f"未知调查项：{point}", f"Unknown survey point: {point}")
        if finding == "problem" and not text.strip():
            raise refused("text", "发现问题时须写明问题。", "Describe the problem found.")
        if self.findings.get(point) == (finding, text):
            return
        recorder = self._problem_found if finding == "problem" else self._found_sound
        recorder(cycle_id=self.cycle_id, branch_id=self.branch_id, point=point, text=text, **by)

    @event(PointFoundSound)
    def _found_sound(self, cycle_id: str, branch_id: str, point: str, text: str, actor: str, reason: str,
                     correlation_id: str) -> None:
        self.findings[point] = ("ok", text)

    @event(ProblemFound)
    def _problem_found(self, cycle_id: str, branch_id: str, point: str, text: str, actor: str, reason: str,
                       correlation_id: str) -> None:
        self.findings[point] = ("problem", text)

    def problems(self) -> set[str]:
        return {point for point, (finding, _) in self.findings.items() if finding == "problem"}


class _Scored(Aggregate):
    """Five scores (one per good) and comments, submitted once and revisable."""

    class Submitted(Fact, Aggregate.Created):
        cycle_id: str
        branch_id: str
        scores: dict
        comments: str

    class Revised(Fact):
        cycle_id: str
        branch_id: str
        scores: dict
        comments: str

        def apply(self, aggregate: _Scored) -> None:
            aggregate.scores = dict(self.scores)
            aggregate.comments = self.comments

    @event(Submitted)
    def __init__(self, cycle_id: str, branch_id: str, scores: dict, comments: str, actor: str, reason: str,
                 correlation_id: str):
        self.cycle_id = cycle_id
        self.branch_id = branch_id
        self.scores = dict(scores)
        self.comments = comments

    @classmethod
    def submit(cls, cycle_id: str, branch_id: str, scores: dict, comments: str, **by: str) -> _Scored:
        check_scores(scores)
        return cls(cycle_id=cycle_id, branch_id=branch_id, scores=scores, comments=comments, **by)

    def revise(self, scores: dict, comments: str, **by: str) -> None:
        check_scores(scores)
        if (scores, comments) != (self.scores, self.comments):
            # type(self): each kind of evaluation records its own Revised fact.
            self.trigger_event(type(self).Revised, cycle_id=self.cycle_id, branch_id=self.branch_id,
                               scores=scores, comments=comments, **by)

    def score(self) -> float:
        return sum(self.scores.values()) / len(self.scores)


class SelfAssessment(_Scored):
    """The branch's self-assessment (党组织自评), by its secretary."""

    class Submitted(_Scored.Submitted):
        pass

    class Revised(_Scored.Revised):
        pass

    @staticmethod
    def create_id(cycle_id: str, branch_id: str, **_: object) -> UUID:
        return derived_id("self-assessment", cycle_id, branch_id)


class SuperiorEvaluation(_Scored):
    """The superior organisation's evaluation (上级组织考评), by the general branch or Party office."""

    class Submitted(_Scored.Submitted):
        pass

    class Revised(_Scored.Revised):
        pass

    @staticmethod
    def create_id(cycle_id: str, branch_id: str, **_: object) -> UUID:
        return derived_id("superior-evaluation", cycle_id, branch_id)
