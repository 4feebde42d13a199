"""The event store: eventsourcing applications on eventsourcing-sqlalchemy.

A writer service subclasses `WriterApplication`; its events go to the `<service>_events` table
of its own SQLite file or of the shared PostgreSQL database. The table is also the outbox: the
relay reads it as a notification log (`EventLog`) and keeps its place in a `Checkpoint`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from eventsourcing.application import Application
from eventsourcing.persistence import Notification, PersistenceError, RecordConflictError
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, select
from sqlalchemy.exc import SQLAlchemyError

from shared import metrics
from shared.envelope import Contract, Envelope
from shared.errors import conflict

T = TypeVar("T")


def racing_replicas(create: Callable[[], T], attempts: int = 3) -> T:
    """Run `create` (which creates tables if missing) again if a replica starting at the same
    moment created them first: PostgreSQL then refuses the second CREATE TABLE."""
    for attempt in range(attempts):
        try:
            return create()
        except (PersistenceError, SQLAlchemyError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def store_env(database_url: str, **extra: str) -> dict[str, str]:
    """The eventsourcing environment for a database URL (SQLite file or PostgreSQL)."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
        "SQLALCHEMY_URL": database_url,
        "CREATE_TABLE": "y",
        **extra,
    }


class WriterApplication(Application):
    """An event-sourced application whose appends wake whoever listens (the relay)."""

    def __init__(self, env: dict[str, str] | None = None):
        super().__init__(env)
        self._listeners: list[Callable[[], None]] = []

    def on_recorded(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def save(self, *objs: Any, **kwargs: Any):  # type: ignore[override]
        try:
            return super().save(*objs, **kwargs)
        except RecordConflictError:
            # Optimistic concurrency: another writer appended to the same stream first.
            raise conflict() from None

    def _notify(self, recordings: list[Any]) -> None:
        if recordings:
            metrics.events_recorded.labels(self.name).inc(len(recordings))
        for listener in self._listeners:
            listener()

    @property
    def datastore(self) -> SQLAlchemyDatastore:
        return self.recorder.datastore  # type: ignore[attr-defined]


class EventLog:
    """A writer's notification log, read as public envelopes."""

    def __init__(self, app: WriterApplication, contract: Contract):
        self.app = app
        self.contract = contract

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def after(self, position: int, limit: int) -> list[Envelope]:
        """Envelopes after `position`, oldest first, each naming the one before it."""
        table = self.app.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        query = (select(table.c.id, table.c.originator_id, table.c.originator_version, table.c.topic, table.c.state)
                 .where(table.c.id > position).order_by(table.c.id).limit(limit))
        # A Core query: the recorder's ORM query costs thirty times the database's own work.
        with self.app.datastore.transaction(commit=False) as session:
            rows = session.execute(query).all()
        envelopes = []
        previous = position
        for row in rows:
            notification = Notification(id=row.id, originator_id=row.originator_id,
                                        originator_version=row.originator_version, topic=row.topic,
                                        state=bytes(row.state))
            event = self.app.mapper.to_domain_event(notification)
            envelopes.append(self.contract.envelope(event, notification.id, previous))
            previous = notification.id
        return envelopes


class Checkpoint:
    """How far a relay has published, kept in the writer's own database."""

    def __init__(self, datastore: SQLAlchemyDatastore, service: str, name: str = "rabbitmq"):
        self.datastore = datastore
        self.name = name
        self.table = Table(
            f"{service}_relay",
            MetaData(),
            Column("name", String(64), primary_key=True),
            Column("position", BigInteger().with_variant(Integer(), "sqlite"), nullable=False),
        )
        self.table.create(datastore.engine, checkfirst=True)

    def load(self) -> int:
        with self.datastore.transaction(commit=False) as session:
            found = session.execute(
                select(self.table.c.position).where(self.table.c.name == self.name)
            ).scalar()
        return found or 0

    def save(self, position: int) -> None:
        with self.datastore.transaction(commit=True) as session:
            updated = session.execute(
                self.table.update().where(self.table.c.name == self.name).values(position=position)
            ).rowcount
            if not updated:
                session.execute(self.table.insert().values(name=self.name, position=position))
