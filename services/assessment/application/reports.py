"""Use cases of the three-level review ledger: reports, signed and secret evaluations, examination.

Secret evaluations go through the ballots' machinery (`BallotCommands._issue`, `_cast`,
`_close`): the same digest-only codes, the same pending table, the same shuffled batches."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from services.assessment.application.attachments import MAX_FILES, AttachmentStore
from services.assessment.application.ballots import BallotCommands
from services.assessment.application.common import receipt
from services.assessment.domain import Branch, Cycle, Person
from services.assessment.domain.reports import Report, ReportBox
from services.assessment.domain.roster import refused
from shared.config import load_settings
from shared.errors import Problem
from shared.facts import By

# Who may give a report of each level: a branch's secretary, or the general branch's.
REPORTER_ROLES = {1: "branch_secretary", 2: "general_secretary"}


class ReportCommands(BallotCommands):
    @cached_property
    def attachments(self) -> AttachmentStore:
        return AttachmentStore(load_settings().data_dir / "attachments")

    def submit_report(self, by: By, cycle: str, level: int, branch: str, reporter_id: str, period: str, text: str,
                      attachments: list[dict]) -> dict[str, Any]:
        """Submit a report, or revise it (new attachments are added to the earlier ones).
        A report after the cycle's deadline is taken and marked late."""
        found_cycle = self._get(Cycle, cycle)
        branch = branch if level == 1 else ""
        if level == 1 and not branch:
            raise refused("branch_id", "支部书记述职须注明支部。", "A branch secretary's report names its branch.")
        if branch:
            self._get(Branch, branch)
        reporter = self._get(Person, reporter_id)
        if (REPORTER_ROLES[level], branch) not in reporter.roles:
            raise Problem("not_reporter", f"{reporter.name} 不是该述职应由的报告人。",
                          f"{reporter.name} does not hold the role that gives this report.",
                          {"reporter_id": {"zh": "报告人须担任相应书记职务。", "en": "The reporter must hold the secretary's role."}})
        report = self._find(Report, Report.create_id(cycle, level, branch))
        earlier = report.attachments if report else []
        if len(earlier) + len(attachments) > MAX_FILES:
            raise Problem("invalid_input", f"每份述职最多 {MAX_FILES} 个附件。", f"At most {MAX_FILES} attachments a report.")
        stored = [self.attachments.put(**a) for a in attachments]
        kept = earlier + [a for a in stored if a["sha256"] not in {e["sha256"] for e in earlier}]
        if report is None:
            report = Report.submit(cycle, level, branch, reporter_id, period, text, kept, found_cycle.report_due(),
                                   self.today(), **by.fields())
        else:
            report.revise(period, text, kept, self.today(), **by.fields())
        return receipt(report, self.save(report))

    def evaluate_report(self, by: By, report: str, organisation_id: str, rating: str, comment: str) -> dict[str, Any]:
        """A branch committee's signed evaluation; one per committee and report."""
        found = self._get(Report, report)
        self._get(Branch, organisation_id)
        found.evaluate(organisation_id, rating, comment, **by.fields())
        return receipt(found, self.save(found))

    def examine_report(self, by: By, report: str, score: int, verdict: str, comment: str) -> dict[str, Any]:
        found = self._get(Report, report)
        found.examine(score, verdict, comment, **by.fields())
        return receipt(found, self.save(found))

    def issue_report_codes(self, by: By, report: str, category: str, count: int) -> dict[str, Any]:
        """One-time codes for members or mass representatives to evaluate a report secretly."""
        found = self._get(Report, report)
        box = self._find(ReportBox, ReportBox.create_id(str(found.id), category))
        if box is None:
            box = ReportBox(cycle_id=found.cycle_id, report_id=str(found.id), category=category, **by.fields())
        return self._issue(box, count, by)

    def close_report_box(self, by: By, report: str, category: str) -> dict[str, Any]:
        """Void the unused codes and count every waiting evaluation, however few."""
        return self._close(self._get(ReportBox, ReportBox.create_id(report, category)).id, by)

    def cast_report_evaluations(self, evaluations: list[dict]) -> list[dict[str, Any]]:
        """Secret evaluations with one-time codes; one result each, in order. Open as long as
        the box has unused codes: closing it ends the evaluation."""
        return self._cast(evaluations, ReportBox, lambda e: {"rating": e["rating"], "comment": e["comment"]},
                          lambda cycle: None)
