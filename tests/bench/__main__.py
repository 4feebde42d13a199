"""`make bench`: every figure next to its baseline, then one line per target.

  .venv/bin/python -m tests.bench

Environment: BENCH_EVENTS (events in each log, default 24000), BENCH_HTTP_SECONDS (default
30), BENCH_PROFILE=1 (print a cProfile of a second rebuild to stderr), BENCH_ONLY (comma list
of relay, rebuild, http, ballots), BENCH_BALLOT_SECONDS (default 60),
BENCH_BALLOT_SYSTEM_ENV (NAME=value,... for the system of the ballots figure, to try a setting)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import services  # noqa: F401 - quiets eventlet's import-time notice
from services.assessment.application import AssessmentApplication
from shared.eventstore import Checkpoint, store_env
from tests.bench import ballots, http_commands, rebuild, relay
from tests.bench.common import Scratch, note, print_targets, stopwatch
from tests.bench.fill import fill

EVENTS = int(os.environ.get("BENCH_EVENTS", "24000"))
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "relay,rebuild,http,ballots").split(",")))


def _terminated(signum, frame):
    raise SystemExit(128 + signum)  # unwinds the ExitStack: everything started is cleaned up


def main() -> int:
    signal.signal(signal.SIGTERM, _terminated)
    started = time.perf_counter()
    note(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with contextlib.ExitStack() as stack:
        scratch = Scratch(stack)
        scratch_dir = Path(tempfile.mkdtemp(prefix="grassroots-bench-"))
        stack.callback(shutil.rmtree, scratch_dir, True)
        if ONLY & {"relay", "rebuild"}:
            for label in ("sqlite", "postgresql"):
                data_dir = scratch_dir / label
                data_dir.mkdir()
                if label == "sqlite":
                    source_url, database_url = f"sqlite:///{data_dir / 'assessment.sqlite'}", None
                    target_url = f"sqlite:///{scratch_dir / 'rebuilt.sqlite'}"
                else:
                    source_url = database_url = scratch.schema()
                    target_url = scratch.schema()
                app = AssessmentApplication(env=store_env(source_url))
                stack.callback(app.datastore.engine.dispose)
                with stopwatch() as took:
                    counts = fill(app, EVENTS)
                note(f"{label}: recorded {sum(counts.values())} events in {took[0]:.1f} s: {dict(counts)}")
                if "relay" in ONLY:
                    relay.bench(label, app, scratch.amqp_uri)
                else:  # the running service's relay would otherwise publish the whole log first
                    Checkpoint(app.datastore, "assessment").save(sum(counts.values()))
                if "rebuild" in ONLY:
                    rebuild.bench(label, app, counts, data_dir, source_url, database_url, target_url,
                                  scratch.amqp_uri, stack)
        if "http" in ONLY:
            http_commands.bench(scratch_dir / "system", stack)
        if "ballots" in ONLY:
            ballots.bench(scratch_dir / "ballots", stack)
        print_targets()
    note(f"bench finished in {time.perf_counter() - started:.0f} s; "
         f"load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
