"""Roster files: the downloadable template, and reading a filled-in CSV or XLSX into rows.

Rows keep their number in the file (the header is row 1) so every error can name its row.
CSV files saved by Chinese Excel are GB18030, not UTF-8: both are read."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import Workbook, load_workbook

from services.assessment.domain import ROLE_NAMES
from shared.errors import Problem

COLUMNS = [
    ("branch_code", "支部编码"),
    ("branch_name", "支部名称"),
    ("departments", "科室"),
    ("staff_no", "工号"),
    ("name", "姓名"),
    ("email", "邮箱"),
    ("roles", "角色"),
]
EXAMPLES = [
    ["NK", "内科支部", "内一科、内二科", "1001", "张明", "zhangming@hospital.example", "支部书记、党员"],
    ["NK", "内科支部", "", "1002", "李华", "lihua@hospital.example", "党员"],
    ["NK", "", "", "1003", "王芳", "wangfang@hospital.example", "群众代表"],
]
MAX_ROWS = 5000
_SEPARATORS = re.compile(r"[、,，;；/]+")
_ROLE_KEYS = {name: key for key, name in ROLE_NAMES.items()} | {key: key for key in ROLE_NAMES}


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    writer.writerows(EXAMPLES)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "名册"
    sheet.append([label for _, label in COLUMNS])
    for example in EXAMPLES:
        sheet.append(example)
    for column, width in zip("ABCDEFG", (10, 14, 20, 10, 10, 30, 20), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("说明")
    notes.append(["列", "说明"])
    notes.append(["支部编码", "字母、数字、-、_，最多 32 位；党办、总支书记、上级党委等全院角色可留空"])
    notes.append(["支部名称", "新支部必填；已有支部可留空"])
    notes.append(["科室", "该支部覆盖的科室，多个用“、”分隔"])
    notes.append(["工号", "每人唯一"])
    notes.append(["角色", "、".join(ROLE_NAMES.values()) + "；多个用“、”分隔"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(filename: str, content: bytes) -> list[dict[str, Any]]:
    """The file's data rows as roster rows; raises `invalid_file` if it cannot be read."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table = _xlsx_table(content)
    elif name.endswith(".csv"):
        table = _csv_table(content)
    else:
        raise _bad_file("请上传 .csv 或 .xlsx 文件。", "Upload a .csv or .xlsx file.")
    if not table:
        raise _bad_file("文件是空的。", "The file is empty.")
    header = [str(h or "").strip() for h in table[0]]
    index = {}
    for key, label in COLUMNS:
        if label not in header:
            raise _bad_file(f"缺少“{label}”列，请使用模板。", f"The column {label!r} is missing; use the template.")
        index[key] = header.index(label)
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {key: _text(cells[i] if i < len(cells) else "") for key, i in index.items()}
        if not any(values.values()):
            continue
        rows.append({
            "row": number,
            "branch_code": values["branch_code"],
            "branch_name": values["branch_name"],
            "departments": split_list(values["departments"]),
            "staff_no": values["staff_no"],
            "name": values["name"],
            "email": values["email"],
            "roles": [_ROLE_KEYS.get(r, r) for r in split_list(values["roles"])],
        })
    if len(rows) > MAX_ROWS:
        raise _bad_file(f"一次最多导入 {MAX_ROWS} 行。", f"At most {MAX_ROWS} rows per file.")
    if not rows:
        raise _bad_file("文件中没有数据行。", "The file has no data rows.")
    return rows


def _xlsx_table(content: bytes) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise _bad_file("无法读取该 Excel 文件。", "The Excel file cannot be read.") from None
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _csv_table(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _bad_file("无法识别文件编码，请另存为 UTF-8 CSV。", "Unknown encoding; save the CSV as UTF-8.")
    return list(csv.reader(io.StringIO(text)))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a staff number typed into Excel comes back as 1001.0
    return "" if value is None else str(value).strip()


def split_list(value: str) -> list[str]:
    return [part.strip() for part in _SEPARATORS.split(value) if part.strip()]


def _bad_file(zh: str, en: str) -> Problem:
    return Problem("invalid_file", zh, en, [{"row": 0, "field": "_file", "zh": zh, "en": en}])
