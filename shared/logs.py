"""JSON logs, one object a line, each carrying the correlation id of the work in hand.

The correlation id travels in a context variable: the gateway sets it per HTTP request, nameko
services per worker (from the `nameko.correlation_id` header), followers per event. Secret
ballots never carry one, so nothing a ballot causes can be joined to the request that cast it."""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

correlation_id: ContextVar[str] = ContextVar("correlation_id", default="")


def new_correlation_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def correlated(value: str) -> Iterator[None]:
    token = correlation_id.set(value or "")
    try:
        yield
    finally:
        correlation_id.reset(token)


class _CorrelationFilter(logging.Filter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        cid = correlation_id.get()
        if cid:
            record.correlation_id = cid
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record, ours and the libraries', to stderr as JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_CorrelationFilter(service))
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Per-request access lines come from our own metrics and logs; these are noise.
    for noisy in ("amqp", "kombu", "werkzeug", "eventsourcing"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
