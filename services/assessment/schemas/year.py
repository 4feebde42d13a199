"""The first phase at the assessment service's edge: survey, self-assessment, superior
evaluation, ballot codes, ballots and grades; commands and published events."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.assessment.domain.ballots import CATEGORIES, LEVELS, SATISFACTION
from services.assessment.domain.cycle import CATEGORIES as GRADES
from services.assessment.domain.evaluations import FIVE_GOODS, FIVE_POINTS
from services.assessment.schemas.roster import Attributed, Command

FiveScores = Schema.from_dict(
    {good: fields.Integer(required=True, validate=validate.Range(min=0, max=100), metadata={"description": name})
     for good, name in FIVE_GOODS.items()},
    name="FiveScores",
)
FiveRatings = Schema.from_dict(
    {good: fields.String(required=True, validate=validate.OneOf(LEVELS), metadata={"description": name})
     for good, name in FIVE_GOODS.items()},
    name="FiveRatings",
)


# --- commands -----------------------------------------------------------------------------

class RecordSurveyPoint(Command):
    point = fields.String(required=True, validate=validate.OneOf(FIVE_POINTS),
                          metadata={"description": "One of " + ", ".join(FIVE_POINTS) + "."})
    finding = fields.String(required=True, validate=validate.OneOf(("ok", "problem")))
    text = fields.String(load_default="", validate=validate.Length(max=1000))


class SubmitScores(Command):
    """A self-assessment or a superior evaluation: five scores and comments."""

    scores = fields.Nested(FiveScores, required=True)
    comments = fields.String(load_default="", validate=validate.Length(max=2000))


class IssueCodes(Command):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=500))


class VoidCode(Command):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class CloseBox(Command):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))


class Ballot(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                         metadata={"description": "The one-time code from the printed slip."})
    ratings = fields.Nested(FiveRatings, required=True,
                            metadata={"description": "好 good, 较好 fairly_good, 一般 fair, 差 poor."})
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTION),
                                 metadata={"description": "满意 satisfied, 基本满意 basically_satisfied, 不满意 dissatisfied."})


class ConfirmGrade(Command):
    expected_total = fields.Float(load_default=None, allow_none=True,
                                  metadata={"description": "The total the reviewer saw; a different one is a conflict."})


# --- published events ---------------------------------------------------------------------

class InCycle(Schema):
    cycle_id = fields.String(required=True)
    branch_id = fields.String(required=True)


class SurveyOpened(Attributed, InCycle):
    """The survey of a branch in a cycle began."""


class SurveyPointFoundSound(Attributed, InCycle):
    """A survey point was found sound (or a problem found before was found resolved)."""

    point = fields.String(required=True)
    text = fields.String(required=True)


class SurveyProblemFound(SurveyPointFoundSound):
    """The survey found a problem on one of the five points: rectification starts from here."""


class SelfAssessmentSubmitted(Attributed, InCycle):
    """A branch scored itself on the five goods."""

    scores = fields.Nested(FiveScores, required=True)
    comments = fields.String(required=True)


class SelfAssessmentRevised(SelfAssessmentSubmitted):
    """A branch revised its self-assessment before the deadline."""


class SuperiorEvaluationSubmitted(SelfAssessmentSubmitted):
    """The superior organisation scored a branch on the five goods."""


class SuperiorEvaluationRevised(SelfAssessmentSubmitted):
    """The superior organisation revised its scores of a branch."""


class InBox(InCycle):
    category = fields.String(required=True, metadata={"description": "members or masses"})


class BallotBoxOpened(Attributed, InBox):
    """A ballot box for one branch and one category of voter was set up."""


class BallotCodesIssued(Attributed, InBox):
    """One-time ballot codes were issued (only their number is recorded)."""

    count = fields.Integer(required=True)


class BallotCodesVoided(BallotCodesIssued):
    """Unused ballot codes were voided."""


class CastBallot(Schema):
    ratings = fields.Nested(FiveRatings, required=True)
    satisfaction = fields.String(required=True)


class BallotsCast(InBox):
    """A shuffled batch of at least k secret ballots. It names no voter, code or request, and
    its `occurred_at` is the day (midnight UTC) only."""

    ballots = fields.List(fields.Nested(CastBallot), required=True)


class BranchGraded(Attributed, InCycle):
    """The Party office confirmed a branch's grade, with the arithmetic behind it."""

    arithmetic = fields.Dict(required=True, metadata={"description": "sources (score, weight, effective_weight, contribution, present), ballots, renormalised, total, category_by_total, caps_applied, category."})
    category = fields.String(required=True, validate=validate.OneOf(GRADES))


class BranchRegraded(BranchGraded):
    """A branch was graded again; `moved_up` is 晋位升级."""

    previous_category = fields.String(required=True)
    moved_up = fields.Boolean(required=True)
