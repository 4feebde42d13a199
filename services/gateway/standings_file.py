"""The standings as an XLSX workbook (Chinese headers), for the Party office's files."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from services.assessment.domain.cycle import CATEGORY_NAMES
from services.assessment.domain.evaluations import FIVE_POINTS

MISSING_NAMES = {"survey": "调查摸底", "self_assessment": "自评", "ballots_members": "党员测评",
                 "ballots_masses": "群众测评", "superior": "上级考评", "grade": "定级确认"}
HEADERS = ["排名", "支部编码", "支部", "类别", "总分", "自评贡献分", "测评贡献分", "考评贡献分",
           "党员测评票数", "党员满意率%", "群众测评票数", "群众满意率%", "调查发现问题", "晋位升级", "尚未完成"]


def standings_xlsx(standings: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "支部排名"
    sheet.append([standings["title"]])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in sorted(standings["branches"], key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"])):
        members, masses = row["ballots"]["members"], row["ballots"]["masses"]
        sheet.append([
            row["rank"], row["code"], row["name"], CATEGORY_NAMES.get(row["category"], "未定级"), row["total"],
            row["shares"].get("self_assessment"), row["shares"].get("ballots"), row["shares"].get("superior"),
            members["count"], members["satisfaction_rate"], masses["count"], masses["satisfaction_rate"],
            "、".join(FIVE_POINTS[p] for p in row["survey_problems"]), "是" if row["moved_up"] else "",
            "、".join(MISSING_NAMES[m] for m in row["missing"]),
        ])
    for column, width in zip("ABCDEFGHIJKLMNO", (6, 10, 16, 8, 8, 9, 9, 9, 12, 12, 12, 12, 28, 8, 36), strict=True):
        sheet.column_dimensions[column].width = width
    summary = book.create_sheet("全院汇总")
    counts = standings["summary"]["per_category"]
    summary.append(["支部总数", standings["summary"]["branches"]])
    summary.append(["已定级", standings["summary"]["graded"]])
    for category, name in CATEGORY_NAMES.items():
        summary.append([name, counts[category]])
    summary.append(["晋位升级", standings["summary"]["moved_up"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
