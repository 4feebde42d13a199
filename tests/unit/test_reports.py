"""Reports, evaluations and examinations of the review ledger in the assessment application."""

import json
from datetime import date
from uuid import UUID

import pytest

from services.assessment.application import AssessmentApplication
from services.assessment.application.attachments import check_attachment
from services.assessment.domain import ReportBox
from services.assessment.domain.cycle import DEFAULT_CAPS
from shared.errors import Problem
from shared.eventstore import store_env
from shared.facts import By

BY = By("admin")
PHASES = [{"key": "survey", "name": "调查摸底", "starts_on": "2012-04-01", "due_on": "2012-04-30"},
          {"key": "report", "name": "联述联评联考", "starts_on": "2012-12-01", "due_on": "2012-12-20"}]


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("GRASSROOTS_DATA_DIR", str(tmp_path))
    application = AssessmentApplication(env=store_env("sqlite:///:memory:"))
    application.today = lambda: date(2012, 12, 10)
    return application


@pytest.fixture
def ledger(app):
    cycle = app.open_cycle(BY, 2012, "2012年", PHASES, {"self_assessment": 20, "ballots": 40, "superior": 40},
                           {"advanced": 85, "average": 70}, 3, DEFAULT_CAPS)["id"]
    nk = app.register_branch(BY, "NK", "内科支部", [])["id"]
    wk = app.register_branch(BY, "WK", "外科支部", [])["id"]
    secretary = app.register_person(BY, "S1", "王书记", "s1@h.cn", [{"role": "branch_secretary", "branch_id": nk}])["id"]
    general = app.register_person(BY, "G1", "李书记", "g1@h.cn", [{"role": "general_secretary", "branch_id": ""}])["id"]
    return cycle, nk, wk, secretary, general


def submit(app, cycle, level, branch, reporter, text="一年来的党建工作……", attachments=()):
    return app.submit_report(BY, cycle, level, branch, reporter, "2012年度", text, list(attachments))


def facts(app, name):
    return [json.loads(n.state) for n in app.recorder.select_notifications(1, 1000) if n.topic.endswith(name)]


def test_a_report_before_the_deadline_is_on_time_and_one_after_it_is_taken_and_marked_late(app, ledger):
    cycle, nk, _, secretary, general = ledger
    submit(app, cycle, 1, nk, secretary)
    app.today = lambda: date(2012, 12, 21)
    submit(app, cycle, 2, "", general)
    assert [(f["level"], f["late"], f["due_on"]) for f in facts(app, "Report.Submitted")] == [
        (1, False, "2012-12-20"), (2, True, "2012-12-20")]


def test_only_the_secretary_of_the_right_level_may_give_a_report(app, ledger):
    cycle, nk, wk, secretary, general = ledger
    with pytest.raises(Problem) as refused:
        submit(app, cycle, 1, wk, secretary)
    assert refused.value.code == "not_reporter"
    with pytest.raises(Problem):
        submit(app, cycle, 2, "", secretary)
    with pytest.raises(Problem) as refused:
        submit(app, cycle, 1, "", secretary)
    assert "branch_id" in refused.value.details


def test_a_revision_keeps_earlier_attachments_and_adds_new_ones_stored_by_content(app, ledger):
    cycle, nk, _, secretary, _ = ledger
    first = {"name": "总结.txt", "content_type": "text/plain", "content": "党建工作总结".encode()}
    report = submit(app, cycle, 1, nk, secretary, attachments=[first])["id"]
    pdf = {"name": "照片.pdf", "content_type": "application/pdf", "content": b"%PDF-1.4 ..."}
    submit(app, cycle, 1, nk, secretary, text="修改后的述职", attachments=[pdf, first])
    revised = facts(app, "Report.Revised")[0]
    assert [a["name"] for a in revised["attachments"]] == ["总结.txt", "照片.pdf"]
    assert app.attachments.get(revised["attachments"][0]["sha256"]) == "党建工作总结".encode()
    assert app.repository.get(UUID(report)).text == "修改后的述职"


def test_an_attachment_whose_content_is_not_its_type_is_refused():
    with pytest.raises(Problem) as refused:
        check_attachment("a.pdf", "application/pdf", b"MZ\x90\x00 a program")
    assert refused.value.details["attachments"]["zh"].startswith("附件")
    with pytest.raises(Problem):
        check_attachment("a.exe", "application/x-msdownload", b"MZ")


def test_each_committee_evaluates_a_report_once_and_never_its_own_secretarys(app, ledger):
    cycle, nk, wk, secretary, _ = ledger
    report = submit(app, cycle, 1, nk, secretary)["id"]
    app.evaluate_report(BY, report, wk, "good", "扎实")
    for organisation, code in ((wk, "already_evaluated"), (nk, "own_report")):
        with pytest.raises(Problem) as refused:
            app.evaluate_report(BY, report, organisation, "fair", "")
        assert refused.value.code == code


def test_an_examined_report_can_be_neither_examined_again_nor_revised(app, ledger):
    cycle, nk, _, secretary, _ = ledger
    report = submit(app, cycle, 1, nk, secretary)["id"]
    with pytest.raises(Problem):
        app.examine_report(BY, report, 101, "excellent", "")
    app.examine_report(BY, report, 92, "excellent", "述职全面")
    for attempt in (lambda: app.examine_report(BY, report, 80, "good", ""), lambda: submit(app, cycle, 1, nk, secretary, "改")):
        with pytest.raises(Problem) as refused:
            attempt()
        assert refused.value.code == "already_examined"


def test_secret_evaluations_are_recorded_shuffled_from_k_without_codes_and_ballot_codes_do_not_work_here(app, ledger):
    cycle, nk, _, secretary, _ = ledger
    report = submit(app, cycle, 1, nk, secretary)["id"]
    codes = app.issue_report_codes(BY, report, "members", 4)["codes"]
    app.today = lambda: date(2012, 4, 20)  # ballots are open in the first phase only
    ballot_code = app.issue_codes(BY, cycle, nk, "members", 1)
    assert app.cast_report_evaluations([{"code": ballot_code["codes"][0], "rating": "good", "comment": ""}])[0]["code"] == "unknown_code"
    results = app.cast_report_evaluations([{"code": c, "rating": r, "comment": ""} for c, r in zip(codes[:3], ("good", "fair", "poor"), strict=True)])
    assert results == [{"accepted": True}] * 3
    assert app.cast_report_evaluations([{"code": codes[0], "rating": "good", "comment": ""}])[0]["code"] == "code_used"
    app.count_waiting_ballots()
    cast = facts(app, "ReportBox.EvaluationsCast")
    assert len(cast) == 1 and sorted(e["rating"] for e in cast[0]["evaluations"]) == ["fair", "good", "poor"]
    assert not any(c in json.dumps(cast) for c in codes) and "actor" not in cast[0]
    app.close_report_box(BY, report, "members")
    assert facts(app, "ReportBox.CodesVoided")[0]["count"] == 1


def test_a_busy_evaluation_box_is_snapshotted_and_reads_back_whole(app, ledger):
    cycle, nk, _, secretary, _ = ledger
    report = submit(app, cycle, 1, nk, secretary)["id"]
    codes = app.issue_report_codes(BY, report, "masses", 60)["codes"]
    for start in range(0, 60, 3):  # k = 3: a batch every three evaluations
        app.cast_report_evaluations([{"code": c, "rating": "good", "comment": ""} for c in codes[start:start + 3]])
        app.count_waiting_ballots()
    box = app.repository.get(ReportBox.create_id(report, "masses"))
    assert box.cast == 60 and box.version == 22
    assert len(list(app.snapshots.get(box.id))) == 2  # at versions 10 and 20


def test_the_same_request_delivered_again_records_nothing_and_is_not_refused(app, ledger):
    cycle, nk, wk, secretary, _ = ledger
    report = submit(app, cycle, 1, nk, secretary)["id"]
    request = By("wk-secretary", correlation_id="req-1")
    for _ in range(2):
        app.evaluate_report(request, report, wk, "good", "扎实")
        app.examine_report(By("general", correlation_id="req-2"), report, 90, "excellent", "")
    assert len(facts(app, "Report.Evaluated")) == 1 and len(facts(app, "Report.Examined")) == 1
    with pytest.raises(Problem) as refused:
        app.evaluate_report(By("wk-secretary", correlation_id="req-3"), report, wk, "good", "扎实")
    assert refused.value.code == "already_evaluated"
