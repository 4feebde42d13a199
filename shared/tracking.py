"""A follower's store on SQLAlchemy: a consumer's own rows and the tracking position of each
source, written in one transaction (eventsourcing-sqlalchemy's tracking recorder joins it).

On PostgreSQL the tracking row is locked first, so replicas of a consumer competing for one
queue apply each event once and in order."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.factory import Factory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyTrackingRecorder
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.orm import Session

from shared.envelope import Envelope
from shared.eventstore import store_env

# Applies a batch of envelopes, in order, within the session's transaction.
Project = Callable[[Session, Sequence[Envelope]], None]


def tracking_recorder(consumer: str, database_url: str) -> SQLAlchemyTrackingRecorder:
    """The `<consumer>_tracking` table and the datastore every consumer table shares."""
    factory = Factory(Environment(name=consumer, env=store_env(database_url)))
    return factory.tracking_recorder()


def skipped_table(consumer: str, metadata: MetaData) -> Table:
    return Table(
        f"{consumer}_skipped",
        metadata,
        Column("source", String(32), primary_key=True),
        Column("position", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
        Column("type", String(100), nullable=False),
        Column("error", Text, nullable=False),
        Column("envelope", Text, nullable=False),
    )


class TrackedStore:
    """`FollowerStore` for one source: effects via `project`, position via tracking records."""

    def __init__(
        self,
        recorder: SQLAlchemyTrackingRecorder,
        source: str,
        project: Project,
        skipped: Table,
    ):
        self.recorder = recorder
        self.source = source
        self.project = project
        self.skipped = skipped
        self._lock_rows = recorder.datastore.engine.dialect.name == "postgresql"

    def position(self) -> int:
        return self.recorder.max_tracking_id(self.source) or 0

    def apply(self, envelopes: Sequence[Envelope]) -> int:
        with self.recorder.transaction(commit=True) as session:
            current = self._locked_position(session)
            fresh = [e for e in envelopes if e.position > current]
            if fresh:
                self.project(session, fresh)
                self._track(session, current, fresh[-1].position)
        return len(fresh)

    def skip(self, envelope: Envelope, error: str) -> None:
        with self.recorder.transaction(commit=True) as session:
            current = self._locked_position(session)
            if envelope.position <= current:
                return
            session.execute(
                self.skipped.insert().values(
                    source=self.source,
                    position=envelope.position,
                    type=envelope.type,
                    error=error,
                    envelope=json.dumps(envelope.to_dict(), ensure_ascii=False),
                )
            )
            self._track(session, current, envelope.position)

    def _track(self, session: Session, current: int, position: int) -> None:
        """Move this source's row of the library's tracking table (its row is locked already;
        the recorder's own insert_tracking would read it twice more)."""
        table = self.recorder.tracking_table
        if current:
            session.execute(table.update().where(table.c.application_name == self.source)
                            .values(notification_id=position))
        else:
            session.execute(table.insert().values(application_name=self.source, notification_id=position))

    def _locked_position(self, session: Session) -> int:
        table = self.recorder.tracking_table
        query = select(table.c.notification_id).where(table.c.application_name == self.source)
        if self._lock_rows:
            query = query.with_for_update()
        return session.execute(query).scalar() or 0
