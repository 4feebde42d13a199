"""Figure 3: HTTP command round trip at a fixed rate, open loop.

The whole system runs (gateway, assessment, projections: `tests.conftest.System`). After
signing in, POST /api/v1/branches (a unique code each) is sent at fixed times, 50 a second,
from a small thread pool; each latency runs from the request's scheduled time to its
response, so a slow answer cannot delay the measurement of the next ones. Baseline: GET
/healthz on the same gateway at the same rate and for as long.

Diagnostics: the services' own log lines (joined by correlation id) split a command's time
between the assessment command, the read-your-writes wait and the gateway; /proc gives each
part's CPU per request and how much of the machine other work took; the same commands at
20 requests/s show how much of the tail is load."""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from tests.bench.common import figure, note, percentile, target
from tests.conftest import ADMIN_PASSWORD, Client, System

RATE = 50.0
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "30"))
WARMUP_SECONDS = 3.0
POOL = 16
LOW_RATE = 20.0
LOW_RATE_SECONDS = 15.0
TARGET_P99_MS = 50.0


@dataclass
class Outcome:
    scheduled: float
    started: float
    finished: float
    status: int
    body: bytes = b""


@dataclass
class Target:
    host: str
    port: int
    headers: dict[str, str] = field(default_factory=dict)


class Connections:
    """One keep-alive connection per thread; a connection the server closed while idle is
    opened again once (the request never reached the application)."""

    def __init__(self, where: Target):
        self.where = where
        self.local = threading.local()

    def request(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        headers = dict(self.where.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            connection = getattr(self.local, "connection", None)
            fresh = connection is None
            if fresh:
                connection = self.local.connection = http.client.HTTPConnection(
                    self.where.host, self.where.port, timeout=30)
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest):
                connection.close()
                self.local.connection = None
                if fresh or attempt == 2:
                    raise
        raise AssertionError("unreachable")


def open_loop(connections: Connections, method: str, path: str, body, rate: float, seconds: float) -> list[Outcome]:
    """Send `int(rate * seconds)` requests at fixed times; every outcome, in order."""
    count = int(rate * seconds)
    outcomes: list[Outcome | None] = [None] * count

    def send(i: int, scheduled: float) -> None:
        started = time.perf_counter()
        try:
            status, data = connections.request(method, path, body(i) if body else None)
        except Exception as exc:  # noqa: BLE001 - an error is a result here
            status, data = 0, repr(exc).encode()
        outcomes[i] = Outcome(scheduled, started, time.perf_counter(), status, data)

    with ThreadPoolExecutor(POOL) as pool:
        origin = time.perf_counter() + 0.05
        for i in range(count):
            scheduled = origin + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, i, scheduled)
    return [o for o in outcomes if o is not None]


def report(name: str, outcomes: list[Outcome], expected_status: int) -> float:
    latencies = [(o.finished - o.scheduled) * 1000 for o in outcomes]
    errors = [o for o in outcomes if o.status != expected_status]
    lag = max((o.started - o.scheduled) * 1000 for o in outcomes)
    span = outcomes[-1].scheduled - outcomes[0].scheduled
    figure(f"http_{name}_requests", len(outcomes), "requests")
    figure(f"http_{name}_rate", (len(outcomes) - 1) / span, "requests/s")
    figure(f"http_{name}_p50", percentile(latencies, 50), "ms")
    figure(f"http_{name}_p99", percentile(latencies, 99), "ms")
    figure(f"http_{name}_max", max(latencies), "ms")
    figure(f"http_{name}_errors", len(errors), "requests")
    figure(f"http_{name}_diag_max_send_lag", lag, "ms")
    for o in errors[:3]:
        note(f"{name}: status {o.status}: {o.body[:300]!r}")
    return percentile(latencies, 99)


def _log_sizes(log_dir: Path) -> dict[str, int]:
    return {s: (log_dir / f"{s}.log").stat().st_size for s in ("gateway", "assessment", "projections")}


def _records(log_dir: Path, service: str, offset: int) -> list[dict]:
    with open(log_dir / f"{service}.log", "rb") as file:
        file.seek(offset)
        lines = file.read().decode(errors="replace").splitlines()
    records = []
    for line in lines:
        if line.startswith("{"):
            with contextlib.suppress(ValueError):
                records.append(json.loads(line))
    return records


def _at(record: dict) -> float:
    """A log line's time in ms (python-json-logger's asctime has ms resolution)."""
    moment = datetime.strptime(record["time"], "%Y-%m-%d %H:%M:%S,%f")
    return moment.timestamp() * 1000


def _server_side(log_dir: Path, offsets: dict[str, int]) -> None:
    """Split the measured commands' time with the services' own log lines (joined by
    correlation id): the assessment command, the read-your-writes wait, the gateway's share
    (its own work and both RPC round trips through RabbitMQ), and how long after the command
    the projections service had applied its event (relay, broker, follower)."""
    gateway = {r.get("correlation_id"): r for r in _records(log_dir, "gateway", offsets["gateway"])
               if r.get("message") == "http" and r.get("route") == "/api/v1/branches" and r.get("method") == "POST"}
    command = {r.get("correlation_id"): r for r in _records(log_dir, "assessment", offsets["assessment"])
               if r.get("message") == "rpc" and r.get("method") == "register_branch"}
    waited, projected = {}, {}
    for r in _records(log_dir, "projections", offsets["projections"]):
        if r.get("message") == "rpc" and r.get("method") == "wait_for":
            waited[r.get("correlation_id")] = r
        elif r.get("message") == "event received":
            projected[r.get("correlation_id")] = r
    ids = [c for c in gateway if c in command and c in waited]
    parts = {
        "gateway_request": [gateway[c]["ms"] for c in gateway],
        "assessment_register_branch": [command[c]["ms"] for c in command],
        "projections_wait_for": [waited[c]["ms"] for c in waited],
        "gateway_and_rpc_transport": [gateway[c]["ms"] - command[c]["ms"] - waited[c]["ms"] for c in ids],
        "command_to_applied_logged": [_at(projected[c]) - _at(command[c]) for c in command if c in projected],
    }
    for name, values in parts.items():
        if values:
            figure(f"http_command_diag_{name}_p50", percentile(values, 50), "ms")
            figure(f"http_command_diag_{name}_p99", percentile(values, 99), "ms")


TICK = os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds of each part of the system (from /proc), to say where a request's cost is."""

    def __init__(self, system: System):
        self.groups = {name: p.popen.pid for name, p in system.cluster.processes.items() if p.popen}

    def _pids(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {name: [] for name in (*self.groups, "rabbitmq", "bench_client")}
        found["bench_client"].append(os.getpid())
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            try:
                pgid = os.getpgid(pid)
                comm = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:
                continue
            for name, leader in self.groups.items():
                if pgid == leader:
                    found[name].append(pid)
            if comm == "beam.smp":
                found["rabbitmq"].append(pid)
        return found

    @staticmethod
    def _seconds(pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / TICK

    @staticmethod
    def _machine() -> tuple[float, float]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(values), values[3] + values[4]

    def sample(self) -> tuple[dict[str, float], tuple[float, float]]:
        return {n: sum(self._seconds(p) for p in pids) for n, pids in self._pids().items()}, self._machine()

    def report(self, name: str, before, after, requests: int) -> None:
        """CPU per request of each part, how busy the machine was, and how much of that was
        other work (processes that are not this system, RabbitMQ or this client)."""
        (cpu0, (all0, idle0)), (cpu1, (all1, idle1)) = before, after
        capacity = max(1, all1 - all0) / TICK  # CPU-seconds the machine had (all cores)
        spent = {part: cpu1[part] - cpu0.get(part, 0) for part in cpu1}
        busy = 100 * (1 - (idle1 - idle0) / max(1, all1 - all0))
        figure(f"http_{name}_diag_machine_busy", busy, "%")
        figure(f"http_{name}_diag_other_load", max(0.0, busy - 100 * sum(spent.values()) / capacity), "%")
        for part, seconds in spent.items():
            figure(f"http_{name}_diag_cpu_{part}", 1000 * seconds / requests, "ms/request")


def bench(data_dir: Path, stack) -> None:
    system = System(data_dir)
    stack.callback(system.close)
    admin = Client(system.url, "admin", ADMIN_PASSWORD)
    url = urlparse(system.url)
    where = Target(url.hostname, url.port, {"Authorization": admin.http.headers["Authorization"]})
    connections = Connections(where)
    cpu = CpuMeter(system)
    codes = itertools.count()

    def branch(_: int) -> bytes:
        n = next(codes)
        return json.dumps({"code": f"H{n:05d}", "name": f"压测支部{n}", "departments": ["内科"]}).encode()

    note(f"http: healthz, then commands, at {RATE:g}/s, {WARMUP_SECONDS:g} s warm-up + {SECONDS:g} s each")
    open_loop(connections, "GET", "/healthz", None, RATE, WARMUP_SECONDS)
    before = cpu.sample()
    healthz = open_loop(connections, "GET", "/healthz", None, RATE, SECONDS)
    cpu.report("healthz_baseline", before, cpu.sample(), len(healthz))
    report("healthz_baseline", healthz, 200)

    open_loop(connections, "POST", "/api/v1/branches", branch, RATE, WARMUP_SECONDS)
    offsets = _log_sizes(system.cluster.log_dir)
    before = cpu.sample()
    commands = open_loop(connections, "POST", "/api/v1/branches", branch, RATE, SECONDS)
    cpu.report("command", before, cpu.sample(), len(commands))
    time.sleep(0.5)  # let the last log lines reach the files
    p99 = report("command", commands, 201)
    not_applied = sum(1 for o in commands if o.status == 201 and not json.loads(o.body).get("applied"))
    figure("http_command_not_applied_within_settle", not_applied, "requests")
    _server_side(system.cluster.log_dir, offsets)

    # The same commands at a lower rate: does the tail come from load (queueing) or per request?
    slow = open_loop(connections, "POST", "/api/v1/branches", branch, LOW_RATE, LOW_RATE_SECONDS)
    latencies = [(o.finished - o.scheduled) * 1000 for o in slow]
    figure(f"http_command_diag_at_{LOW_RATE:g}rps_p50", percentile(latencies, 50), "ms")
    figure(f"http_command_diag_at_{LOW_RATE:g}rps_p99", percentile(latencies, 99), "ms")
    figure(f"http_command_diag_at_{LOW_RATE:g}rps_errors", sum(o.status != 201 for o in slow), "requests")
    target("http_command_p99_ms", p99, TARGET_P99_MS, higher_is_better=False)
