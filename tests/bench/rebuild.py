"""Figure 2: rebuilding the projections read model through the real path.

`reset` + `replay`, the follower pulling pages over RPC (`SourceLog`) from a running assessment
service, into an empty read model; next to a raw `SELECT * FROM assessment_events ORDER BY id`
of the same events from the same database. Diagnostics split the rebuild's time between
fetching pages (RPC, including the service building them) and applying them."""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sqlite3
import time
from collections import Counter
from pathlib import Path

import psycopg
from sqlalchemy import func, select

import services  # noqa: F401 - quiets eventlet's import-time notice
from services.assessment.schemas import CONTRACT
from services.cluster import Cluster, free_port
from services.projections.rebuild import PAGE, replay
from services.projections.tables import branches, open_read_model, people, renew, roles, skipped
from shared.consumer import SourceLog
from shared.eventstore import EventLog
from tests.bench.common import figure, note, stopwatch, target

TARGET_RATE = 20_000


class TimedFetch:
    """The follower's fetch, timed: how much of the rebuild is waiting for pages."""

    def __init__(self, fetch):
        self.fetch = fetch
        self.seconds = 0.0
        self.pages = 0

    def __call__(self, position: int, limit: int):
        started = time.perf_counter()
        try:
            return self.fetch(position, limit)
        finally:
            self.seconds += time.perf_counter() - started
            self.pages += 1


def raw_select(source_url: str) -> tuple[int, float]:
    """Rows and seconds of `SELECT * FROM assessment_events ORDER BY id` on the driver itself."""
    query = "SELECT * FROM assessment_events ORDER BY id"
    if source_url.startswith("sqlite:///"):
        connection = sqlite3.connect(source_url[len("sqlite:///"):])
        try:
            with stopwatch() as took:
                rows = connection.execute(query).fetchall()
        finally:
            connection.close()
        return len(rows), took[0]
    database, schema = source_url.split("?options=-csearch_path%3D")
    connect = psycopg.connect(database.replace("+psycopg", ""), options=f"-csearch_path={schema}")
    with connect as connection, stopwatch() as took:
        rows = connection.execute(query).fetchall()
    return len(rows), took[0]


def eventlog_pages(app, head: int) -> float:
    """Seconds for the service's own page building (`EventLog.after`), with no RPC."""
    log = EventLog(app, CONTRACT)
    position = 0
    with stopwatch() as took:
        while position < head:
            page = log.after(position, PAGE)
            position = page[-1].position
    return took[0]


def bench(label: str, app, counts: Counter, data_dir: Path, source_url: str, database_url: str | None,
          target_url: str, amqp_uri: str, stack) -> None:
    """`app` holds the filled log at `source_url`; the service runs on `data_dir`/`database_url`;
    the read model is rebuilt at `target_url` (empty)."""
    head = EventLog(app, CONTRACT).head()
    cluster = Cluster(data_dir, amqp_uri, database_url, port=free_port(), assessment_port=free_port(),
                      projections_port=free_port())
    stack.callback(cluster.stop)
    cluster.start("assessment")
    cluster.wait_ready("assessment")

    model = open_read_model(target_url)
    fetch = TimedFetch(SourceLog("assessment", amqp_uri))
    stack.callback(fetch.fetch.close)
    fetch(0, 1)  # the RPC proxy's start (once per process) is not part of the rebuild
    fetch.seconds = fetch.pages = 0

    with stopwatch() as took_reset:
        renew(model)
    with stopwatch() as took:
        reached = replay(model, {"assessment": fetch})
    total = took_reset[0] + took[0]
    _check(model, reached, head, counts)

    rows, raw = raw_select(source_url)
    assert rows == head, f"raw select read {rows} of {head}"
    server_side = eventlog_pages(app, head)
    rate = head / total
    applying = took[0] - fetch.seconds
    note(f"rebuild {label}: {head} events in {total:.2f} s (reset {took_reset[0]:.2f} s, "
         f"fetch {fetch.seconds:.2f} s over {fetch.pages} pages, apply {applying:.2f} s); "
         f"EventLog.after in-process {server_side:.2f} s; raw select {raw:.3f} s")
    figure(f"rebuild_{label}_events", head, "events")
    figure(f"rebuild_{label}_rate", rate, "events/s")
    figure(f"rebuild_{label}_baseline_raw_select_rate", head / raw, "events/s")
    figure(f"rebuild_{label}_ratio_to_raw_select", rate / (head / raw), "x")
    figure(f"rebuild_{label}_fetch_share", 100 * fetch.seconds / total, "%")
    figure(f"rebuild_{label}_apply_share", 100 * applying / total, "%")
    figure(f"rebuild_{label}_fetch_rate", head / fetch.seconds, "events/s")
    figure(f"rebuild_{label}_apply_rate", head / applying, "events/s")
    figure(f"rebuild_{label}_diag_eventlog_after_rate", head / server_side, "events/s")
    target(f"rebuild_{label}_rate", rate, TARGET_RATE)

    if os.environ.get("BENCH_PROFILE"):
        _profile(label, model, fetch.fetch)
    cluster.stop()


def _check(model, reached: dict, head: int, counts: Counter) -> None:
    assert reached == {"assessment": head}, reached
    with model.transaction() as session:
        found = {t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
                 for t in (branches, people, roles, skipped)}
    expected_roles = counts["PersonRoleGranted"] - counts["PersonRoleRevoked"]
    wanted = {"projections_branches": counts["BranchRegistered"], "projections_people": counts["PersonRegistered"],
              "projections_roles": expected_roles, "projections_skipped": 0}
    assert found == wanted, f"rebuilt rows {found}, expected {wanted}"


def _profile(label: str, model, fetch) -> None:
    """BENCH_PROFILE=1: a second, profiled rebuild (client side only), top functions to stderr."""
    profiler = cProfile.Profile()
    renew(model)
    profiler.enable()
    replay(model, {"assessment": fetch})
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
    note(f"profile of the rebuild ({label}), by own time:\n{out.getvalue()}")
