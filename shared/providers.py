"""nameko dependency providers every service uses, each named after what it gives.

- `WriterApp` gives a writer service its event-sourced application, and runs the relay that
  moves the application's log to RabbitMQ (a managed thread of the container).
- `Followed` runs a follower of one source for a consumer service (a managed thread).
- `Telemetry` gives nothing to call; it times every RPC, labels its outcome, and puts the
  caller's correlation id on the worker's log lines.
Readiness: any extension with a `readiness()` method is asked by `/readyz`."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from sqlalchemy import text

from shared import metrics
from shared.bus import ConfirmingPublisher
from shared.config import load_settings
from shared.consumer import DeadLetters, FollowerConsumer, SourceLog
from shared.envelope import Contract
from shared.errors import Problem
from shared.eventstore import Checkpoint, EventLog, WriterApplication, racing_replicas, store_env
from shared.follower import Follower
from shared.logs import configure_logging, correlation_id
from shared.relay import Lease, Relay
from shared.tracking import TrackedStore

# Under eventlet, psycopg must wait through select() (patched, green), not its C loop, or a
# greenthread waiting on a PostgreSQL lock would block the whole hub.
os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")

log = logging.getLogger(__name__)


def database_url(container: Any) -> str:
    return load_settings().database_url_for(container.service_name)


def amqp_uri(container: Any) -> str:
    return container.config.get("AMQP_URI") or load_settings().amqp_uri


class WriterApp(DependencyProvider):
    """Gives the application; publishes its log under the service class's `contract`."""

    def __init__(self, application_class: type[WriterApplication]):
        self.application_class = application_class

    def setup(self) -> None:
        self.contract: Contract = self.container.service_cls.contract
        url = database_url(self.container)
        self.app = racing_replicas(lambda: self.application_class(env=store_env(url)))
        uri = amqp_uri(self.container)
        checkpoint = racing_replicas(lambda: Checkpoint(self.app.datastore, self.contract.source))
        self.relay = Relay(
            self.contract.source,
            EventLog(self.app, self.contract),
            checkpoint,
            connect=lambda: ConfirmingPublisher(uri),
            lease=Lease(self.app.datastore.engine, f"{self.contract.source}.relay"),
        )
        self.app.on_recorded(self.relay.wake)
        self._stopping = threading.Event()

    def start(self) -> None:
        self.container.spawn_managed_thread(lambda: self.relay.run(self._stopping), "relay")

    def stop(self) -> None:
        self._stopping.set()
        self.relay.wake()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> WriterApplication:
        return self.app

    def readiness(self) -> dict[str, bool]:
        return {"event_store": _database_answers(self.app.datastore.engine), "relay": self.relay.healthy}


class Followed(DependencyProvider):
    """Keeps a consumer's store up to date with one source. Gives the follower (for lag)."""

    def __init__(self, source: str, store_factory: Callable[[str], TrackedStore]):
        self.source = source
        self.store_factory = store_factory

    def setup(self) -> None:
        consumer = self.container.service_name
        uri = amqp_uri(self.container)
        self.store = self.store_factory(database_url(self.container))
        self.source_log = SourceLog(self.source, uri)
        self.follower = Follower(
            consumer,
            self.source,
            self.store,
            fetch=self.source_log,
            dead_letter=DeadLetters(consumer, self.source, uri),
        )
        self.consumer = FollowerConsumer(self.follower, uri)
        self._stopping = threading.Event()

    def start(self) -> None:
        self.container.spawn_managed_thread(lambda: self.consumer.run(self._stopping), f"follow-{self.source}")

    def stop(self) -> None:
        self._stopping.set()
        self.source_log.close()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> Follower:
        return self.follower

    def readiness(self) -> dict[str, bool]:
        return {
            f"follow_{self.source}": self.consumer.connected,
            "read_store": _database_answers(self.store.recorder.datastore.engine),
        }


class Telemetry(DependencyProvider):
    def setup(self) -> None:
        configure_logging(self.container.service_name)

    def get_dependency(self, worker_ctx: Any) -> Telemetry:
        return self

    def worker_setup(self, worker_ctx: Any) -> None:
        worker_ctx.data.setdefault("correlation_id", "")
        worker_ctx._telemetry = (time.perf_counter(), correlation_id.set(worker_ctx.data["correlation_id"]))

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        if not isinstance(worker_ctx.entrypoint, Rpc):
            return
        started, _ = worker_ctx._telemetry
        method = worker_ctx.entrypoint.method_name
        service = self.container.service_name
        if exc_info is None:
            outcome = "ok"
        elif isinstance(exc_info[1], Problem):
            outcome = "refused"
        else:
            outcome = "error"
            log.error("rpc failed", exc_info=exc_info, extra={"method": method})
        elapsed = time.perf_counter() - started
        metrics.rpc_requests.labels(service, method, outcome).inc()
        metrics.rpc_duration.labels(service, method).observe(elapsed)
        log.info("rpc", extra={"method": method, "outcome": outcome, "ms": round(elapsed * 1000, 1)})

    def worker_teardown(self, worker_ctx: Any) -> None:
        correlation_id.reset(worker_ctx._telemetry[1])

    def readiness(self) -> dict[str, bool]:
        checks: dict[str, bool] = {}
        for extension in self.container.extensions:
            if extension is not self and hasattr(extension, "readiness"):
                checks.update(extension.readiness())
        return checks


def _database_answers(engine: Any) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
