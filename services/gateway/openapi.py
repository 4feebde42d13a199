"""The OpenAPI document, generated from the operations' declarations and their schemas."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.gateway.api import OPERATIONS

_PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "status": {"type": "integer"}, "code": {"type": "string"},
        "title": {"type": "string", "description": "中文说明"}, "detail": {"type": "string", "description": "English"},
        "errors": {"description": "Per-field (or per-row) errors, each with zh and en text."},
    },
}


def openapi_document() -> dict[str, Any]:
    spec = APISpec(
        title="Grassroots API",
        version="1",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "基层组织建设年: roster, cycles and the year's work."},
        servers=[{"url": "/api/v1"}],
    )
    spec.components.schema("Problem", _PROBLEM)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "grassroots_session"})
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
        entry: dict[str, Any] = {
            "summary": op.summary,
            "tags": [op.tag],
            "operationId": f"{op.method.lower()}{path.replace('/', '_').replace('{', '').replace('}', '')}",
            "responses": {
                str(op.status): _response(op),
                "default": {"description": "A refusal", "content": {"application/problem+json": {"schema": "Problem"}}},
            },
        }
        parameters = [{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                      for name in re.findall(r"{(\w+)}", path)]
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
        if op.extra.get("multipart"):
            entry["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {"file": {"type": "string", "format": "binary"},
                                                 "reason": {"type": "string"}}}}}}
        entry["security"] = [] if op.public else [{"bearer": []}, {"session": []}]
        paths.setdefault(path, {})[op.method.lower()] = entry
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _response(op: Any) -> dict[str, Any]:
    if op.response is None:
        return {"description": "OK"}
    schema: Any = op.response
    if op.many:
        schema = {"type": "array", "items": op.response}
    return {"description": "OK", "content": {"application/json": {"schema": schema}}}
