"""The assessment service over RPC: load a schema, call the application, return a receipt.

The gateway authorises every call before it reaches here and names the acting account."""

from __future__ import annotations

import base64
from typing import Any

from marshmallow import ValidationError
from nameko.timer import timer

from services.assessment import schemas
from services.assessment.application import AssessmentApplication, roster_problem
from shared.endpoints import EventLogEndpoints, OperationsEndpoints, rpc
from shared.errors import Problem
from shared.facts import By
from shared.logs import correlation_id
from shared.providers import WriterApp
from shared.validation import flatten, load

_register_branch = schemas.RegisterBranch()
_rename_branch = schemas.RenameBranch()
_department = schemas.Department()
_register_person = schemas.RegisterPerson()
_change_email = schemas.ChangeEmail()
_grant_role = schemas.GrantRole()
_open_cycle = schemas.OpenCycle()
_reschedule = schemas.ReschedulePhase()
_roster_row = schemas.RosterRow()
_survey_point = schemas.RecordSurveyPoint()
_scores = schemas.SubmitScores()
_issue_codes = schemas.IssueCodes()
_void_code = schemas.VoidCode()
_close_box = schemas.CloseBox()
_ballot = schemas.Ballot()
_confirm = schemas.ConfirmGrade()
_submit_report = schemas.SubmitReport()
_evaluate_report = schemas.EvaluateReport()
_examine_report = schemas.ExamineReport()
_issue_report_codes = schemas.IssueReportCodes()
_close_report_box = schemas.CloseReportBox()
_secret_evaluation = schemas.SecretEvaluation()


def _load_rows(rows: list[dict]) -> list[dict]:
    """Every row checked on its own, so that each error names its row number."""
    loaded, errors = [], []
    for index, raw in enumerate(rows, start=1):
        try:
            loaded.append(_roster_row.load(raw))
        except ValidationError as exc:
            number = raw.get("row", index) if isinstance(raw, dict) else index
            errors += [{"row": number, "field": f, **t} for f, t in flatten(exc.messages).items()]
    if errors:
        raise roster_problem(errors)
    return loaded


def _each_valid(schema: Any, items: list[dict], take: Any) -> list[dict]:
    """`take` the valid items of a batch; one result per item, in order."""
    valid, results = [], []
    for item in items:
        try:
            valid.append(load(schema, item))
            results.append(None)
        except Problem as problem:
            results.append({"accepted": False, **problem.as_dict()})
    taken = iter(take(valid))
    return [result if result is not None else next(taken) for result in results]


def _by(actor: str, command: dict[str, Any]) -> By:
    return By(actor=actor, reason=command.pop("reason", ""), correlation_id=correlation_id.get())


class AssessmentService(OperationsEndpoints, EventLogEndpoints):
    name = "assessment"
    contract = schemas.CONTRACT
    app: AssessmentApplication = WriterApp(AssessmentApplication)

    @rpc
    def register_branch(self, actor: str, payload: dict) -> dict:
        command = load(_register_branch, payload)
        return self.app.register_branch(_by(actor, command), **command)

    @rpc
    def rename_branch(self, actor: str, branch_id: str, payload: dict) -> dict:
        command = load(_rename_branch, payload)
        return self.app.rename_branch(_by(actor, command), branch_id, **command)

    @rpc
    def add_department(self, actor: str, branch_id: str, payload: dict) -> dict:
        command = load(_department, payload)
        return self.app.add_department(_by(actor, command), branch_id, **command)

    @rpc
    def remove_department(self, actor: str, branch_id: str, payload: dict) -> dict:
        command = load(_department, payload)
        return self.app.remove_department(_by(actor, command), branch_id, **command)

    @rpc
    def register_person(self, actor: str, payload: dict) -> dict:
        command = load(_register_person, payload)
        return self.app.register_person(_by(actor, command), **command)

    @rpc
    def change_email(self, actor: str, person_id: str, payload: dict) -> dict:
        command = load(_change_email, payload)
        return self.app.change_email(_by(actor, command), person_id, **command)

    @rpc
    def grant_role(self, actor: str, person_id: str, payload: dict) -> dict:
        command = load(_grant_role, payload)
        by = _by(actor, command)
        return self.app.grant_role(by, person_id, command["role"], command["branch_id"])

    @rpc
    def revoke_role(self, actor: str, person_id: str, payload: dict) -> dict:
        command = load(_grant_role, payload)
        by = _by(actor, command)
        return self.app.revoke_role(by, person_id, command["role"], command["branch_id"])

    @rpc
    def open_cycle(self, actor: str, payload: dict) -> dict:
        command = load(_open_cycle, payload)
        return self.app.open_cycle(_by(actor, command), **command)

    @rpc
    def reschedule_phase(self, actor: str, cycle_id: str, key: str, payload: dict) -> dict:
        command = load(_reschedule, payload)
        return self.app.reschedule_phase(_by(actor, command), cycle_id, key, **command)

    @rpc
    def import_roster(self, actor: str, rows: list[dict], reason: str = "") -> dict:
        return self.app.import_roster(By(actor, reason, correlation_id.get()), _load_rows(rows))

    # --- the first phase: survey, self-assessment, superior evaluation --------------------

    @rpc
    def record_survey_point(self, actor: str, cycle_id: str, branch_id: str, payload: dict) -> dict:
        command = load(_survey_point, payload)
        return self.app.record_survey_point(_by(actor, command), cycle_id, branch_id, **command)

    @rpc
    def submit_self_assessment(self, actor: str, cycle_id: str, branch_id: str, payload: dict) -> dict:
        command = load(_scores, payload)
        return self.app.submit_self_assessment(_by(actor, command), cycle_id, branch_id, **command)

    @rpc
    def submit_superior_evaluation(self, actor: str, cycle_id: str, branch_id: str, payload: dict) -> dict:
        command = load(_scores, payload)
        return self.app.submit_superior_evaluation(_by(actor, command), cycle_id, branch_id, **command)

    # --- secret ballots -----------------------------------------------------------------

    @rpc
    def issue_codes(self, actor: str, cycle_id: str, branch_id: str, payload: dict) -> dict:
        command = load(_issue_codes, payload)
        return self.app.issue_codes(_by(actor, command), cycle_id, branch_id, **command)

    @rpc
    def void_code(self, actor: str, payload: dict) -> dict:
        command = load(_void_code, payload)
        return self.app.void_code(_by(actor, command), **command)

    @rpc
    def close_box(self, actor: str, cycle_id: str, branch_id: str, payload: dict) -> dict:
        command = load(_close_box, payload)
        return self.app.close_box(_by(actor, command), cycle_id, branch_id, **command)

    @timer(interval=1)
    def count_waiting_ballots(self) -> None:
        self.app.count_waiting_ballots()

    @rpc
    def box_codes(self, box_id: str) -> dict:
        return self.app.box_codes(box_id)

    @rpc
    def cast_ballots(self, ballots: list[dict]) -> list[dict]:
        """A batch of ballots from the gateway; one result per ballot. Carries no request id."""
        return _each_valid(_ballot, ballots, self.app.cast_ballots)

    # --- grading -------------------------------------------------------------------------

    @rpc
    def propose_grades(self, cycle_id: str, branch_ids: list[str]) -> dict[str, dict]:
        proposals = {}
        for branch in branch_ids:
            try:
                proposals[branch] = self.app.propose_grade(cycle_id, branch)
            except Problem as problem:
                proposals[branch] = {"problem": problem.as_dict()}
        return proposals

    @rpc
    def confirm_grade(self, actor: str, cycle_id: str, branch_id: str, payload: dict) -> dict:
        command = load(_confirm, payload)
        return self.app.confirm_grade(_by(actor, command), cycle_id, branch_id, **command)

    # --- the review ledger ---------------------------------------------------------------

    @rpc
    def submit_report(self, actor: str, cycle_id: str, payload: dict) -> dict:
        command = load(_submit_report, payload)
        by = _by(actor, command)
        return self.app.submit_report(by, cycle_id, command.pop("level"), command.pop("branch_id"), **command)

    @rpc
    def evaluate_report(self, actor: str, report_id: str, payload: dict) -> dict:
        command = load(_evaluate_report, payload)
        return self.app.evaluate_report(_by(actor, command), report_id, **command)

    @rpc
    def examine_report(self, actor: str, report_id: str, payload: dict) -> dict:
        command = load(_examine_report, payload)
        return self.app.examine_report(_by(actor, command), report_id, **command)

    @rpc
    def issue_report_codes(self, actor: str, report_id: str, payload: dict) -> dict:
        command = load(_issue_report_codes, payload)
        return self.app.issue_report_codes(_by(actor, command), report_id, **command)

    @rpc
    def close_report_box(self, actor: str, report_id: str, payload: dict) -> dict:
        command = load(_close_report_box, payload)
        return self.app.close_report_box(_by(actor, command), report_id, **command)

    @rpc
    def cast_report_evaluations(self, evaluations: list[dict]) -> list[dict]:
        """Secret evaluations from the gateway; one result each. Carries no request id."""
        return _each_valid(_secret_evaluation, evaluations, self.app.cast_report_evaluations)

    @rpc
    def read_attachment(self, sha256: str) -> str:
        """A report's attachment, base64-encoded."""
        return base64.b64encode(self.app.attachments.get(sha256)).decode()
