"""The public envelope: the one shape in which events leave a writer service.

It is the published contract. The relay sends it over RabbitMQ; the `events_after` RPC returns
pages of it so that a follower can fill gaps. `data` holds only the fields the event type's
schema names, so a field the schema does not name never leaves the service."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from marshmallow import Schema, fields, validate

# Fields of a stored domain event that the envelope carries outside `data`, or drops.
ENVELOPE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "correlation_id"}
)


@dataclass(frozen=True)
class Envelope:
    event_id: str
    source: str
    position: int
    previous_position: int
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    occurred_at: str
    data: dict[str, Any]
    correlation_id: str = field(default="")

    def to_dict(self) -> dict[str, Any]:
        # Shallow: dataclasses.asdict deep-copies, six times slower, on every event relayed.
        return dict(self.__dict__)

    @classmethod
    def from_trusted(cls, body: Mapping[str, Any]) -> Envelope:
        """Build from a page the source itself returned (no validation: rebuild speed)."""
        return cls(**body)


class EnvelopeSchema(Schema):
    """Validates an envelope that arrived over the bus, where anything may have been sent."""

    event_id = fields.UUID(required=True, metadata={"description": "Stable id: the same event always has the same id."})
    source = fields.String(required=True, metadata={"description": "The writer service, e.g. `assessment`."})
    position = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "Position in the source's log (gaps are possible)."})
    previous_position = fields.Integer(required=True, validate=validate.Range(min=0), metadata={"description": "Position of the event before it in the source's log; 0 for the first."})
    stream_id = fields.UUID(required=True, metadata={"description": "The aggregate the event belongs to."})
    stream_version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "The aggregate's version after the event (1 for its first)."})
    type = fields.String(required=True, metadata={"description": "Event type, also the AMQP routing key."})
    schema_version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": "Version of the type's data schema; older stored events are upcast before publishing."})
    occurred_at = fields.String(required=True, metadata={"description": "ISO 8601 UTC instant the fact was recorded."})
    data = fields.Dict(required=True, metadata={"description": "The fact itself: see the event type's fields below."})
    correlation_id = fields.String(load_default="", metadata={"description": "The request that caused it, also in the `nameko.correlation_id` header; empty for secret ballots."})

    def make(self, body: Any) -> Envelope:
        loaded = self.load(body)
        loaded["event_id"] = str(loaded["event_id"])
        loaded["stream_id"] = str(loaded["stream_id"])
        return Envelope(**loaded)


def public_type(event_class: type) -> str:
    """`Branch.Registered` is published as `BranchRegistered`, unless the class names its
    public type itself (`published_as`)."""
    return getattr(event_class, "published_as", None) or event_class.__qualname__.replace(".", "")


def event_id(stream_id: uuid.UUID, version: int) -> str:
    """`str(uuid.uuid5(stream_id, str(version)))`, without building two UUID objects: it runs
    for every event relayed or paged, and the objects were a third of a page's cost."""
    digest = bytearray(hashlib.sha1(stream_id.bytes + str(version).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Contract:
    """A writer service's published event types: its data schema for each public type."""

    def __init__(self, source: str, schemas: Mapping[str, type[Schema]]):
        self.source = source
        self.schema_classes = dict(schemas)
        self._fields = {name: tuple(cls().fields) for name, cls in schemas.items()}

    def envelope(self, event: Any, position: int, previous_position: int) -> Envelope:
        name = public_type(type(event))
        try:
            names = self._fields[name]
        except KeyError:
            raise LookupError(f"{self.source} has no published schema for {name}") from None
        facts = event.__dict__
        timestamp: datetime = event.timestamp
        return Envelope(
            event_id=event_id(event.originator_id, event.originator_version),
            source=self.source,
            position=position,
            previous_position=previous_position,
            stream_id=str(event.originator_id),
            stream_version=event.originator_version,
            type=name,
            schema_version=getattr(type(event), "class_version", 1),
            occurred_at=timestamp.isoformat(),
            # Event state is plain JSON already (the store's transcoder saw to it): pick, don't dump.
            data={k: facts[k] for k in names if k in facts},
            correlation_id=getattr(event, "correlation_id", ""),
        )
