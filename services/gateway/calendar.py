"""The cycle calendar page's arithmetic: where each phase sits on the year, and the form that
opens a new year (pre-filled with the phases of the implementation plan)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

WIDTH = 1200  # SVG user units for one year
ROW = 34

DEFAULT_PHASES = [
    ("survey", "调查摸底，分类定级", "04-01", "04-30"),
    ("rectify", "整改提高，晋位升级", "04-01", "06-30"),
    ("learn", "学习先进，创先争优", "06-01", "09-30"),
    ("report", "三级联述联评联考", "12-01", "12-31"),
]
DEFAULT_WEIGHTS = {"self_assessment": 20, "ballots": 40, "superior": 40}
DEFAULT_THRESHOLDS = {"advanced": 85, "average": 70}


def _x(day: date, year: int) -> float:
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    return round((day - start).days / (end - start).days * WIDTH, 1)


def timeline(cycle: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
    """Bars (x, width, row) for each phase of the cycle's year, month ticks, and today."""
    year = cycle["year"]
    today = today or date.today()
    bars = []
    for row, phase in enumerate(cycle["phases"]):
        starts, due = date.fromisoformat(phase["starts_on"]), date.fromisoformat(phase["due_on"])
        x0 = _x(max(starts, date(year, 1, 1)), year)
        x1 = _x(min(due, date(year, 12, 31)), year) + WIDTH / 366
        overdue = due < today
        # A short bar late in the year has no room for its name: it goes to the bar's left.
        bars.append({**phase, "x": x0, "y": 28 + row * ROW, "width": max(x1 - x0, 4), "past": overdue,
                     "current": starts <= today <= due, "label_outside": x0 > WIDTH * 0.6 and x1 - x0 < WIDTH * 0.3})
    months = [{"x": _x(date(year, m, 1), year), "label": f"{m}月"} for m in range(1, 13)]
    marker = _x(today, year) if today.year == year else None
    return {"bars": bars, "months": months, "today": marker, "height": 36 + len(bars) * ROW, "width": WIDTH}


def default_cycle_form(existing: list[Mapping[str, Any]]) -> dict[str, Any]:
    year = max([c["year"] for c in existing], default=date.today().year - 1) + 1
    form: dict[str, Any] = {"year": year, "title": f"{year}年基层组织建设年"}
    for n, (key, name, starts, due) in enumerate(DEFAULT_PHASES):
        form |= {f"key_{n}": key, f"name_{n}": name, f"starts_on_{n}": f"{year}-{starts}", f"due_on_{n}": f"{year}-{due}"}
    form |= {f"w_{k}": v for k, v in DEFAULT_WEIGHTS.items()} | {f"t_{k}": v for k, v in DEFAULT_THRESHOLDS.items()}
    return form


def cycle_payload(form: Mapping[str, str]) -> dict[str, Any]:
    """The open-cycle command from the page's form (numbers left as typed: the service checks)."""
    phases = []
    for n in range(len(DEFAULT_PHASES)):
        if form.get(f"key_{n}"):
            phases.append({"key": form.get(f"key_{n}"), "name": form.get(f"name_{n}", ""),
                           "starts_on": form.get(f"starts_on_{n}", ""), "due_on": form.get(f"due_on_{n}", "")})
    return {
        "year": form.get("year", ""),
        "title": form.get("title", "").strip(),
        "phases": phases,
        "weights": {k: form.get(f"w_{k}", "") for k in DEFAULT_WEIGHTS},
        "thresholds": {k: form.get(f"t_{k}", "") for k in DEFAULT_THRESHOLDS},
        "reason": form.get("reason", ""),
    }
