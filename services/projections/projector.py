"""How each published event changes the read model: one handler per event type.

Handlers change rows in memory (`shared.readmodel`); each names where its stream's rows live so
a batch loads them once. Types a projection does not know are passed over (their position is
still tracked)."""

from __future__ import annotations

from services.assessment.domain.ballots import LEVELS as RATINGS
from services.assessment.domain.ballots import SATISFACTION, ballot_score
from services.projections.tables import (
    ballot_boxes,
    branches,
    cycles,
    people,
    phases,
    report_boxes,
    reports,
    roles,
    standings,
)
from shared.envelope import Envelope
from shared.readmodel import Batch, Projector

project = Projector()
BRANCH = (branches, "id")
PERSON = (people, "id")
ROLES = (roles, "person_id")
CYCLE = (cycles, "id")
PHASES = (phases, "cycle_id")


@project.handles("BranchRegistered")
def _branch_registered(rows: Batch, e: Envelope) -> None:
    rows[branches].put({"id": e.stream_id, "code": e.data["code"], "name": e.data["name"],
                        "departments": list(e.data["departments"]), "registered_at": e.occurred_at,
                        "version": e.stream_version})


@project.handles("BranchRenamed", BRANCH)
def _branch_renamed(rows: Batch, e: Envelope) -> None:
    rows[branches].get(e.stream_id).update(name=e.data["name"], version=e.stream_version)


@project.handles("BranchDepartmentAdded", BRANCH)
def _department_added(rows: Batch, e: Envelope) -> None:
    branch = rows[branches].get(e.stream_id)
    branch.update(departments=branch["departments"] + [e.data["department"]], version=e.stream_version)


@project.handles("BranchDepartmentRemoved", BRANCH)
def _department_removed(rows: Batch, e: Envelope) -> None:
    branch = rows[branches].get(e.stream_id)
    branch.update(departments=[d for d in branch["departments"] if d != e.data["department"]],
                  version=e.stream_version)


@project.handles("PersonRegistered")
def _person_registered(rows: Batch, e: Envelope) -> None:
    rows[people].put({"id": e.stream_id, "staff_no": e.data["staff_no"], "name": e.data["name"],
                      "email": e.data["email"], "member_of": "", "registered_at": e.occurred_at,
                      "version": e.stream_version})


@project.handles("PersonEmailChanged", PERSON)
def _email_changed(rows: Batch, e: Envelope) -> None:
    rows[people].get(e.stream_id).update(email=e.data["email"], version=e.stream_version)


@project.handles("PersonRoleGranted", PERSON, ROLES)
def _role_granted(rows: Batch, e: Envelope) -> None:
    role, branch = e.data["role"], e.data["branch_id"]
    rows[roles].put({"person_id": e.stream_id, "role": role, "branch_id": branch})
    person = rows[people].get(e.stream_id)
    person["version"] = e.stream_version
    if role == "member":
        person["member_of"] = branch


@project.handles("PersonRoleRevoked", PERSON, ROLES)
def _role_revoked(rows: Batch, e: Envelope) -> None:
    role, branch = e.data["role"], e.data["branch_id"]
    rows[roles].delete(e.stream_id, role, branch)
    person = rows[people].get(e.stream_id)
    person["version"] = e.stream_version
    if role == "member":
        person["member_of"] = ""


@project.handles("CycleOpened")
def _cycle_opened(rows: Batch, e: Envelope) -> None:
    rows[cycles].put({"id": e.stream_id, "year": e.data["year"], "title": e.data["title"],
                      "weights": e.data["weights"], "thresholds": e.data["thresholds"],
                      "min_ballots": e.data["min_ballots"], "caps": e.data["caps"],
                      "opened_at": e.occurred_at, "version": e.stream_version})
    for n, phase in enumerate(e.data["phases"]):
        rows[phases].put({"cycle_id": e.stream_id, "key": phase["key"], "ordinal": n, "name": phase["name"],
                          "starts_on": phase["starts_on"], "due_on": phase["due_on"]})


@project.handles("CyclePhaseRescheduled", CYCLE, PHASES)
def _phase_rescheduled(rows: Batch, e: Envelope) -> None:
    rows[phases].get(e.stream_id, e.data["key"]).update(starts_on=e.data["starts_on"], due_on=e.data["due_on"])
    rows[cycles].get(e.stream_id)["version"] = e.stream_version


# --- the first phase: a standing per branch and cycle, and the ballot boxes -----------------

STANDINGS = (standings, "cycle_id", lambda e: e.data["cycle_id"])
BOX = (ballot_boxes, "id")


def _standing(rows: Batch, e: Envelope) -> dict:
    return rows[standings].setdefault({
        "cycle_id": e.data["cycle_id"], "branch_id": e.data["branch_id"], "survey": {}, "self_scores": None,
        "superior_scores": None, "category": None, "total": None, "arithmetic": None, "moved_up": False,
        "grade_version": 0,
    })


@project.handles("SurveyPointFoundSound", STANDINGS)
@project.handles("SurveyProblemFound", STANDINGS)
def _survey_point(rows: Batch, e: Envelope) -> None:
    standing = _standing(rows, e)
    finding = "problem" if e.type == "SurveyProblemFound" else "ok"
    standing["survey"] = {**standing["survey"], e.data["point"]: finding}


@project.handles("SelfAssessmentSubmitted", STANDINGS)
@project.handles("SelfAssessmentRevised", STANDINGS)
def _self_assessed(rows: Batch, e: Envelope) -> None:
    _standing(rows, e)["self_scores"] = dict(e.data["scores"])


@project.handles("SuperiorEvaluationSubmitted", STANDINGS)
@project.handles("SuperiorEvaluationRevised", STANDINGS)
def _superior_evaluated(rows: Batch, e: Envelope) -> None:
    _standing(rows, e)["superior_scores"] = dict(e.data["scores"])


@project.handles("BranchGraded", STANDINGS)
@project.handles("BranchRegraded", STANDINGS)
def _graded(rows: Batch, e: Envelope) -> None:
    _standing(rows, e).update(category=e.data["category"], total=e.data["arithmetic"]["total"],
                              arithmetic=e.data["arithmetic"], moved_up=bool(e.data.get("moved_up", False)),
                              grade_version=e.stream_version)


@project.handles("BallotBoxOpened")
def _box_opened(rows: Batch, e: Envelope) -> None:
    rows[ballot_boxes].put({"id": e.stream_id, "cycle_id": e.data["cycle_id"], "branch_id": e.data["branch_id"],
                            "category": e.data["category"], "issued": 0, "voided": 0, "cast": 0, "score_sum": 0.0,
                            "satisfaction": dict.fromkeys(SATISFACTION, 0)})


@project.handles("BallotCodesIssued", BOX)
def _codes_issued(rows: Batch, e: Envelope) -> None:
    rows[ballot_boxes].get(e.stream_id)["issued"] += e.data["count"]


@project.handles("BallotCodesVoided", BOX)
def _codes_voided(rows: Batch, e: Envelope) -> None:
    rows[ballot_boxes].get(e.stream_id)["voided"] += e.data["count"]


@project.handles("BallotsCast", BOX)
def _ballots_cast(rows: Batch, e: Envelope) -> None:
    box = rows[ballot_boxes].get(e.stream_id)
    satisfaction = dict(box["satisfaction"])
    for ballot in e.data["ballots"]:
        satisfaction[ballot["satisfaction"]] += 1
    box.update(cast=box["cast"] + len(e.data["ballots"]), satisfaction=satisfaction,
               score_sum=box["score_sum"] + sum(ballot_score(b) for b in e.data["ballots"]))


# --- the review ledger ----------------------------------------------------------------------

REPORT = (reports, "id")
REPORT_BOX = (report_boxes, "id")


@project.handles("ReportSubmitted")
def _report_submitted(rows: Batch, e: Envelope) -> None:
    d = e.data
    rows[reports].put({"id": e.stream_id, "cycle_id": d["cycle_id"], "level": d["level"], "branch_id": d["branch_id"],
                       "reporter_id": d["reporter_id"], "period": d["period"], "text": d["text"],
                       "attachments": d["attachments"], "due_on": d["due_on"], "late": d["late"],
                       "submitted_at": e.occurred_at, "revised_at": None, "organisations": {}, "score": None,
                       "verdict": None, "exam_comment": None, "examined_at": None, "version": e.stream_version})


@project.handles("ReportRevised", REPORT)
def _report_revised(rows: Batch, e: Envelope) -> None:
    d = e.data
    rows[reports].get(e.stream_id).update(period=d["period"], text=d["text"], attachments=d["attachments"],
                                          late=d["late"], revised_at=e.occurred_at, version=e.stream_version)


@project.handles("ReportEvaluated", REPORT)
def _report_evaluated(rows: Batch, e: Envelope) -> None:
    report = rows[reports].get(e.stream_id)
    signed = {"rating": e.data["rating"], "comment": e.data["comment"], "actor": e.data["actor"]}
    report.update(organisations={**report["organisations"], e.data["organisation_id"]: signed}, version=e.stream_version)


@project.handles("ReportExamined", REPORT)
def _report_examined(rows: Batch, e: Envelope) -> None:
    rows[reports].get(e.stream_id).update(score=e.data["score"], verdict=e.data["verdict"],
                                          exam_comment=e.data["comment"], examined_at=e.occurred_at,
                                          version=e.stream_version)


@project.handles("ReportBoxOpened")
def _report_box_opened(rows: Batch, e: Envelope) -> None:
    rows[report_boxes].put({"id": e.stream_id, "report_id": e.data["report_id"], "cycle_id": e.data["cycle_id"],
                            "category": e.data["category"], "issued": 0, "voided": 0, "cast": 0,
                            "ratings": dict.fromkeys(RATINGS, 0), "comments": []})


@project.handles("ReportCodesIssued", REPORT_BOX)
def _report_codes_issued(rows: Batch, e: Envelope) -> None:
    rows[report_boxes].get(e.stream_id)["issued"] += e.data["count"]


@project.handles("ReportCodesVoided", REPORT_BOX)
def _report_codes_voided(rows: Batch, e: Envelope) -> None:
    rows[report_boxes].get(e.stream_id)["voided"] += e.data["count"]


@project.handles("ReportEvaluationsCast", REPORT_BOX)
def _report_evaluations_cast(rows: Batch, e: Envelope) -> None:
    box = rows[report_boxes].get(e.stream_id)
    ratings = dict(box["ratings"])
    for evaluation in e.data["evaluations"]:
        ratings[evaluation["rating"]] += 1
    box.update(cast=box["cast"] + len(e.data["evaluations"]), ratings=ratings,
               comments=box["comments"] + [c["comment"] for c in e.data["evaluations"] if c["comment"]])
