"""The read model's tables, in the projections service's own store.

Every table is a pure function of the sources' ordered events: `rebuild` drops and replays
them, and must end with exactly the rows live processing wrote."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from eventsourcing_sqlalchemy.recorders import SQLAlchemyTrackingRecorder
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
)

from shared.eventstore import racing_replicas
from shared.tracking import skipped_table, tracking_recorder

CONSUMER = "projections"
metadata = MetaData()

branches = Table(
    "projections_branches", metadata,
    Column("id", String(36), primary_key=True),
    Column("code", String(32), nullable=False, index=True),
    Column("name", String(60), nullable=False),
    Column("departments", JSON, nullable=False),
    Column("registered_at", String(40), nullable=False),
    Column("version", Integer, nullable=False),
)

people = Table(
    "projections_people", metadata,
    Column("id", String(36), primary_key=True),
    Column("staff_no", String(32), nullable=False, index=True),
    Column("name", String(40), nullable=False),
    Column("email", String(254), nullable=False),
    Column("member_of", String(36), nullable=False, index=True),
    Column("registered_at", String(40), nullable=False),
    Column("version", Integer, nullable=False),
)

roles = Table(
    "projections_roles", metadata,
    Column("person_id", String(36), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("branch_id", String(36), primary_key=True),
)

cycles = Table(
    "projections_cycles", metadata,
    Column("id", String(36), primary_key=True),
    Column("year", Integer, nullable=False, unique=True),
    Column("title", String(100), nullable=False),
    Column("weights", JSON, nullable=False),
    Column("thresholds", JSON, nullable=False),
    Column("min_ballots", Integer, nullable=False),
    Column("caps", JSON, nullable=False),
    Column("opened_at", String(40), nullable=False),
    Column("version", Integer, nullable=False),
)

phases = Table(
    "projections_phases", metadata,
    Column("cycle_id", String(36), primary_key=True),
    Column("key", String(32), primary_key=True),
    Column("ordinal", Integer, nullable=False),
    Column("name", String(60), nullable=False),
    Column("starts_on", String(10), nullable=False),
    Column("due_on", String(10), nullable=False),
)

standings = Table(
    "projections_standings", metadata,
    Column("cycle_id", String(36), primary_key=True),
    Column("branch_id", String(36), primary_key=True),
    Column("survey", JSON, nullable=False),  # point -> "ok" | "problem"
    Column("self_scores", JSON),
    Column("superior_scores", JSON),
    Column("category", String(10)),
    Column("total", Float),
    Column("arithmetic", JSON),
    Column("moved_up", Boolean, nullable=False),
    Column("grade_version", Integer, nullable=False),
)

ballot_boxes = Table(
    "projections_ballot_boxes", metadata,
    Column("id", String(36), primary_key=True),
    Column("cycle_id", String(36), nullable=False, index=True),
    Column("branch_id", String(36), nullable=False),
    Column("category", String(10), nullable=False),
    Column("issued", Integer, nullable=False),
    Column("voided", Integer, nullable=False),
    Column("cast", Integer, nullable=False),
    Column("score_sum", Float, nullable=False),
    Column("satisfaction", JSON, nullable=False),
)

# The review ledger: a row per report, and per report's box of secret evaluations.
reports = Table(
    "projections_reports", metadata,
    Column("id", String(36), primary_key=True),
    Column("cycle_id", String(36), nullable=False, index=True),
    Column("level", Integer, nullable=False),
    Column("branch_id", String(36), nullable=False),
    Column("reporter_id", String(36), nullable=False),
    Column("period", String(40), nullable=False),
    Column("text", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("due_on", String(10), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("submitted_at", String(40), nullable=False),
    Column("revised_at", String(40)),
    Column("organisations", JSON, nullable=False),  # organisation id -> {rating, comment, actor}
    Column("score", Integer),
    Column("verdict", String(10)),
    Column("exam_comment", Text),
    Column("examined_at", String(40)),
    Column("version", Integer, nullable=False),
)

report_boxes = Table(
    "projections_report_boxes", metadata,
    Column("id", String(36), primary_key=True),
    Column("report_id", String(36), nullable=False, index=True),
    Column("cycle_id", String(36), nullable=False, index=True),
    Column("category", String(10), nullable=False),
    Column("issued", Integer, nullable=False),
    Column("voided", Integer, nullable=False),
    Column("cast", Integer, nullable=False),
    Column("ratings", JSON, nullable=False),  # rating -> count
    Column("comments", JSON, nullable=False),  # in the shuffled order they were recorded
)

skipped = skipped_table(CONSUMER, metadata)

# What `rebuild` replaces, and what `verify` compares.
READ_TABLES = (branches, people, roles, cycles, phases, standings, ballot_boxes, reports, report_boxes, skipped)
# Raise when a read table changes shape: a store written by another version is rebuilt on start.
MODEL_VERSION = 3
meta = Table(
    "projections_model", MetaData(),
    Column("name", String(32), primary_key=True),
    Column("version", Integer, nullable=False),
)


@dataclass
class ReadModel:
    recorder: SQLAlchemyTrackingRecorder

    @property
    def engine(self):
        return self.recorder.datastore.engine

    def transaction(self, commit: bool = False):
        return self.recorder.transaction(commit=commit)


_opened: dict[str, ReadModel] = {}
# nameko sets up a container's providers concurrently: two of them opening the same model at
# once would both try to create its tables.
_opening = threading.Lock()


def open_read_model(database_url: str) -> ReadModel:
    """The read model at `database_url`, its tables created if missing (one per URL)."""
    with _opening:
        if database_url not in _opened:
            def create() -> ReadModel:
                recorder = tracking_recorder(CONSUMER, database_url)
                model = ReadModel(recorder)
                _renew_if_outdated(model)
                return model

            _opened[database_url] = racing_replicas(create)
        return _opened[database_url]


def _renew_if_outdated(model: ReadModel) -> None:
    """Tables of another model version are renewed: the followers then replay the sources into
    the current shape."""
    meta.create(model.engine, checkfirst=True)
    with model.engine.begin() as db:
        found = db.execute(select(meta.c.version).where(meta.c.name == CONSUMER)).scalar()
    if found == MODEL_VERSION:
        metadata.create_all(model.engine)
    else:
        renew(model)


def renew(model: ReadModel) -> None:
    """Empty every read table (in the current shape) and forget every source's position."""
    metadata.drop_all(model.engine, tables=list(READ_TABLES))
    metadata.create_all(model.engine, tables=list(READ_TABLES))
    tracking = model.recorder.tracking_table
    with model.engine.begin() as db:
        db.execute(delete(tracking))
        db.execute(delete(meta).where(meta.c.name == CONSUMER))
        db.execute(meta.insert().values(name=CONSUMER, version=MODEL_VERSION))
