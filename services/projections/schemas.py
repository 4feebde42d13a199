"""What the projections service returns: the read model's views, dumped at the edge."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.assessment.schemas import Cap, Phase, Thresholds, Weights


class RoleView(Schema):
    role = fields.String(required=True)
    role_name = fields.String(required=True, metadata={"description": "The role's Chinese name."})
    branch_id = fields.String(required=True)


class PersonView(Schema):
    id = fields.String(required=True)
    staff_no = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    member_of = fields.String(required=True, metadata={"description": "Branch id, empty if not a member."})
    roles = fields.List(fields.Nested(RoleView), required=True)
    version = fields.Integer(required=True)


class Secretary(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)


class BranchView(Schema):
    id = fields.String(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    departments = fields.List(fields.String(), required=True)
    member_count = fields.Integer(required=True)
    secretaries = fields.List(fields.Nested(Secretary), required=True)
    registered_at = fields.String(required=True)
    version = fields.Integer(required=True)


class BranchDetail(BranchView):
    people = fields.List(fields.Nested(PersonView), required=True)


class CycleView(Schema):
    id = fields.String(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    phases = fields.List(fields.Nested(Phase), required=True)
    weights = fields.Nested(Weights, required=True)
    thresholds = fields.Nested(Thresholds, required=True)
    min_ballots = fields.Integer(required=True, metadata={"description": "k: ballot results show from k ballots."})
    caps = fields.List(fields.Nested(Cap), required=True)
    opened_at = fields.String(required=True)
    version = fields.Integer(required=True)


class Receipt(Schema):
    """What a command returns."""

    id = fields.String(required=True, metadata={"description": "The aggregate the command changed."})
    version = fields.Integer(required=True)
    position = fields.Integer(required=True, metadata={"description": "The source log position of the last fact recorded."})


class BallotGroupView(Schema):
    issued = fields.Integer(required=True)
    voided = fields.Integer(required=True)
    count = fields.Integer(required=True, metadata={"description": "Ballots counted so far."})
    shown = fields.Boolean(required=True, metadata={"description": "At least k ballots: results may be shown."})
    score = fields.Float(allow_none=True)
    satisfaction_rate = fields.Float(allow_none=True, metadata={"description": "满意+基本满意, per cent."})


class StandingView(Schema):
    branch_id = fields.String(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    survey = fields.Dict(required=True, metadata={"description": "point -> ok | problem | null (not yet surveyed)."})
    survey_problems = fields.List(fields.String(), required=True)
    self_score = fields.Float(allow_none=True)
    superior_score = fields.Float(allow_none=True)
    ballots = fields.Dict(keys=fields.String(), values=fields.Nested(BallotGroupView), required=True)
    category = fields.String(allow_none=True, metadata={"description": "Confirmed: advanced, average or lagging."})
    total = fields.Float(allow_none=True)
    shares = fields.Dict(required=True, metadata={"description": "Each source's contribution to the total."})
    renormalised = fields.Boolean(required=True)
    caps_applied = fields.List(fields.Dict(), required=True)
    moved_up = fields.Boolean(required=True, metadata={"description": "晋位升级 at the last re-grade."})
    rank = fields.Integer(allow_none=True)
    missing = fields.List(fields.String(), required=True)


class StandingsView(Schema):
    cycle_id = fields.String(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    min_ballots = fields.Integer(required=True)
    due_on = fields.String(allow_none=True)
    branches = fields.List(fields.Nested(StandingView), required=True)
    summary = fields.Dict(required=True)


class EvaluationGroupView(Schema):
    count = fields.Integer(required=True, metadata={"description": "Evaluations counted so far."})
    shown = fields.Boolean(required=True, metadata={"description": "Signed ones always; secret ones from k."})
    issued = fields.Integer(allow_none=True, metadata={"description": "Codes issued (secret categories)."})
    voided = fields.Integer(allow_none=True)
    ratings = fields.Dict(allow_none=True, metadata={"description": "good, fairly_good, fair, poor -> count; null below k."})
    good_rate = fields.Float(allow_none=True, metadata={"description": "好+较好, per cent."})


class ReportView(Schema):
    report_id = fields.String(required=True)
    level = fields.Integer(required=True, metadata={"description": "1: branch secretary to the general branch; 2: general branch secretary to the superior committee."})
    branch_id = fields.String(required=True, metadata={"description": "Empty at level 2."})
    branch_code = fields.String(required=True)
    branch_name = fields.String(required=True)
    reporter_id = fields.String(required=True)
    reporter_name = fields.String(required=True)
    to = fields.String(required=True, metadata={"description": "党总支 or 上级党委."})
    period = fields.String(required=True)
    text = fields.String(required=True)
    attachments = fields.List(fields.Dict(), required=True, metadata={"description": "sha256, name, content_type, size."})
    submitted_on = fields.String(required=True, metadata={"description": "The hospital's calendar day."})
    revised_on = fields.String(allow_none=True)
    due_on = fields.String(required=True)
    late = fields.Boolean(required=True)
    evaluations = fields.Dict(keys=fields.String(), values=fields.Nested(EvaluationGroupView), allow_none=True,
                              metadata={"description": "organisations, members, masses; null when the caller may not see them."})
    good_rate = fields.Float(allow_none=True, metadata={"description": "Over every group shown."})
    score = fields.Integer(allow_none=True)
    verdict = fields.String(allow_none=True, metadata={"description": "excellent, good, fair or poor."})
    outcome = fields.String(allow_none=True, metadata={"description": "The verdict in Chinese."})
    signed = fields.List(fields.Dict(), metadata={"description": "Signed evaluations: every one for hospital-wide callers, their own committee's for a branch secretary."})
    comments = fields.Dict(metadata={"description": "Hospital-wide callers only: secret comments per category, from k."})
    exam_comment = fields.String(allow_none=True, metadata={"description": "Hospital-wide callers only."})


class LedgerLevelView(Schema):
    level = fields.Integer(required=True)
    name = fields.String(required=True)
    to = fields.String(required=True)
    reports = fields.List(fields.Nested(ReportView), required=True)
    not_reported = fields.List(fields.Dict(), required=True, metadata={"description": "code, name (hospital-wide callers)."})


class LedgerView(Schema):
    cycle_id = fields.String(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    min_ballots = fields.Integer(required=True)
    levels = fields.List(fields.Nested(LedgerLevelView), required=True)
    summary = fields.Dict(allow_none=True, metadata={"description": "Hospital-wide callers only."})
