"""The gateway's WSGI application: `create_app()` builds it (gunicorn calls it per worker)."""

from __future__ import annotations

import json
import logging
import os

# Imported here, in the app factory's module, never first inside a request thread: eventlet
# imported from a non-main thread makes later Thread.join() calls hang.
import nameko.standalone.rpc  # noqa: F401
from flask import Flask, Response, request
from flask_limiter.errors import RateLimitExceeded
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from services.gateway import api_reviews, api_year, pages, pages_reviews, pages_year  # noqa: F401 - they register their routes
from services.gateway.access import RoleCache
from services.gateway.accounts import AccountStore
from services.gateway.api import api
from services.gateway.backend import Backend
from services.gateway.ballot_intake import BallotIntake
from services.gateway.extensions import limiter
from services.gateway.openapi import openapi_document
from services.gateway.web import Parts, install, problem_response
from shared.config import Settings, load_settings
from shared.errors import Problem
from shared.logs import configure_logging

log = logging.getLogger("grassroots.gateway")
# A roster file, or a report with its attachments (5 MB each, base64 in JSON).
MAX_UPLOAD_BYTES = 16 * 1024 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    configure_logging("gateway")
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD_BYTES
    backend = Backend(settings.amqp_uri, size=int(os.environ.get("GRASSROOTS_RPC_POOL", "8")))
    app.extensions["grassroots"] = Parts(
        store=AccountStore(settings.database_url_for("gateway")),
        backend=backend,
        roles=RoleCache(lambda person_id: backend.call("projections", "get_person", person_id)),
        intake=BallotIntake(backend.pool),
        secure_cookies=os.environ.get("GRASSROOTS_SECURE_COOKIES") == "1",
    )
    hops = int(os.environ.get("GRASSROOTS_PROXY_HOPS", "0"))
    if hops:
        # Behind that many reverse proxies, trust their X-Forwarded-For/-Proto, and only theirs.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    limiter.init_app(app)
    install(app)
    app.register_blueprint(api)
    app.register_blueprint(pages.bp)
    _operations(app, backend)
    _errors(app)
    return app


def _operations(app: Flask, backend: Backend) -> None:
    spec = openapi_document()

    @app.get("/api/openapi.json")
    def openapi() -> Response:
        return Response(json.dumps(spec, ensure_ascii=False), mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return _json(200, {"status": "ok"})

    @app.get("/readyz")
    def readyz() -> Response:
        probes = {
            "assessment": lambda: backend.call("assessment", "log_head"),
            "projections": lambda: backend.call("projections", "applied_positions"),
            "accounts": lambda: app.extensions["grassroots"].store.find(""),
        }
        checks = {}
        for name, probe in probes.items():
            try:
                probe()
                checks[name] = True
            except Exception:  # noqa: BLE001 - any failure means not ready
                checks[name] = False
        ready = all(checks.values())
        return _json(200 if ready else 503, {"status": "ready" if ready else "not ready", "checks": checks})

    @app.get("/metrics")
    def prometheus_metrics() -> Response:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            prometheus_multiprocess.MultiProcessCollector(registry)
        else:
            from prometheus_client import REGISTRY as registry
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _errors(app: Flask) -> None:
    @app.errorhandler(Problem)
    def refused(problem: Problem) -> Response:
        return problem_response(problem) if _wants_json() else pages.problem_page(problem)

    @app.errorhandler(RateLimitExceeded)
    def too_many(_: RateLimitExceeded) -> Response:
        return refused(Problem("rate_limited", "尝试次数过多，请一分钟后再试。", "Too many attempts; wait a minute."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        names = {404: ("not_found", "页面或资源不存在。", "No such page or resource."),
                 405: ("method_not_allowed", "不支持该请求方法。", "Method not allowed."),
                 413: ("too_large", "上传的内容太大（最多 16 MB）。", "The upload is too large (16 MB at most).")}
        code, zh, en = names.get(exc.code or 400, ("bad_request", "请求有误。", exc.description or "Bad request."))
        return refused(Problem(code, zh, en))

    @app.errorhandler(Exception)
    def failed(exc: Exception) -> Response:
        log.exception("request failed")
        return refused(Problem("internal_error", "系统出错了，请稍后重试；如仍有问题请联系党办。",
                               "Something went wrong on our side; try again later."))


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/readyz")


def _json(status: int, body: dict) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")
