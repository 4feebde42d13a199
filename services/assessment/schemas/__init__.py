"""The assessment service's edge: command payloads it accepts and the events it publishes.

The event schemas are the published contract (`docs/events.md` is generated from them)."""

from services.assessment.schemas import reports, roster, year
from services.assessment.schemas.reports import *  # noqa: F403 - the edge's schemas, in one namespace
from services.assessment.schemas.roster import *  # noqa: F403
from services.assessment.schemas.year import *  # noqa: F403
from shared.envelope import Contract

_EVENTS = (
    roster.BranchRegistered, roster.BranchRenamed, roster.BranchDepartmentAdded, roster.BranchDepartmentRemoved,
    roster.PersonRegistered, roster.PersonEmailChanged, roster.PersonRoleGranted, roster.PersonRoleRevoked,
    roster.CycleOpened, roster.CyclePhaseRescheduled,
    year.SurveyOpened, year.SurveyPointFoundSound, year.SurveyProblemFound,
    year.SelfAssessmentSubmitted, year.SelfAssessmentRevised,
    year.SuperiorEvaluationSubmitted, year.SuperiorEvaluationRevised,
    year.BallotBoxOpened, year.BallotCodesIssued, year.BallotCodesVoided, year.BallotsCast,
    year.BranchGraded, year.BranchRegraded,
    reports.ReportSubmitted, reports.ReportRevised, reports.ReportEvaluated, reports.ReportExamined,
    reports.ReportBoxOpened, reports.ReportCodesIssued, reports.ReportCodesVoided, reports.ReportEvaluationsCast,
)
CONTRACT = Contract("assessment", {schema.__name__: schema for schema in _EVENTS})
