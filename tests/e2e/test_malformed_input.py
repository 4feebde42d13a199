"""Every operation of the API answers malformed input with a clear refusal, never a server error:
whatever a client sends, a 500 is a bug."""

import re
import uuid

import pytest

from services.gateway import app as _registers_every_route  # noqa: F401
from services.gateway.api import OPERATIONS
from tests.conftest import ADMIN_PASSWORD, Client

BODIES = [["a", "list"], "text", 7, None, {"code": ["x"], "name": {"a": 1}, "level": [1], "branch_id": {},
                                           "organisation_id": [1], "category": 3, "count": "many", "scores": [],
                                           "attachments": "x", "rating": {}, "year": "then", "phases": {}}]
CHANGING = [op for op in OPERATIONS if op.method in ("POST", "PUT", "PATCH", "DELETE") and op.rule != "/tokens/current"]


@pytest.fixture(scope="module")
def office(system):
    return Client(system.url, "admin", ADMIN_PASSWORD)


@pytest.fixture(scope="module")
def cycle(office):
    made = office.post("/api/v1/cycles", json={
        "year": 2031, "title": "2031年", "weights": {"self_assessment": 20, "ballots": 40, "superior": 40},
        "phases": [{"key": "survey", "name": "调查摸底", "starts_on": "2031-01-01", "due_on": "2031-12-31"}],
        "thresholds": {"advanced": 85, "average": 70}})
    assert made.status_code == 201, made.text
    return made.json()["id"]


@pytest.mark.parametrize("operation", CHANGING, ids=[f"{op.method} {op.rule}" for op in CHANGING])
def test_malformed_bodies_are_refused_without_a_server_error(office, cycle, operation):
    path = "/api/v1" + re.sub(r"<(\w+)>", lambda m: cycle if m.group(1) == "cycle_id" else str(uuid.uuid4()),
                              operation.rule)
    # And the operation's own fields, each of a type no schema takes.
    own = {name: [{"x": None}] for name in operation.body().fields} if operation.body else {}
    for body in [*BODIES, own]:
        answered = office.http.request(operation.method, office.base + path, json=body, timeout=30)
        assert answered.status_code < 500, (operation.method, path, body, answered.text)
        assert answered.headers["Content-Type"].startswith("application/problem+json") or answered.ok


READING = [op for op in OPERATIONS if op.method == "GET" and "<" in op.rule]


@pytest.mark.parametrize("operation", READING, ids=[op.rule for op in READING])
def test_reads_of_unknown_or_malformed_ids_are_refused_without_a_server_error(office, operation):
    for key in (str(uuid.uuid4()), "not-an-id", "%E4%B8%AD", "0" * 64):
        path = "/api/v1" + re.sub(r"<(\w+)>", key, operation.rule)
        answered = office.get(path)
        assert answered.status_code < 500, (path, answered.text)
