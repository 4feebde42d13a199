"""The assessment service's use cases, one method per command, grouped by subject."""

from services.assessment.application.evaluations import EvaluationCommands
from services.assessment.application.grading import GradingCommands
from services.assessment.application.reports import ReportCommands
from services.assessment.application.roster import RosterCommands, roster_problem
from services.assessment.domain import BallotBox, ReportBox


class AssessmentApplication(RosterCommands, EvaluationCommands, ReportCommands, GradingCommands):
    name = "assessment"
    # A ballot box gains a fact per batch of ballots all through the first phase: without
    # snapshots, every batch would replay all the box's earlier ones.
    snapshotting_intervals = {BallotBox: 10, ReportBox: 10}


__all__ = ["AssessmentApplication", "roster_problem"]
