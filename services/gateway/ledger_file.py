"""The review ledger as an XLSX workbook in the usual 台账 shape: a summary sheet, then one sheet
per level, with Chinese headers."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from services.assessment.domain.ballots import LEVELS as RATINGS
from services.assessment.domain.reports import EVALUATORS, VERDICTS

SHEETS = {1: "一级述职（支部→党总支）", 2: "二级述职（党总支→上级党委）"}


def headers() -> list[str]:
    columns = ["序号", "述职单位", "述职人", "报告对象", "述职期间", "提交日期", "截止日期", "是否逾期"]
    for name in EVALUATORS.values():
        columns += [f"{name}评议{RATINGS[r][0]}" for r in RATINGS] + [f"{name}好评率%"]
    return columns + ["综合好评率%", "考核得分", "考核结果"]


def row_cells(n: int, row: dict[str, Any]) -> list[Any]:
    cells = [n, row["branch_name"], row["reporter_name"], row["to"], row["period"], row["submitted_on"],
             row["due_on"], "逾期" if row["late"] else "按时"]
    for category in EVALUATORS:
        group = (row["evaluations"] or {}).get(category)
        shown = group is not None and group["shown"]
        cells += [group["ratings"][r] if shown else None for r in RATINGS] + [group["good_rate"] if shown else None]
    hidden = row["evaluations"] is None  # not the caller's to see
    return cells + [row["good_rate"], row["score"], None if hidden else row["outcome"] or "待考核"]


def ledger_xlsx(ledger: dict[str, Any]) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append([f"{ledger['title']} 三级联述联评联考台账"])
    summary["A1"].font = Font(bold=True, size=14)
    totals = ledger["summary"]
    if totals is not None:
        summary.append(["述职报告数", totals["reports"]])
        summary.append(["逾期提交", totals["late"]])
        summary.append(["未述职支部", totals["not_reported"]])
        summary.append(["已考核", totals["examined"]])
        summary.append(["平均考核得分", totals["average_score"]])
        for verdict, name in VERDICTS.items():
            summary.append([f"考核{name}", totals["verdicts"][verdict]])
        for category, name in EVALUATORS.items():
            summary.append([f"{name}评议好评率%", totals["good_rate"][category]])
    summary.column_dimensions["A"].width = 18
    for level in ledger["levels"]:
        sheet = book.create_sheet(SHEETS[level["level"]])
        sheet.append([f"{level['name']}（报告对象：{level['to']}）"])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(headers())
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True)
        for n, row in enumerate(level["reports"], start=1):
            sheet.append(row_cells(n, row))
        if level["not_reported"]:
            sheet.append([])
            sheet.append(["尚未述职", "、".join(b["name"] for b in level["not_reported"])])
        sheet.column_dimensions["B"].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
