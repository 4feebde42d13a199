"""The three-level review ledger (三级联述联评联考): reports, their evaluations, their examination.

Level 1: each branch secretary reports (述职) to the general branch. Level 2: the general branch
secretary reports to the superior committee. Branch committees evaluate a report signed;
members and mass representatives evaluate it secretly, through one-time codes, in the same way
as ballots (a `ReportBox` per report and category). The level above examines it (联考)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.assessment.domain.ballots import LEVELS as RATINGS
from services.assessment.domain.roster import derived_id, refused
from shared.errors import Problem
from shared.facts import Fact

LEVELS = {1: ("支部书记向党总支述职", "党总支"), 2: ("党总支书记向上级党委述职", "上级党委")}
EVALUATORS = {"organisations": "组织", "members": "党员", "masses": "群众代表"}
SECRET_EVALUATORS = ("members", "masses")
VERDICTS = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}
GOOD_RATINGS = ("good", "fairly_good")  # 好 + 较好: the good-rate


def report_id(cycle_id: str, level: int, branch_id: str) -> UUID:
    """Level 1 reports are one per branch; the one level 2 report has no branch."""
    return derived_id("report", cycle_id, int(level), branch_id if int(level) == 1 else "")


def report_box_id(report: str, category: str) -> UUID:
    return derived_id("report-box", report, category)


class Report(Aggregate):
    """One person's report (述职) in one cycle, what organisations said of it, and its examination."""

    class Submitted(Fact, Aggregate.Created):
        published_as = "ReportSubmitted"
        cycle_id: str
        level: int
        branch_id: str
        reporter_id: str
        period: str
        text: str
        attachments: list[dict]
        due_on: str
        late: bool

    class Revised(Fact):
        published_as = "ReportRevised"
        cycle_id: str
        period: str
        text: str
        attachments: list[dict]
        late: bool

    class Evaluated(Fact):
        """A branch committee's signed evaluation."""

        published_as = "ReportEvaluated"
        cycle_id: str
        organisation_id: str
        rating: str
        comment: str

    class Examined(Fact):
        published_as = "ReportExamined"
        cycle_id: str
        score: int
        verdict: str
        comment: str

    @staticmethod
    def create_id(cycle_id: str, level: int, branch_id: str, **_: object) -> UUID:
        return report_id(cycle_id, level, branch_id)

    @classmethod
    def submit(cls, cycle_id: str, level: int, branch_id: str, reporter_id: str, period: str, text: str,
               attachments: list[dict], due_on: date, today: date, **by: str) -> Report:
        check_text(text)
        return cls(cycle_id=cycle_id, level=level, branch_id=branch_id if level == 1 else "",
                   reporter_id=reporter_id, period=period, text=text, attachments=attachments,
                   due_on=due_on.isoformat(), late=today > due_on, **by)

    @event(Submitted)
    def __init__(self, cycle_id: str, level: int, branch_id: str, reporter_id: str, period: str, text: str,
                 attachments: list[dict], due_on: str, late: bool, actor: str, reason: str, correlation_id: str):
        self.registered_in = correlation_id
        self.cycle_id = cycle_id
        self.level = level
        self.branch_id = branch_id
        self.reporter_id = reporter_id
        self.period = period
        self.text = text
        self.attachments = [dict(a) for a in attachments]
        self.due_on = due_on
        self.late = late
        self.organisations: dict[str, str] = {}  # committee -> the request that recorded its evaluation
        self.examination: dict | None = None

    def revise(self, period: str, text: str, attachments: list[dict], today: date, **by: str) -> None:
        """Revisable until examined; a revision after the deadline marks the report late."""
        check_text(text)
        self._check_not_examined()
        if (period, text, attachments) != (self.period, self.text, self.attachments):
            late = self.late or today > date.fromisoformat(self.due_on)
            self._revised(cycle_id=self.cycle_id, period=period, text=text, attachments=attachments, late=late, **by)

    @event(Revised)
    def _revised(self, cycle_id: str, period: str, text: str, attachments: list[dict], late: bool, actor: str,
                 reason: str, correlation_id: str) -> None:
        self.period, self.text, self.attachments, self.late = period, text, [dict(a) for a in attachments], late

    def evaluate(self, organisation_id: str, rating: str, comment: str, **by: str) -> None:
        """Once per committee. The same request delivered again (a retry, or RabbitMQ redelivering
        after a crash) records nothing and is not refused: its first answer stands."""
        if rating not in RATINGS:
            raise refused("rating", "评议等次须为 好、较好、一般 或 差。", "Rate good, fairly_good, fair or poor.")
        if organisation_id in self.organisations:
            if _same_request(self.organisations[organisation_id], by):
                return
            raise Problem("already_evaluated", "该组织已评议过这份述职。",
                          "This organisation has already evaluated this report.")
        if self.level == 1 and organisation_id == self.branch_id:
            raise Problem("own_report", "支部不能评议本支部书记的述职。",
                          "A branch committee cannot evaluate its own secretary's report.")
        self._evaluated(cycle_id=self.cycle_id, organisation_id=organisation_id, rating=rating, comment=comment, **by)

    @event(Evaluated)
    def _evaluated(self, cycle_id: str, organisation_id: str, rating: str, comment: str, actor: str, reason: str,
                   correlation_id: str) -> None:
        self.organisations[organisation_id] = correlation_id

    def examine(self, score: int, verdict: str, comment: str, **by: str) -> None:
        if not 0 <= score <= 100:
            raise refused("score", "考核分须在 0 到 100 之间。", "Score from 0 to 100.")
        if verdict not in VERDICTS:
            raise refused("verdict", "考核结果须为 优秀、良好、一般 或 较差。", "Verdict: excellent, good, fair or poor.")
        if self.examination is not None and _same_request(self.examination["request"], by):
            return  # delivered again, as an evaluation may be
        self._check_not_examined()
        self._examined(cycle_id=self.cycle_id, score=score, verdict=verdict, comment=comment, **by)

    @event(Examined)
    def _examined(self, cycle_id: str, score: int, verdict: str, comment: str, actor: str, reason: str,
                  correlation_id: str) -> None:
        self.examination = {"score": score, "verdict": verdict, "request": correlation_id}

    def _check_not_examined(self) -> None:
        if self.examination is not None:
            raise Problem("already_examined", "这份述职已考核，不能再修改或重复考核。",
                          "This report has been examined; it can no longer change.")


def _same_request(recorded_in: str, by: dict[str, str]) -> bool:
    return bool(recorded_in) and recorded_in == by.get("correlation_id")


def check_text(text: str) -> None:
    if not text.strip():
        raise refused("text", "述职内容不能为空。", "The report needs a text.")


class ReportBox(Aggregate):
    """The secret evaluations of one report by one category of evaluator (members or masses).

    Like a ballot box: codes are counted, not recorded, and evaluations arrive in shuffled
    batches that name no one and carry the day only."""

    class Opened(Fact, Aggregate.Created):
        published_as = "ReportBoxOpened"
        cycle_id: str
        report_id: str
        category: str

    class CodesIssued(Fact):
        published_as = "ReportCodesIssued"
        cycle_id: str
        report_id: str
        category: str
        count: int

    class CodesVoided(Fact):
        published_as = "ReportCodesVoided"
        cycle_id: str
        report_id: str
        category: str
        count: int

    class EvaluationsCast(Aggregate.Event):
        """A shuffled batch of secret evaluations: no actor, no request, and the day only."""

        published_as = "ReportEvaluationsCast"
        cycle_id: str
        report_id: str
        category: str
        evaluations: list[dict]

        @staticmethod
        def create_timestamp() -> datetime:
            now = datetime.now(UTC)
            return datetime(now.year, now.month, now.day, tzinfo=UTC)

        def apply(self, box: ReportBox) -> None:
            box.cast += len(self.evaluations)

    @staticmethod
    def create_id(report_id: str, category: str, **_: object) -> UUID:
        return report_box_id(report_id, category)

    @event(Opened)
    def __init__(self, cycle_id: str, report_id: str, category: str, actor: str, reason: str, correlation_id: str):
        self.cycle_id = cycle_id
        self.report_id = report_id
        self.category = category
        self.cast = 0

    def _group(self) -> dict[str, str]:
        return {"cycle_id": self.cycle_id, "report_id": self.report_id, "category": self.category}

    def issue(self, count: int, **by: str) -> None:
        self.trigger_event(ReportBox.CodesIssued, **self._group(), count=count, **by)

    def void(self, count: int, **by: str) -> None:
        if count:
            self.trigger_event(ReportBox.CodesVoided, **self._group(), count=count, **by)

    def receive(self, evaluations: list[dict]) -> None:
        """Record a batch of evaluations, already shuffled by the caller."""
        if evaluations:
            self.trigger_event(ReportBox.EvaluationsCast, **self._group(), evaluations=evaluations)
