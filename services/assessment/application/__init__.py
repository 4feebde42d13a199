"""The assessment service's use cases, one method per command, grouped by subject."""

from services.assessment.application.ballots import BallotCommands
from services.assessment.application.evaluations import EvaluationCommands
from services.assessment.application.grading import GradingCommands
from services.assessment.application.roster import RosterCommands, roster_problem


class AssessmentApplication(RosterCommands, EvaluationCommands, BallotCommands, GradingCommands):
    name = "assessment"


__all__ = ["AssessmentApplication", "roster_problem"]
