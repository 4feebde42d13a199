"""What ops see: metrics every service exposes (valid for Prometheus), health and readiness,
rate limiting on sign-in, and the correlation id carried from HTTP into the services."""

import re
import subprocess
import time

import requests


def test_every_metrics_endpoint_passes_promtool(system, admin):
    admin.post("/api/v1/branches", json={"code": "MET", "name": "指标支部"})  # so the series exist
    for service, url in system.metrics_urls().items():
        exposition = requests.get(url, timeout=10).text
        assert "grassroots_" in exposition, service
        checked = subprocess.run(["promtool", "check", "metrics"], input=exposition.encode(),
                                 capture_output=True, timeout=30)
        assert checked.returncode == 0, (service, checked.stdout.decode(), checked.stderr.decode())


def test_the_metrics_show_rpc_http_relay_and_projection_figures(system, admin):
    admin.post("/api/v1/branches", json={"code": "MET2", "name": "指标支部二"})
    urls = system.metrics_urls()
    gateway = requests.get(urls["gateway"], timeout=10).text
    assessment = requests.get(urls["assessment"], timeout=10).text
    projections = requests.get(urls["projections"], timeout=10).text
    assert re.search(r'grassroots_http_requests_total\{method="POST",route="/api/v1/branches",status="201"\} [1-9]', gateway)
    assert re.search(r'grassroots_rpc_requests_total\{method="register_branch",outcome="ok",service="assessment"\} [1-9]', assessment)
    assert re.search(r'grassroots_events_published_total\{source="assessment"\} [1-9]', assessment)
    assert 'grassroots_relay_lag_events{source="assessment"} 0.0' in assessment
    assert re.search(r'grassroots_events_applied_total\{consumer="projections",source="assessment"\} [1-9]', projections)
    assert 'grassroots_projection_lag_events{consumer="projections",source="assessment"} 0.0' in projections


def test_liveness_and_readiness_answer_on_every_service(system):
    for url in system.metrics_urls().values():
        base = url.rsplit("/", 1)[0]
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        ready = requests.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_signing_in_is_rate_limited_per_username(system):
    def attempt(username):
        return requests.post(f"{system.url}/api/v1/tokens", json={"username": username, "password": "wrong"},
                             timeout=30).status_code

    statuses = [attempt("guesser") for _ in range(25)]
    assert statuses[0] == 401
    assert 429 in statuses  # counted per gateway worker: at most 10 a minute each
    assert attempt("someone-else") == 401


def test_the_callers_request_id_reaches_the_services_logs(system, admin):
    response = admin.post("/api/v1/branches", json={"code": "CID", "name": "关联支部"},
                          headers={"X-Request-ID": "trace-me-0123456789"})
    assert response.headers["X-Request-ID"] == "trace-me-0123456789"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        logs = {name: (system.cluster.log_dir / f"{name}.log").read_text() for name in ("gateway", "assessment", "projections")}
        if all('"correlation_id": "trace-me-0123456789"' in text for text in logs.values()):
            break
        time.sleep(0.2)
    for name, text in logs.items():
        assert '"correlation_id": "trace-me-0123456789"' in text, name
