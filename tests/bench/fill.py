"""Filling an assessment log quickly: aggregates built in memory, saved 500 at a time.

The mix is what a hospital's roster produces: branches (registered, a department added, some
renamed or losing one), about ten people per branch (registered, made members, secretaries and
mass representatives, some e-mails changed, some roles revoked) and a few years' cycles with
rescheduled phases."""

from __future__ import annotations

from collections import Counter

from services.assessment.application import AssessmentApplication
from services.assessment.domain import Branch, Cycle, Person
from services.assessment.domain.cycle import DEFAULT_CAPS, DEFAULT_MIN_BALLOTS
from shared.facts import By

PEOPLE_PER_BRANCH = 10
SAVE_EVERY = 500  # aggregates per app.save(...)
PHASES = [
    {"key": "survey", "name": "调查摸底", "starts_on": "{y}-03-01", "due_on": "{y}-04-30"},
    {"key": "classify", "name": "分类定级", "starts_on": "{y}-05-01", "due_on": "{y}-06-30"},
    {"key": "rectify", "name": "整改提高", "starts_on": "{y}-07-01", "due_on": "{y}-10-31"},
    {"key": "review", "name": "检查验收", "starts_on": "{y}-11-01", "due_on": "{y}-12-15"},
]
WEIGHTS = {"self_assessment": 20, "ballots": 40, "superior": 40}
THRESHOLDS = {"advanced": 85, "average": 70}


def _by(n: int) -> dict[str, str]:
    return By("admin", "名册维护" if n % 3 else "", f"{n:032x}").fields()


def _branch_with_people(b: int) -> list:
    by = _by(b)
    branch = Branch(code=f"B{b:05d}", name=f"第{b}支部", departments=[f"内{b}科", f"外{b}科"], **by)
    branch.add_department(f"检验{b}科", **by)
    if b % 5 == 0:
        branch.rename(f"第{b}党支部", **by)
    if b % 10 == 0:
        branch.remove_department(f"外{b}科", **by)
    aggregates: list = [branch]
    bid = str(branch.id)
    for p in range(PEOPLE_PER_BRANCH):
        staff_no = f"S{b:05d}{p:02d}"
        person = Person(staff_no=staff_no, name=f"王{b}{p}", email=f"{staff_no.lower()}@hospital.example", **by)
        if p < PEOPLE_PER_BRANCH - 2:
            person.grant_role("member", bid, **by)
        else:
            person.grant_role("mass_rep", bid, **by)
        if p == 0:
            person.grant_role("branch_secretary", bid, **by)
        if p % 5 == 1:
            person.change_email(f"{staff_no.lower()}@mail.hospital.example", **by)
        if p == 9 and b % 2 == 0:
            person.revoke_role("mass_rep", bid, **by)
        aggregates.append(person)
    return aggregates


def _cycle(year: int) -> Cycle:
    by = _by(year)
    phases = [{k: v.format(y=year) for k, v in p.items()} for p in PHASES]
    cycle = Cycle.open(year, f"{year}年基层组织建设年", phases, WEIGHTS, THRESHOLDS, DEFAULT_MIN_BALLOTS,
                       [dict(cap) for cap in DEFAULT_CAPS], **by)
    cycle.reschedule("survey", f"{year}-03-05", f"{year}-05-05", **by)
    return cycle


def fill(app: AssessmentApplication, events: int) -> Counter:
    """Record at least `events` facts; returns how many of each type were recorded."""
    recorded: Counter = Counter()
    pending: list = [_cycle(year) for year in range(2010, 2016)]
    b = 0
    while sum(recorded.values()) + sum(len(a.pending_events) for a in pending) < events:
        pending.extend(_branch_with_people(b))
        b += 1
        if len(pending) >= SAVE_EVERY:
            recorded += _save(app, pending)
            pending = []
    if pending:
        recorded += _save(app, pending)
    return recorded


def _save(app: AssessmentApplication, aggregates: list) -> Counter:
    counts = Counter(type(e).__qualname__.replace(".", "") for a in aggregates for e in a.pending_events)
    app.save(*aggregates)
    return counts
