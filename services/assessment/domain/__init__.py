"""The assessment domain: the roster, the year's cycles, the first phase's evaluations, secret
ballots, grading and the review ledger. Imports nothing from the outside world.

Names are re-exported here: facts recorded before the domain became a package carry topics such
as `services.assessment.domain:Branch.Registered`, which must still resolve."""

from services.assessment.domain.ballots import BallotBox
from services.assessment.domain.cycle import Cycle, cycle_id
from services.assessment.domain.evaluations import SelfAssessment, SuperiorEvaluation, Survey
from services.assessment.domain.grading import Grade
from services.assessment.domain.reports import Report, ReportBox
from services.assessment.domain.roster import (
    BRANCH_ROLES,
    HOSPITAL_ROLES,
    ROLE_NAMES,
    ROLES,
    Branch,
    Person,
    branch_id,
    check_role,
    person_id,
)

__all__ = [
    "BRANCH_ROLES", "HOSPITAL_ROLES", "ROLES", "ROLE_NAMES", "BallotBox", "Branch", "Cycle", "Grade", "Person", "Report", "ReportBox",
    "SelfAssessment", "SuperiorEvaluation", "Survey", "branch_id", "check_role", "cycle_id", "person_id",
]
