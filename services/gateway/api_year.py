"""The JSON API of the year's first phase: survey, self-assessment, superior evaluation, ballot
codes, ballots, grades and standings. Registered on the same blueprint as the roster API."""

from __future__ import annotations

from flask import Response

from services.assessment import schemas as commands
from services.gateway import year
from services.gateway.api import operation
from services.gateway.extensions import code_failures
from services.gateway.standings_file import standings_xlsx
from services.gateway.web import XLSX, download, json_body, parts
from services.projections import schemas as views
from shared.errors import Problem

IN_BRANCH = "/cycles/<cycle_id>/branches/<branch_id>"


@operation(f"{IN_BRANCH}/survey", "POST", "Record a survey point's finding (Party office or the branch's secretary)",
           "first phase", body=commands.RecordSurveyPoint, response=views.Receipt)
def record_survey_point(who, cycle_id: str, branch_id: str) -> dict:
    return year.record_survey_point(parts().backend, who, cycle_id, branch_id, json_body())


@operation(f"{IN_BRANCH}/self-assessment", "PUT", "Submit or revise the branch's self-assessment (until the deadline)",
           "first phase", body=commands.SubmitScores, response=views.Receipt)
def submit_self_assessment(who, cycle_id: str, branch_id: str) -> dict:
    return year.submit_self_assessment(parts().backend, who, cycle_id, branch_id, json_body())


@operation(f"{IN_BRANCH}/superior-evaluation", "PUT", "Submit or revise the superior's evaluation of a branch",
           "first phase", body=commands.SubmitScores, response=views.Receipt)
def submit_superior_evaluation(who, cycle_id: str, branch_id: str) -> dict:
    return year.submit_superior_evaluation(parts().backend, who, cycle_id, branch_id, json_body())


@operation(f"{IN_BRANCH}/ballot-codes", "POST", "Issue one-time ballot codes; they are returned this once",
           "ballots", body=commands.IssueCodes, status=201)
def issue_codes(who, cycle_id: str, branch_id: str) -> dict:
    return year.issue_codes(parts().backend, who, cycle_id, branch_id, json_body())


@operation("/ballot-codes/void", "POST", "Void an unused ballot (or report evaluation) code", "ballots", body=commands.VoidCode,
           response=views.Receipt)
def void_code(who) -> dict:
    return year.void_code(parts().backend, who, json_body())


@operation(f"{IN_BRANCH}/ballot-boxes/close", "POST", "Close a ballot box: void unused codes, count every ballot",
           "ballots", body=commands.CloseBox, response=views.Receipt)
def close_box(who, cycle_id: str, branch_id: str) -> dict:
    return year.close_box(parts().backend, who, cycle_id, branch_id, json_body())


@operation("/ballots", "POST", "Cast a secret ballot with a one-time code (no account needed)", "ballots",
           body=commands.Ballot, status=201, public=True)
@code_failures
def cast_ballot() -> dict:
    result = parts().intake.cast(json_body())
    if not result["accepted"]:
        raise Problem.from_result(result)
    return {"accepted": True}


@operation("/cycles/<cycle_id>/grades", "GET", "Every branch's proposed grade, with its arithmetic", "grading")
def propose_grades(who, cycle_id: str) -> dict:
    return year.propose_grades(parts().backend, who, cycle_id)


@operation(f"{IN_BRANCH}/grade", "POST", "Confirm a branch's grade (Party office); a later one is a re-grade",
           "grading", body=commands.ConfirmGrade)
def confirm_grade(who, cycle_id: str, branch_id: str) -> dict:
    return year.confirm_grade(parts().backend, who, cycle_id, branch_id, json_body())


@operation("/cycles/<cycle_id>/standings", "GET", "Branch standings and the hospital summary", "standings",
           response=views.StandingsView)
def standings(who, cycle_id: str) -> dict:
    return year.standings(parts().backend, who, cycle_id)


@operation("/cycles/<cycle_id>/standings.xlsx", "GET", "The standings as an XLSX workbook", "standings")
def standings_export(who, cycle_id: str) -> Response:
    return download(standings_xlsx(year.standings(parts().backend, who, cycle_id)), f"standings-{cycle_id}.xlsx", XLSX)
