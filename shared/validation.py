"""Loading input through a marshmallow schema, with refusals in Chinese and English.

Errors are flattened to dotted paths (`phases.0.due_on`) so a page can show each next to its
field; each carries `zh` and `en` text."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields

from shared.errors import invalid_input

# marshmallow's English messages, and what a Chinese reader should see instead.
_CHINESE = [
    (r"Missing data for required field\.", "此项必填。"),
    (r"Field may not be null\.", "此项不能为空。"),
    (r"Unknown field\.", "不认识的字段。"),
    (r"Not a valid string\.", "应为文本。"),
    (r"Not a valid integer\.", "应为整数。"),
    (r"Not a valid number\.", "应为数字。"),
    (r"Not a valid boolean\.", "应为是或否。"),
    (r"Not a valid list\.", "应为列表。"),
    (r"Not a valid mapping type\.", "格式不正确。"),
    (r"Not a valid date\.", "日期格式应为 YYYY-MM-DD。"),
    (r"Not a valid email address\.", "邮箱地址格式不正确。"),
    (r"Not a valid UUID\.", "编号格式不正确。"),
    (r"Invalid input type\.|Invalid input\.|Invalid type\.", "格式不正确。"),
    (r"Shorter than minimum length (\d+)\.", r"长度不能少于 \1 个字符。"),
    (r"Longer than maximum length (\d+)\.", r"长度不能超过 \1 个字符。"),
    (r"Length must be between (\d+) and (\d+)\.", r"长度应在 \1 到 \2 之间。"),
    (r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.", r"应在 \1 到 \2 之间。"),
    (r"Must be greater than or equal to (\S+)\.", r"不能小于 \1。"),
    (r"Must be less than or equal to (\S+)\.", r"不能大于 \1。"),
    (r"Must be one of: (.*)\.", r"应为以下之一：\1。"),
    (r"A file may be at most 5 MB\.", "文件不能超过 5 MB。"),
    (r"String does not match expected pattern\.", "格式不正确。"),
    (r"Use 1-32 letters, digits, '-' or '_'\.", "请使用 1 到 32 位字母、数字、“-”或“_”。"),
    (r"Use 1-32 lower-case letters, digits or '_'\.", "请使用 1 到 32 位小写字母、数字或“_”。"),
]


def chinese(message: str) -> str:
    for pattern, replacement in _CHINESE:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


def flatten(messages: Any, prefix: str = "") -> dict[str, dict[str, str]]:
    """marshmallow's nested messages as {"a.0.b": {"zh": ..., "en": ...}}."""
    flat: dict[str, dict[str, str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(flatten(value, path))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        en = " ".join(messages)
        flat[prefix or "_schema"] = {"zh": "".join(chinese(m) for m in messages), "en": en}
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            flat.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "_schema"] = {"zh": chinese(str(messages)), "en": str(messages)}
    return flat


def load(schema: Schema, payload: Any) -> Any:
    try:
        return schema.load(payload)
    except ValidationError as exc:
        raise invalid_input(flatten(exc.messages)) from None


class IsoDate(fields.Date):
    """A calendar date, kept as its ISO text (events store dates as `YYYY-MM-DD`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, date):
            return value.isoformat()
        return super()._deserialize(value, attr, data, **kwargs).isoformat()

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return value if value is None or isinstance(value, str) else value.isoformat()
