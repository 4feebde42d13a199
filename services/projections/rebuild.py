"""Rebuilding the read model from the sources' logs, and proving it equals the live one.

The replay uses the same follower and the same projector as live processing, reading the
sources' logs over RPC in pages; only the batch size differs."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import select

from services.projections.projector import project
from services.projections.service import SOURCES
from services.projections.tables import CONSUMER, READ_TABLES, ReadModel, skipped
from shared.envelope import Envelope
from shared.follower import Follower
from shared.tracking import TrackedStore

log = logging.getLogger(__name__)
Fetch = Callable[[int, int], list[Envelope]]
PAGE = 1000


class Prefetching:
    """A source's log read one page ahead: the next page is fetched while this one is applied.

    Every fetch runs on the one worker thread (an RPC proxy serves one thread at a time)."""

    def __init__(self, fetch: Fetch):
        self.fetch = fetch
        self.worker = ThreadPoolExecutor(1, thread_name_prefix="prefetch")
        self.ahead: tuple[tuple[int, int], Future] | None = None

    def __call__(self, position: int, limit: int) -> list[Envelope]:
        if self.ahead is not None and self.ahead[0] == (position, limit):
            page = self.ahead[1].result()
        else:
            page = self.worker.submit(self.fetch, position, limit).result()
        self.ahead = None
        if len(page) == limit:
            following = (page[-1].position, limit)
            self.ahead = (following, self.worker.submit(self.fetch, *following))
        return page

    def close(self) -> None:
        self.worker.shutdown(wait=True, cancel_futures=True)


def replay(model: ReadModel, fetchers: dict[str, Fetch], until: dict[str, int] | None = None) -> dict[str, int]:
    """Apply each source's log (up to `until`); returns the position reached per source."""
    reached = {}
    # A replay allocates millions of short-lived, acyclic objects: the cyclic collector would
    # spend a fifth of the time finding nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for source, fetch in fetchers.items():
            reached[source] = _replay_source(model, source, fetch, None if until is None else until.get(source, 0))
    finally:
        if collecting:
            gc.enable()
    return reached


def _replay_source(model: ReadModel, source: str, fetch: Fetch, until: int | None) -> int:
    if until == 0:
        return 0
    store = TrackedStore(model.recorder, source, project, skipped)
    ahead = Prefetching(fetch)
    # A replay has no redelivery to wait for: an event that fails is skipped at once, exactly
    # as live processing skips it after its retries.
    follower = Follower(CONSUMER, source, store, ahead, _report_skip, max_attempts=1, page_size=PAGE)
    try:
        return follower.catch_up(until=until)
    finally:
        ahead.close()


def _report_skip(envelope: Envelope, error: str) -> None:
    log.error("replay skipped an event", extra={"position": envelope.position, "error": error})


def snapshot(model: ReadModel) -> tuple[dict[str, int], dict[str, list[tuple[Any, ...]]]]:
    """Every source's position and every read table's rows, read in one transaction."""
    tracking = model.recorder.tracking_table
    with model.transaction() as session:
        positions = {row.application_name: row.notification_id for row in session.execute(select(tracking))}
        tables = {
            table.name: sorted((tuple(_comparable(v) for v in row) for row in session.execute(select(table))), key=repr)
            for table in READ_TABLES
        }
    return {s: positions.get(s, 0) for s in SOURCES}, tables


def _comparable(value: Any) -> Any:
    return repr(value) if isinstance(value, (list, dict)) else value


def differences(live: dict[str, list], rebuilt: dict[str, list]) -> dict[str, dict[str, int]]:
    """Per table with differences: rows only live has, rows only the rebuild has."""
    found = {}
    for name in live:
        only_live = set(live[name]) - set(rebuilt[name])
        only_rebuilt = set(rebuilt[name]) - set(live[name])
        if only_live or only_rebuilt or len(live[name]) != len(rebuilt[name]):
            found[name] = {"only_live": len(only_live), "only_rebuilt": len(only_rebuilt)}
    return found
