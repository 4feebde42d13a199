"""What every benchmark shares: the report lines, the real servers' scratch resources, and
the aggregates that fill an assessment log with a realistic mix of facts."""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
import uuid
from collections.abc import Iterator

import psycopg

from tests.conftest import POSTGRES, amqp_uri_for, drop_vhost, new_postgres_schema, new_vhost

# --- output -------------------------------------------------------------------------------

_targets: list[tuple[str, bool, float, float]] = []


def number(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}" if value else "0"


def figure(name: str, value: float, unit: str) -> None:
    """One reported figure: `name value unit` on stdout."""
    print(f"{name} {number(value)} {unit}", flush=True)


def target(name: str, value: float, threshold: float, higher_is_better: bool = True) -> None:
    met = value >= threshold if higher_is_better else value <= threshold
    _targets.append((name, met, value, threshold))


def print_targets() -> None:
    for name, met, value, threshold in _targets:
        print(f"target_{name} {'met' if met else 'missed'} {number(value)} {number(threshold)}", flush=True)


def note(text: str) -> None:
    """Progress and diagnostics: stderr, so stdout holds only figures."""
    print(f"# {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@contextlib.contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as took:` ... `took[0]` is the elapsed seconds."""
    took = [0.0]
    started = time.perf_counter()
    try:
        yield took
    finally:
        took[0] = time.perf_counter() - started


# --- scratch resources on the real servers ------------------------------------------------

class Scratch:
    """A RabbitMQ vhost and a PostgreSQL database for the whole run, dropped at its end."""

    def __init__(self, stack: contextlib.ExitStack):
        self.vhost = new_vhost()
        stack.callback(drop_vhost, self.vhost)
        self.amqp_uri = amqp_uri_for(self.vhost)
        name = f"grassroots_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        stack.callback(_drop_database, name)
        self.postgres = POSTGRES.rsplit("/", 1)[0] + "/" + name

    def schema(self) -> str:
        """A SQLAlchemy URL whose tables live in a fresh schema of the bench database."""
        return new_postgres_schema(self.postgres)


def _drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
