"""One Organisation-Building Year: its phases and deadlines, and how branches are graded.

The grading rules (weights, thresholds, caps, the smallest group of ballots whose results may be
shown) are recorded in the fact that opens the cycle, so a replay grades exactly as the year
did."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.assessment.domain.roster import derived_id, refused
from shared.errors import Problem
from shared.facts import Fact

# Deadlines are days of the hospital's calendar; China keeps one offset all year.
HOSPITAL_TIME = timezone(timedelta(hours=8))
CATEGORIES = ("advanced", "average", "lagging")
CATEGORY_NAMES = {"advanced": "先进", "average": "一般", "lagging": "后进"}
DEFAULT_MIN_BALLOTS = 5
# The implementation plan's caps: a branch the masses are not satisfied with, or whose
# leadership team the survey found wanting, cannot be graded advanced.
DEFAULT_CAPS = [
    {"rule": "mass_satisfaction_below", "value": 90, "cap": "average"},
    {"rule": "survey_problem", "point": "leadership", "cap": "average"},
]
CAP_RULES = ("mass_satisfaction_below", "survey_problem")


def cycle_id(year: int) -> UUID:
    return derived_id("cycle", int(year))


class Cycle(Aggregate):
    class Opened(Fact, Aggregate.Created):
        class_version = 2
        year: int
        title: str
        phases: list[dict]
        weights: dict
        thresholds: dict
        min_ballots: int
        caps: list[dict]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Cycles opened before k and caps were rules of the cycle used the defaults.
            state["min_ballots"] = DEFAULT_MIN_BALLOTS
            state["caps"] = [dict(cap) for cap in DEFAULT_CAPS]

    class PhaseRescheduled(Fact):
        key: str
        starts_on: str
        due_on: str

    @staticmethod
    def create_id(year: int, **_: object) -> UUID:
        return cycle_id(year)

    @classmethod
    def open(cls, year: int, title: str, phases: list[dict], weights: dict, thresholds: dict,
             min_ballots: int, caps: list[dict], **by: str) -> Cycle:
        check_phases(phases, year)
        check_weights(weights)
        check_thresholds(thresholds)
        check_caps(caps)
        return cls(year=year, title=title, phases=phases, weights=weights, thresholds=thresholds,
                   min_ballots=min_ballots, caps=caps, **by)

    @event(Opened)
    def __init__(self, year: int, title: str, phases: list[dict], weights: dict, thresholds: dict,
                 min_ballots: int, caps: list[dict], actor: str, reason: str, correlation_id: str):
        self.registered_in = correlation_id
        self.year = year
        self.title = title
        self.phases = [dict(p) for p in phases]
        self.weights = dict(weights)
        self.thresholds = dict(thresholds)
        self.min_ballots = min_ballots
        self.caps = [dict(c) for c in caps]

    def reschedule(self, key: str, starts_on: str, due_on: str, **by: str) -> None:
        if key not in {p["key"] for p in self.phases}:
            raise Problem("not_found", f"本年度没有该阶段：{key}", f"The cycle has no phase {key!r}.")
        check_dates(starts_on, due_on, "phases", self.year)
        self._phase_rescheduled(key=key, starts_on=starts_on, due_on=due_on, **by)

    @event(PhaseRescheduled)
    def _phase_rescheduled(self, key: str, starts_on: str, due_on: str, actor: str, reason: str, correlation_id: str) -> None:
        for phase in self.phases:
            if phase["key"] == key:
                phase["starts_on"], phase["due_on"] = starts_on, due_on

    def evaluation_due(self) -> date:
        """Self-assessments and ballots are due with the first phase (调查摸底，分类定级)."""
        return date.fromisoformat(self.phases[0]["due_on"])

    def report_due(self) -> date:
        return date.fromisoformat(report_phase(self.phases)["due_on"])

    def check_open(self, today: date, what_zh: str, what_en: str) -> None:
        due = self.evaluation_due()
        if today > due:
            raise Problem("closed", f"{what_zh}已于 {due.isoformat()} 截止。",
                          f"{what_en} closed on {due.isoformat()}.")


def report_phase(phases: list[dict]) -> dict:
    """The phase reports (述职) are due with: the cycle's `report` phase, else its last one."""
    return next((p for p in phases if p["key"] == "report"), phases[-1])


def check_phases(phases: list[dict], year: int) -> None:
    if not phases:
        raise refused("phases", "至少需要一个阶段。", "A cycle needs at least one phase.")
    keys = [p["key"] for p in phases]
    if len(set(keys)) != len(keys):
        raise refused("phases", "阶段标识不能重复。", "Phase keys must be unique.")
    for phase in phases:
        check_dates(phase["starts_on"], phase["due_on"], "phases", year)


def check_dates(starts_on: str, due_on: str, field: str, year: int) -> None:
    starts, due = date.fromisoformat(starts_on), date.fromisoformat(due_on)
    if starts > due:
        raise refused(field, "开始日期不能晚于截止日期。", "A phase cannot start after its deadline.")
    if starts.year != year or due.year != year:
        raise refused(field, f"各阶段日期须在 {year} 年内。", f"Every phase must fall within {year}.")


def check_weights(weights: dict) -> None:
    if sum(weights.values()) != 100:
        raise refused(
            "weights",
            "三项权重（自评、测评、考评）之和必须为 100。",
            "The three weights (self-assessment, ballots, superior) must add up to 100.",
        )


def check_thresholds(thresholds: dict) -> None:
    if not 0 <= thresholds["average"] < thresholds["advanced"] <= 100:
        raise refused(
            "thresholds",
            "分档线须满足 0 ≤ 一般 < 先进 ≤ 100。",
            "Thresholds must satisfy 0 ≤ average < advanced ≤ 100.",
        )


def check_caps(caps: list[dict]) -> None:
    for cap in caps:
        if cap.get("rule") not in CAP_RULES or cap.get("cap") not in CATEGORIES[1:]:
            raise refused("caps", "封顶规则无法识别。", f"Unknown cap rule: {cap}")
