"""The roster and the cycles at the assessment service's edge: commands and published events."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from services.assessment.domain import ROLES
from services.assessment.domain.cycle import (
    CAP_RULES,
    CATEGORIES,
    DEFAULT_CAPS,
    DEFAULT_MIN_BALLOTS,
)
from services.assessment.domain.evaluations import FIVE_POINTS
from shared.validation import IsoDate

CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="Use 1-32 letters, digits, '-' or '_'.")
KEY = validate.Regexp(r"^[a-z][a-z0-9_]{0,31}$", error="Use 1-32 lower-case letters, digits or '_'.")
NAME = validate.Length(min=1, max=60)


class Command(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=500),
                           metadata={"description": "Why (kept with the fact)."})


# --- commands -----------------------------------------------------------------------------

class RegisterBranch(Command):
    code = fields.String(required=True, validate=CODE, metadata={"description": "支部编码, unique, e.g. `NK`."})
    name = fields.String(required=True, validate=NAME, metadata={"description": "支部名称"})
    departments = fields.List(fields.String(validate=NAME), load_default=list,
                              metadata={"description": "科室 the branch covers."})


class RenameBranch(Command):
    name = fields.String(required=True, validate=NAME)


class Department(Command):
    department = fields.String(required=True, validate=NAME)


class Role(Schema):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    branch_id = fields.String(load_default="", metadata={"description": "The branch, for branch_secretary, member and (optionally) mass_rep."})


class GrantRole(Role, Command):
    pass


class RegisterPerson(Command):
    staff_no = fields.String(required=True, validate=CODE, metadata={"description": "工号, unique."})
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    email = fields.Email(required=True)
    roles = fields.List(fields.Nested(Role), load_default=list)


class ChangeEmail(Command):
    email = fields.Email(required=True)


class Phase(Schema):
    key = fields.String(required=True, validate=KEY, metadata={"description": "e.g. `survey`, `rectify`, `learn`."})
    name = fields.String(required=True, validate=NAME, metadata={"description": "e.g. 调查摸底，分类定级"})
    starts_on = IsoDate(required=True)
    due_on = IsoDate(required=True)


class Weights(Schema):
    self_assessment = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    ballots = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    superior = fields.Integer(required=True, validate=validate.Range(min=0, max=100))


class Thresholds(Schema):
    advanced = fields.Integer(required=True, validate=validate.Range(min=0, max=100),
                              metadata={"description": "先进: a total at or above this."})
    average = fields.Integer(required=True, validate=validate.Range(min=0, max=100),
                             metadata={"description": "一般: at or above this; below it, 后进."})


class Cap(Schema):
    rule = fields.String(required=True, validate=validate.OneOf(CAP_RULES))
    cap = fields.String(required=True, validate=validate.OneOf(CATEGORIES[1:]),
                        metadata={"description": "The best category a branch can get when the rule applies."})
    value = fields.Integer(validate=validate.Range(min=0, max=100),
                           metadata={"description": "mass_satisfaction_below: the satisfaction rate, in per cent."})
    point = fields.String(validate=validate.OneOf(FIVE_POINTS),
                          metadata={"description": "survey_problem: the survey point."})


class OpenCycle(Command):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phases = fields.List(fields.Nested(Phase), required=True, validate=validate.Length(min=1, max=12))
    weights = fields.Nested(Weights, required=True)
    thresholds = fields.Nested(Thresholds, required=True)
    min_ballots = fields.Integer(load_default=DEFAULT_MIN_BALLOTS, validate=validate.Range(min=1, max=50),
                                 metadata={"description": "k: a group's ballot results show from k ballots."})
    caps = fields.List(fields.Nested(Cap), load_default=lambda: [dict(c) for c in DEFAULT_CAPS])


class ReschedulePhase(Command):
    starts_on = IsoDate(required=True)
    due_on = IsoDate(required=True)


class RosterRow(Schema):
    row = fields.Integer(required=True, metadata={"description": "Row number in the uploaded file."})
    branch_code = fields.String(load_default="", validate=validate.Regexp(r"^([A-Za-z0-9_-]{1,32})?$"))
    branch_name = fields.String(load_default="", validate=validate.Length(max=60))
    departments = fields.List(fields.String(validate=NAME), load_default=list)
    staff_no = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    email = fields.Email(required=True)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)), load_default=list)


# --- published events (data of the envelope) ----------------------------------------------

class Attributed(Schema):
    actor = fields.String(required=True, metadata={"description": "The account that acted."})
    reason = fields.String(required=True)


class BranchRegistered(Attributed):
    """A branch (支部) was registered with the departments (科室) it covers."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    departments = fields.List(fields.String(), required=True)


class BranchRenamed(Attributed):
    """A branch was renamed."""

    name = fields.String(required=True)


class BranchDepartmentAdded(Attributed):
    """A branch now covers one more department."""

    department = fields.String(required=True)


class BranchDepartmentRemoved(Attributed):
    """A branch no longer covers a department."""

    department = fields.String(required=True)


class PersonRegistered(Attributed):
    """A person was entered in the roster (名册)."""

    staff_no = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)


class PersonEmailChanged(Attributed):
    """A person's e-mail address changed."""

    email = fields.String(required=True)


class PersonRoleGranted(Attributed):
    """A person took on a role, in a branch or hospital-wide."""

    role = fields.String(required=True, metadata={"description": "One of " + ", ".join(ROLES) + "."})
    branch_id = fields.String(required=True, metadata={"description": "Empty for hospital-wide roles."})


class PersonRoleRevoked(PersonRoleGranted):
    """A person no longer holds a role."""


class CycleOpened(Attributed):
    """A year's Organisation-Building cycle opened, with its phases and grading rules."""

    year = fields.Integer(required=True)
    title = fields.String(required=True)
    phases = fields.List(fields.Nested(Phase), required=True)
    weights = fields.Nested(Weights, required=True)
    thresholds = fields.Nested(Thresholds, required=True)
    min_ballots = fields.Integer(required=True, metadata={"description": "k (added in version 2)."})
    caps = fields.List(fields.Nested(Cap), required=True, metadata={"description": "Added in version 2."})


class CyclePhaseRescheduled(Attributed):
    """A phase of a cycle got new dates."""

    key = fields.String(required=True)
    starts_on = fields.String(required=True)
    due_on = fields.String(required=True)
