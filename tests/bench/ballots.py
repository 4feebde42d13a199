"""Figure 4: secret ballot intake at 1000 requests/s, open loop, and how soon they are counted.

The whole system runs (`tests.conftest.System`). Untimed setup: a cycle of this year whose
survey phase runs Jan 1 - Dec 31 (ballots open), 8 branches x 2 categories = 16 ballot boxes,
and one distinct one-time code per request (issued 500 per call by the Party office). Then
POST /api/v1/ballots (no authentication) is sent at 1000/s for BENCH_BALLOT_SECONDS (default
60), each request with its own unused code, request i to box i mod 16. Latency runs from each
request's scheduled time to the last byte of its response. Baselines, at the same rate and for
as long, from the same client: a bare gunicorn JSON endpoint (`tests.bench.bare`: the gateway's
gunicorn settings, a plain WSGI function, no Flask), and GET /healthz of the gateway itself.

The client (`tests.bench.openloop`) is one Python thread driving a pool of keep-alive
connections with `selectors`, opening another whenever none is free (up to 900, gunicorn's
worker_connections being 1000 a worker); its CPU per request, and so its capacity, is reported.
Send lag (scheduled to sent) is reported too: it is the client's own delay while connections are
free, and the server's backlog once all 900 are waiting. A request that waited 30 s for a
connection, or 30 s for its answer, counts as failed, as a voter would have given up; this also
bounds the run at 30 s past its schedule. (wrk, from Debian, is closed-loop: a slow answer delays
the next request on its connection, so it reports less latency than voters would see.)

Counting: a box records pending ballots once it holds k = 5 of them, so up to 4 per box wait
until the box is closed. When the last response is in ("the load stops"), the boxes of
branches 1-4 are closed at once and the standings are read every 0.1 s until each of their
boxes counts every ballot it accepted: that time is `ballots_counted_all_after_load` (the
closes are appended to the log after every batch of the load, so by then the other boxes'
batches are counted as well). The boxes of branches 5-8 stay open for 5 s:
`ballots_counted_within_5s_without_close` is what their standings count by then, out of
`ballots_open_half_accepted`; then they are closed too and everything must be counted."""

from __future__ import annotations

import contextlib
import json
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

from tests.bench.bare import measure
from tests.bench.common import figure, note, percentile, stopwatch, target
from tests.bench.http_commands import CpuMeter, _log_sizes, _records
from tests.bench.openloop import OpenLoop, Run, request_bytes
from tests.conftest import ADMIN_PASSWORD, Client, System

RATE = float(os.environ.get("BENCH_BALLOT_RATE", "1000"))  # the target; lower to find the p99 below capacity
SECONDS = float(os.environ.get("BENCH_BALLOT_SECONDS", "60"))
WARMUP_SECONDS = 3.0
BRANCHES = 8
CATEGORIES = ("members", "masses")
CODES_PER_CALL = 500
CLOSED_AT_ONCE = 4  # branches whose boxes are closed as soon as the load stops
OPEN_FOR = 5.0
POLL = 0.1
COUNT_TIMEOUT = 90.0
TARGET_P99_MS = 50.0
# For trying a configuration (not part of `make bench`): "NAME=value,NAME=value" added to the
# system's environment, e.g. GRASSROOTS_THREADS=64 or AGGREGATE_CACHE_MAXSIZE=1000.
SYSTEM_ENV = dict(item.split("=", 1) for item in filter(None, os.environ.get("BENCH_BALLOT_SYSTEM_ENV", "").split(",")))
GOODS = ("leadership_team", "member_body", "mechanism", "results", "mass_response")
LEVELS = ("good", "fairly_good", "fair", "poor")
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
YEAR = datetime.now(timezone(timedelta(hours=8))).year  # the hospital's calendar decides "open"


def _setup(system: System, admin: Client, main: int, warmup: int) -> tuple[str, list[tuple[str, str]], list, list]:
    """The cycle, the boxes (branch id, category) and codes: `main` for the measured run, spread
    evenly over the boxes, and `warmup` in a box of a branch of its own."""
    cycle = admin.post("/api/v1/cycles", json={
        "year": YEAR, "title": f"{YEAR}年压测年度",
        "phases": [{"key": "survey", "name": "调查摸底", "starts_on": f"{YEAR}-01-01", "due_on": f"{YEAR}-12-31"}],
        "weights": {"self_assessment": 20, "ballots": 40, "superior": 40}, "thresholds": {"advanced": 85, "average": 70},
    })
    assert cycle.status_code == 201, cycle.text
    cycle_id = cycle.json()["id"]
    branch_ids = []
    for b in range(BRANCHES + 1):
        created = admin.post("/api/v1/branches", json={"code": f"BV{b}", "name": f"投票压测{b}支部"})
        assert created.status_code == 201, created.text
        branch_ids.append(created.json()["id"])
    boxes = [(branch, category) for branch in branch_ids[:BRANCHES] for category in CATEGORIES]
    per_box = -(-main // len(boxes))
    jobs = [(box, CODES_PER_CALL if left >= CODES_PER_CALL else left)
            for box in boxes for left in range(per_box, 0, -CODES_PER_CALL)]
    jobs += [((branch_ids[BRANCHES], "members"), min(CODES_PER_CALL, left)) for left in range(warmup, 0, -CODES_PER_CALL)]
    client = _per_thread(system, admin)

    def issue(job) -> tuple[tuple[str, str], list[str]]:
        (branch, category), count = job
        issued = client().post(f"/api/v1/cycles/{cycle_id}/branches/{branch}/ballot-codes",
                                   json={"category": category, "count": count})
        assert issued.status_code == 201, issued.text
        return (branch, category), issued.json()["codes"]

    codes: dict[tuple[str, str], list[str]] = {}
    with ThreadPoolExecutor(4) as pool:
        for box, got in pool.map(issue, jobs):
            codes.setdefault(box, []).extend(got)
    # Request i goes to box i mod 16: every box gets its share all through the run.
    main_slips = [(boxes[i % len(boxes)], codes[boxes[i % len(boxes)]][i // len(boxes)]) for i in range(main)]
    warm_box = (branch_ids[BRANCHES], "members")
    warm_slips = [(warm_box, code) for code in codes[warm_box][:warmup]]
    return cycle_id, boxes, main_slips, warm_slips


def _per_thread(system: System, admin: Client):
    """A signed-in client of this thread's own (a requests session is not for many threads)."""
    local = threading.local()

    def client() -> Client:
        if not hasattr(local, "client"):
            local.client = Client(system.url)
            local.client.http.headers["Authorization"] = admin.http.headers["Authorization"]
        return local.client

    return client


def _bodies(host: str, slips: list) -> list[bytes]:
    chance = random.Random(4)
    requests = []
    for _, code in slips:
        ballot = {"code": code, "ratings": {g: chance.choice(LEVELS) for g in GOODS},
                  "satisfaction": chance.choice(SATISFACTION)}
        requests.append(request_bytes("POST", "/api/v1/ballots", host, json.dumps(ballot).encode()))
    return requests


def _report(name: str, run: Run, expected: int) -> dict[str, float]:
    latencies = run.latencies_ms()
    ok = sum(1 for s in run.status if s == expected)
    span = max(run.finished) - run.scheduled[0]
    lag = max((s - d) * 1000 for s, d in zip(run.started, run.scheduled, strict=True))
    p99 = percentile(latencies, 99)
    figure(f"ballots_{name}_requests", len(run), "requests")
    figure(f"ballots_{name}_rate", ok / span, "ballots/s" if name == "intake" else "requests/s")
    figure(f"ballots_{name}_p50", percentile(latencies, 50), "ms")
    figure(f"ballots_{name}_p99", p99, "ms")
    figure(f"ballots_{name}_max", max(latencies), "ms")
    figure(f"ballots_{name}_errors", len(run) - ok, "requests")
    figure(f"ballots_{name}_diag_max_send_lag", lag, "ms")
    figure(f"ballots_{name}_diag_client_cpu", 1000 * run.client_cpu / len(run), "ms/request")
    figure(f"ballots_{name}_diag_client_capacity", len(run) / max(run.client_cpu, 1e-9), "requests/CPU-s")
    figure(f"ballots_{name}_diag_connections_opened", run.connections, "connections")
    figure(f"ballots_{name}_diag_unsent_after_30s", run.unsent, "requests")
    tenth = max(1, len(latencies) // 10)
    figure(f"ballots_{name}_diag_p99_first_tenth", percentile(latencies[:tenth], 99), "ms")
    figure(f"ballots_{name}_diag_p99_last_tenth", percentile(latencies[-tenth:], 99), "ms")
    statuses = Counter(run.status)
    if set(statuses) != {expected}:
        note(f"{name}: statuses {dict(statuses)}; first bodies: "
             + "; ".join(f"{s}: {b!r}" for s, b in list(run.bodies.items())[:3]))
    return {"rate": ok / span, "p99": p99, "span": span}


def _cpu(name: str, before, after, requests: int) -> None:
    """CPU per request of each part, how busy the machine was and how much of that was other
    work (not this system, RabbitMQ or this client), and each part's average cores in use."""
    (cpu0, (all0, idle0)), (cpu1, (all1, idle1)) = before, after
    ticks = max(1, all1 - all0)
    spent = {part: cpu1[part] - cpu0.get(part, 0) for part in cpu1}
    busy = 100 * (1 - (idle1 - idle0) / ticks)
    capacity = ticks / os.sysconf("SC_CLK_TCK")
    figure(f"ballots_{name}_diag_machine_busy", busy, "%")
    figure(f"ballots_{name}_diag_other_load", max(0.0, busy - 100 * sum(spent.values()) / capacity), "%")
    for part, seconds in spent.items():
        figure(f"ballots_{name}_diag_cpu_{part}", 1000 * seconds / requests, "ms/request")
        figure(f"ballots_{name}_diag_cores_{part}", seconds / (capacity / (os.cpu_count() or 1)), "cores")


def _per_process(cpu: CpuMeter, part: str) -> tuple[float, dict[int, float]]:
    return time.perf_counter(), {pid: cpu._seconds(pid) for pid in cpu._pids()[part]}


def _busiest(name: str, part: str, before, after) -> None:
    """A Python process runs on one core at most (the GIL): the busiest one of a part."""
    (t0, cpu0), (t1, cpu1) = before, after
    busiest = max((cpu1[pid] - cpu0.get(pid, 0.0) for pid in cpu1), default=0.0)
    figure(f"ballots_{name}_diag_busiest_{part}_process", busiest / (t1 - t0), "cores")


def _server_side(log_dir: Path, offsets: dict[str, int], accepted: int, span: float) -> None:
    """The gateway's own time per ballot request and the assessment's per batch, from the logs."""
    gateway = [r["ms"] for r in _records(log_dir, "gateway", offsets["gateway"])
               if r.get("message") == "http" and r.get("route") == "/api/v1/ballots"]
    batches = [r["ms"] for r in _records(log_dir, "assessment", offsets["assessment"])
               if r.get("message") == "rpc" and r.get("method") == "cast_ballots"]
    if gateway:
        figure("ballots_intake_diag_gateway_request_p50", percentile(gateway, 50), "ms")
        figure("ballots_intake_diag_gateway_request_p99", percentile(gateway, 99), "ms")
    if batches:
        figure("ballots_intake_diag_cast_ballots_calls", len(batches), "RPCs")
        figure("ballots_intake_diag_ballots_per_call", accepted / len(batches), "ballots")
        figure("ballots_intake_diag_cast_ballots_p50", percentile(batches, 50), "ms")
        figure("ballots_intake_diag_cast_ballots_p99", percentile(batches, 99), "ms")
        tenth = max(1, len(batches) // 10)
        figure("ballots_intake_diag_cast_ballots_p50_first_tenth", percentile(batches[:tenth], 50), "ms")
        figure("ballots_intake_diag_cast_ballots_p50_last_tenth", percentile(batches[-tenth:], 50), "ms")
        figure("ballots_intake_diag_cast_ballots_in_progress", sum(batches) / 1000 / span, "calls (mean)")


class Standings:
    """Ballots counted per box, read from GET /api/v1/cycles/<id>/standings."""

    def __init__(self, admin: Client, cycle_id: str):
        self.admin, self.cycle_id = admin, cycle_id

    def counts(self) -> dict[tuple[str, str], int]:
        response = self.admin.get(f"/api/v1/cycles/{self.cycle_id}/standings")
        response.raise_for_status()
        return {(row["branch_id"], category): row["ballots"][category]["count"]
                for row in response.json()["branches"] for category in CATEGORIES}


def _complete(counts: dict, boxes: list, accepted: Counter) -> bool:
    return all(counts.get(box, 0) >= accepted[box] for box in boxes)


def bench(data_dir: Path, stack: contextlib.ExitStack) -> None:
    if SYSTEM_ENV:
        note(f"ballots: the system runs with {SYSTEM_ENV} (BENCH_BALLOT_SYSTEM_ENV)")
    system = System(data_dir, **SYSTEM_ENV)
    stack.callback(system.close)
    admin = Client(system.url, "admin", ADMIN_PASSWORD)
    url = urlparse(system.url)
    host = f"{url.hostname}:{url.port}"
    main_count, warm_count = int(RATE * SECONDS), int(RATE * WARMUP_SECONDS)
    with stopwatch() as took:
        cycle_id, boxes, slips, warm_slips = _setup(system, admin, main_count, warm_count)
    note(f"ballots: setup (cycle, {BRANCHES + 1} branches, {main_count + warm_count} codes) took {took[0]:.1f} s, untimed")
    ballots, warm_ballots = _bodies(host, slips), _bodies(host, warm_slips)
    healthz = request_bytes("GET", "/healthz", host)
    client = OpenLoop(url.hostname, url.port)
    stack.callback(client.close)
    cpu = CpuMeter(system)

    note(f"ballots: open loop at {RATE:g}/s from one Python thread over keep-alive connections "
         f"(tests/bench/openloop.py); {WARMUP_SECONDS:g} s warm-up + {SECONDS:g} s healthz, then the same for ballots")
    bare, bare_cpu = measure(main_count, RATE, warm_count)
    figure("ballots_bare_gunicorn_diag_cpu", bare_cpu * 1000, "ms/request")
    _report("bare_gunicorn", bare, 200)
    client.run(lambda i: healthz, warm_count, RATE)
    before, gateway0 = cpu.sample(), _per_process(cpu, "gateway")
    baseline = client.run(lambda i: healthz, main_count, RATE)
    _cpu("healthz_baseline", before, cpu.sample(), main_count)
    _busiest("healthz_baseline", "gateway", gateway0, _per_process(cpu, "gateway"))
    _report("healthz_baseline", baseline, 200)

    warm = client.run(warm_ballots, warm_count, RATE)
    note(f"ballots: warm-up statuses {dict(Counter(warm.status))}")
    offsets = _log_sizes(system.cluster.log_dir)
    before, processes0 = cpu.sample(), {p: _per_process(cpu, p) for p in ("gateway", "assessment")}
    run = client.run(ballots, main_count, RATE)
    t0 = time.perf_counter()  # the load stopped: every response is in
    after, processes1 = cpu.sample(), {p: _per_process(cpu, p) for p in ("gateway", "assessment")}

    # Close the first half's boxes right away (in parallel), reading the standings meanwhile.
    standings = Standings(admin, cycle_id)
    accepted = Counter(slips[i][0] for i, s in enumerate(run.status) if s == 201)
    closed_first = [box for box in boxes if box[0] in {b for b, _ in boxes[: 2 * CLOSED_AT_ONCE]}]
    left_open = [box for box in boxes if box not in closed_first]

    closer = _per_thread(system, admin)

    def close(box) -> float:
        response = closer().post(f"/api/v1/cycles/{cycle_id}/branches/{box[0]}/ballot-boxes/close",
                                 json={"category": box[1]})
        assert response.status_code == 200, response.text
        return time.perf_counter() - t0

    # One loop reads the standings every POLL s: until the first half counts everything it
    # accepted, until 5 s for the open half (then closed), until every box counts everything.
    closers = ThreadPoolExecutor(len(boxes))
    stack.callback(closers.shutdown)
    first_closes = [closers.submit(close, box) for box in closed_first]
    later_closes: list = []
    at_stop = standings.counts()
    counted_all = everything = None
    open_counts, open_read_at, final = at_stop, 0.0, at_stop
    while True:
        began = time.perf_counter()
        final = standings.counts()
        now = time.perf_counter()
        if counted_all is None and _complete(final, closed_first, accepted):
            counted_all = now - t0
        if not later_closes:
            if now <= t0 + OPEN_FOR:
                open_counts, open_read_at = final, now - t0
            else:
                later_closes = [closers.submit(close, box) for box in left_open]
        elif _complete(final, boxes, accepted):
            everything = now - t0
            break
        if now > t0 + COUNT_TIMEOUT:
            break
        time.sleep(max(0.0, POLL - (time.perf_counter() - began)))
    closes = [f.result() for f in first_closes]
    for f in later_closes:
        f.result()
    time.sleep(0.5)  # let the last log lines reach the files

    total_accepted = sum(accepted.values())
    _cpu("intake", before, after, main_count - run.unsent)  # per request that reached the gateway
    result = _report("intake", run, 201)
    for part in processes0:
        _busiest("intake", part, processes0[part], processes1[part])
    _server_side(system.cluster.log_dir, offsets, total_accepted, result["span"])
    figure("ballots_accepted", total_accepted, "ballots")
    figure("ballots_counted_at_load_stop", sum(at_stop.get(b, 0) for b in boxes), "ballots")
    figure("ballots_diag_closes_answered_after_load", max(closes), "s")
    figure("ballots_counted_all_after_load", counted_all if counted_all is not None else COUNT_TIMEOUT, "s")
    half = sum(accepted[b] for b in left_open)
    counted_open = sum(open_counts.get(b, 0) for b in left_open)
    figure("ballots_open_half_accepted", half, "ballots")
    figure("ballots_counted_within_5s_without_close", counted_open, "ballots")
    figure("ballots_not_counted_within_5s_without_close", half - counted_open, "ballots")
    figure("ballots_diag_everything_counted_after_load", everything if everything is not None else COUNT_TIMEOUT, "s")
    figure("ballots_diag_never_counted", sum(max(0, accepted[b] - final.get(b, 0)) for b in boxes), "ballots")
    figure("ballots_diag_counted_more_than_accepted", sum(max(0, final.get(b, 0) - accepted[b]) for b in boxes), "ballots")
    note(f"ballots: counting: the boxes of {CLOSED_AT_ONCE} branches were closed right after the load stopped "
         f"(closes answered within {max(closes):.2f} s), so remainders below k were counted too; the other "
         f"{BRANCHES - CLOSED_AT_ONCE} branches' boxes stayed open {open_read_at:.1f} s (their count then is "
         f"ballots_counted_within_5s_without_close) and were closed after that")
    target("ballots_rate", result["rate"], RATE)
    target("ballots_p99_ms", result["p99"], TARGET_P99_MS, higher_is_better=False)
    target("ballots_counted_within_5s", counted_all if counted_all is not None else COUNT_TIMEOUT, OPEN_FOR,
           higher_is_better=False)
