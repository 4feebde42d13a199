"""The JSON API of the review ledger: reports, evaluations (signed, or secret with a code),
examinations, the ledger and its XLSX export. Registered on the same blueprint as the rest."""

from __future__ import annotations

from flask import Response

from services.assessment import schemas as commands
from services.gateway import reviews
from services.gateway.api import operation
from services.gateway.extensions import code_failures
from services.gateway.ledger_file import ledger_xlsx
from services.gateway.web import XLSX, download, json_body, parts
from services.projections import schemas as views
from shared.errors import Problem

REPORT = "/cycles/<cycle_id>/reports/<report_id>"


@operation("/cycles/<cycle_id>/reports", "POST", "Submit or revise a report (述职); late ones are marked late",
           "review ledger", body=commands.SubmitReport, response=views.Receipt)
def submit_report(who, cycle_id: str) -> dict:
    return reviews.submit_report(parts().backend, who, cycle_id, json_body())


@operation(f"{REPORT}", "GET", "One report, as far as the caller may see it", "review ledger", response=views.ReportView)
def get_report(who, cycle_id: str, report_id: str) -> dict:
    return reviews.report(parts().backend, who, cycle_id, report_id)


@operation(f"{REPORT}/attachments/<sha256>", "GET", "An attachment of a report", "review ledger")
def get_attachment(who, cycle_id: str, report_id: str, sha256: str) -> Response:
    listed, content = reviews.attachment(parts().backend, who, cycle_id, report_id, sha256)
    return download(content, listed["name"], listed["content_type"])


@operation(f"{REPORT}/evaluations", "POST", "A branch committee's signed evaluation (by its secretary)",
           "review ledger", body=commands.EvaluateReport, response=views.Receipt)
def evaluate_report(who, cycle_id: str, report_id: str) -> dict:
    return reviews.evaluate_report(parts().backend, who, report_id, json_body())


@operation(f"{REPORT}/examination", "POST", "Examine a report: a score from 0 to 100 and a verdict (the level above)",
           "review ledger", body=commands.ExamineReport, response=views.Receipt)
def examine_report(who, cycle_id: str, report_id: str) -> dict:
    return reviews.examine_report(parts().backend, who, cycle_id, report_id, json_body())


@operation(f"{REPORT}/evaluation-codes", "POST", "Issue one-time codes for members' or masses' secret evaluations",
           "review ledger", body=commands.IssueReportCodes, status=201)
def issue_report_codes(who, cycle_id: str, report_id: str) -> dict:
    return reviews.issue_report_codes(parts().backend, who, report_id, json_body())


@operation(f"{REPORT}/evaluation-boxes/close", "POST", "Close a report's secret evaluation: void unused codes, count all",
           "review ledger", body=commands.CloseReportBox, response=views.Receipt)
def close_report_box(who, cycle_id: str, report_id: str) -> dict:
    return reviews.close_report_box(parts().backend, who, report_id, json_body())


@operation("/report-evaluations", "POST", "Evaluate a report secretly with a one-time code (no account needed)",
           "review ledger", body=commands.SecretEvaluation, status=201, public=True)
@code_failures
def cast_report_evaluation() -> dict:
    result = reviews.cast_evaluation(parts().backend, json_body())
    if not result["accepted"]:
        raise Problem.from_result(result)
    return {"accepted": True}


@operation("/cycles/<cycle_id>/ledger", "GET", "The review ledger (台账), as far as the caller may see it", "review ledger",
           response=views.LedgerView)
def get_ledger(who, cycle_id: str) -> dict:
    return reviews.ledger(parts().backend, who, cycle_id)


@operation("/cycles/<cycle_id>/ledger.xlsx", "GET", "The review ledger as an XLSX workbook (台账)", "review ledger")
def ledger_export(who, cycle_id: str) -> Response:
    return download(ledger_xlsx(reviews.ledger(parts().backend, who, cycle_id)), f"ledger-{cycle_id}.xlsx", XLSX)
