"""Per-request plumbing shared by the API and the pages: the gateway's parts, the caller,
problem responses, security headers, correlation ids and HTTP metrics."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, current_app, g, request

from services.gateway.access import Caller, RoleCache, unauthenticated
from services.gateway.accounts import AccountStore
from services.gateway.backend import Backend
from services.gateway.ballot_intake import BallotIntake
from shared import metrics
from shared.errors import Problem
from shared.logs import correlation_id, new_correlation_id

log = logging.getLogger("grassroots.gateway")

SESSION_COOKIE = "grassroots_session"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass
class Parts:
    store: AccountStore
    backend: Backend
    roles: RoleCache
    intake: BallotIntake
    secure_cookies: bool


# Secret ballots: no request id is taken, made, logged, passed on or sent back.
ANONYMOUS_PATHS = ("/vote", "/api/v1/ballots", "/evaluate", "/api/v1/report-evaluations")
QUIET_PATHS = ("/healthz", "/readyz", "/metrics")


def anonymous() -> bool:
    return request.path.startswith(ANONYMOUS_PATHS)


def parts() -> Parts:
    return parts_of(current_app)


def caller(required: bool = True) -> Caller | None:
    """The signed-in caller (bearer token or session cookie), resolved once per request."""
    if "caller" not in g:
        g.caller = None
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            found = parts().store.resolve(header[7:].strip(), "token")
            g.via = "token"
        else:
            found = parts().store.resolve(request.cookies.get(SESSION_COOKIE, ""), "session")
            g.via = "session"
        if found is not None:
            g.caller = parts().roles.caller(*found)
    if required and g.caller is None:
        raise unauthenticated()
    return g.caller


def problem_response(problem: Problem) -> Response:
    body = {
        "type": f"/problems/{problem.code}",
        "status": problem.status,
        "code": problem.code,
        "title": problem.zh,
        "detail": problem.en,
        "message": {"zh": problem.zh, "en": problem.en},
    }
    if problem.details is not None:
        body["errors"] = problem.details
    return Response(json.dumps(body, ensure_ascii=False), status=problem.status,
                    mimetype="application/problem+json")


def install(app: Flask) -> None:
    """Request hooks: correlation id and timing in, headers, metrics and a log line out."""

    @app.before_request
    def _begin() -> None:
        g.started = time.perf_counter()
        offered = request.headers.get("X-Request-ID", "")
        if anonymous():
            g.correlation_token = correlation_id.set("")
        else:
            g.correlation_token = correlation_id.set(offered if _REQUEST_ID.match(offered) else new_correlation_id())

    @app.after_request
    def _finish(response: Response) -> Response:
        if correlation_id.get():
            response.headers["X-Request-ID"] = correlation_id.get()
        route = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        metrics.http_requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.http_duration.labels(request.method, route).observe(elapsed)
        # Successful ballots leave no line (not even a time) and probes would drown the rest.
        if response.status_code >= 400 or not (anonymous() or request.path in QUIET_PATHS):
            log.info("http", extra={"method": request.method, "route": route,
                                    "status": response.status_code, "ms": round(elapsed * 1000, 1)})
        return response

    headers = list(SECURITY_HEADERS.items())
    if parts_of(app).secure_cookies:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    app.wsgi_app = with_headers(app.wsgi_app, headers)  # type: ignore[method-assign]

    @app.teardown_request
    def _reset(_: Any = None) -> None:
        token = g.pop("correlation_token", None)
        if token is not None:
            correlation_id.reset(token)


def parts_of(app: Flask) -> Parts:
    return app.extensions["grassroots"]


def with_headers(wsgi_app: Any, headers: list[tuple[str, str]]) -> Any:
    """Add the security headers to every response that does not set them itself (as WSGI
    middleware: a tenth of the cost of setting them on Flask's response object)."""
    names = [name.lower() for name, _ in headers]

    def application(environ: dict, start_response: Any) -> Any:
        def starting(status: str, response_headers: list, exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in response_headers}
            response_headers.extend(h for h, name in zip(headers, names, strict=True) if name not in present)
            return start_response(status, response_headers, exc_info)

        return wsgi_app(environ, starting)

    return application


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, filename: str, mimetype: str) -> Response:
    """A file to save, under its name (RFC 6266 `filename*`, so Chinese names survive)."""
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}", "X-Content-Type-Options": "nosniff"})


def json_body() -> dict[str, Any]:
    """The request's JSON object (every command takes one); a clear refusal for anything else."""
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise Problem("invalid_input", "请求体不是有效的 JSON。", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Problem("invalid_input", "请求体应为 JSON 对象。", "The request body must be a JSON object.")
    return body


def check_csrf(submitted: str | None) -> None:
    """Unsafe requests authenticated by the session cookie must carry its CSRF token."""
    who = caller()
    if g.get("via") == "session" and (not submitted or submitted != who.csrf):
        raise Problem("forbidden", "页面已过期，请刷新后重试。", "The page expired (CSRF check failed); reload and retry.")
