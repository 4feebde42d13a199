"""The review ledger at the assessment service's edge: commands and published events."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from services.assessment.application.attachments import MAX_BYTES, MAX_FILES, TYPES
from services.assessment.domain.ballots import LEVELS as RATINGS
from services.assessment.domain.reports import LEVELS, SECRET_EVALUATORS, VERDICTS
from services.assessment.schemas.roster import Attributed, Command


class Base64Bytes(fields.String):
    """File content sent as base64 text (RPC and JSON carry no raw bytes)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bytes:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > MAX_BYTES * 4 // 3 + 4:
            raise ValidationError("A file may be at most 5 MB.")
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError("Invalid input.") from None


class AttachmentUpload(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    content_type = fields.String(required=True, validate=validate.OneOf(TYPES),
                                 metadata={"description": "PDF, Word, Excel, PNG, JPEG or UTF-8 text."})
    content = Base64Bytes(required=True, metadata={"description": "The file, base64-encoded; at most 5 MB."})


class SubmitReport(Command):
    level = fields.Integer(required=True, validate=validate.OneOf(LEVELS),
                           metadata={"description": "1: a branch secretary to the general branch; 2: the general branch secretary to the superior committee."})
    branch_id = fields.String(load_default="", metadata={"description": "The reporting branch (level 1 only)."})
    reporter_id = fields.String(load_default="", metadata={"description": "The reporting secretary; by default the caller."})
    period = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"description": "e.g. 2012年度"})
    text = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    attachments = fields.List(fields.Nested(AttachmentUpload), load_default=list, validate=validate.Length(max=MAX_FILES))


class EvaluateReport(Command):
    organisation_id = fields.String(required=True, metadata={"description": "The evaluating branch committee."})
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS), metadata={"description": "好 good, 较好 fairly_good, 一般 fair, 差 poor."})
    comment = fields.String(load_default="", validate=validate.Length(max=1000))


class ExamineReport(Command):
    score = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS), metadata={"description": "优秀 excellent, 良好 good, 一般 fair, 较差 poor."})
    comment = fields.String(load_default="", validate=validate.Length(max=1000))


class IssueReportCodes(Command):
    category = fields.String(required=True, validate=validate.OneOf(SECRET_EVALUATORS))
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=500))


class CloseReportBox(Command):
    category = fields.String(required=True, validate=validate.OneOf(SECRET_EVALUATORS))


class SecretEvaluation(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32),
                         metadata={"description": "The one-time code from the printed slip."})
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS), metadata={"description": "好 good, 较好 fairly_good, 一般 fair, 差 poor."})
    comment = fields.String(load_default="", validate=validate.Length(max=500))


# --- published events ---------------------------------------------------------------------

class Attachment(Schema):
    sha256 = fields.String(required=True, metadata={"description": "The content's SHA-256: its name in the store."})
    name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


class ReportRevised(Attributed):
    """A report was revised before its examination (`late` if revised after the deadline)."""

    cycle_id = fields.String(required=True)
    period = fields.String(required=True)
    text = fields.String(required=True)
    attachments = fields.List(fields.Nested(Attachment), required=True)
    late = fields.Boolean(required=True)


class ReportSubmitted(ReportRevised):
    """A secretary reported (述职): level 1 to the general branch, level 2 to the superior committee."""

    level = fields.Integer(required=True)
    branch_id = fields.String(required=True, metadata={"description": "The reporting branch; empty at level 2."})
    reporter_id = fields.String(required=True)
    due_on = fields.String(required=True)


class ReportEvaluated(Attributed):
    """A branch committee evaluated a report, signed (组织评议)."""

    cycle_id = fields.String(required=True)
    organisation_id = fields.String(required=True)
    rating = fields.String(required=True)
    comment = fields.String(required=True)


class ReportExamined(Attributed):
    """The level above examined a report (考): a score from 0 to 100 and a verdict."""

    cycle_id = fields.String(required=True)
    score = fields.Integer(required=True)
    verdict = fields.String(required=True)
    comment = fields.String(required=True)


class InReportBox(Schema):
    cycle_id = fields.String(required=True)
    report_id = fields.String(required=True)
    category = fields.String(required=True, metadata={"description": "members or masses"})


class ReportBoxOpened(Attributed, InReportBox):
    """Secret evaluation of a report by members or by mass representatives was set up."""


class ReportCodesIssued(Attributed, InReportBox):
    """One-time evaluation codes were issued (only their number is recorded)."""

    count = fields.Integer(required=True)


class ReportCodesVoided(ReportCodesIssued):
    """Unused evaluation codes were voided."""


class CastEvaluation(Schema):
    rating = fields.String(required=True)
    comment = fields.String(required=True)


class ReportEvaluationsCast(InReportBox):
    """A shuffled batch of secret evaluations of a report. It names no evaluator, code or request,
    and its `occurred_at` is the day (midnight UTC) only."""

    evaluations = fields.List(fields.Nested(CastEvaluation), required=True)
