"""What the projections service returns: the read model's views, dumped at the edge."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.assessment.schemas import Phase, Thresholds, Weights


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
    opened_at = fields.String(required=True)
    version = fields.Integer(required=True)


class Receipt(Schema):
    """What a command returns."""

    id = fields.String(required=True, metadata={"description": "The aggregate the command changed."})
    version = fields.Integer(required=True)
    position = fields.Integer(required=True, metadata={"description": "The source log position of the last fact recorded."})
