"""Entry points every service shares: operations over HTTP, and a writer's log over RPC."""

from __future__ import annotations

import json
from typing import Any

from nameko.rpc import rpc as nameko_rpc
from nameko.web.handlers import http
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from werkzeug.wrappers import Response

from shared.envelope import Contract
from shared.errors import Problem
from shared.eventstore import EventLog, WriterApplication
from shared.providers import Telemetry

MAX_PAGE = 1000


def rpc(method: Any) -> Any:
    """An RPC entry point whose `Problem`s are refusals, logged as such, not as failures."""
    return nameko_rpc(expected_exceptions=(Problem,))(method)


class OperationsEndpoints:
    """`/metrics`, `/healthz` (the process is up) and `/readyz` (it can do its work)."""

    telemetry = Telemetry()

    @http("GET", "/metrics")
    def metrics(self, request: Any) -> Response:
        return Response(generate_latest(REGISTRY), mimetype=CONTENT_TYPE_LATEST)

    @http("GET", "/healthz")
    def healthz(self, request: Any) -> Response:
        return _json(200, {"status": "ok"})

    @http("GET", "/readyz")
    def readyz(self, request: Any) -> Response:
        checks = self.telemetry.readiness()
        ready = all(checks.values())
        return _json(200 if ready else 503, {"status": "ready" if ready else "not ready", "checks": checks})


class EventLogEndpoints:
    """A writer's log, paged, as public envelopes: how followers fill gaps and rebuild.

    The service class names its application `app` and its published `contract`."""

    app: WriterApplication
    contract: Contract

    @rpc
    def events_after(self, position: int, limit: int = 500) -> list[dict[str, Any]]:
        limit = max(1, min(int(limit), MAX_PAGE))
        return [e.to_dict() for e in EventLog(self.app, self.contract).after(int(position), limit)]

    @rpc
    def log_head(self) -> int:
        return EventLog(self.app, self.contract).head()


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
