"""Fixtures for the real servers: a RabbitMQ virtual host and a PostgreSQL database per run.

They fail (never skip) when RabbitMQ or PostgreSQL is missing: on this project's machines
both always run, so a missing server is a broken machine, not a reason to pass."""

from __future__ import annotations

import os
import subprocess
import uuid
from urllib.parse import quote

import psycopg
import pytest

POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RABBITMQ = os.environ.get("TEST_RABBITMQ_HOST", "guest:guest@127.0.0.1:5672")


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


def new_vhost() -> str:
    """A fresh virtual host: test runs and test modules never see each other's queues."""
    vhost = f"grassroots-test-{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    return vhost


def drop_vhost(vhost: str) -> None:
    _rabbitmqctl("delete_vhost", vhost)


def amqp_uri_for(vhost: str) -> str:
    return f"pyamqp://{RABBITMQ}/{quote(vhost, safe='')}"


@pytest.fixture
def amqp_uri():
    vhost = new_vhost()
    yield amqp_uri_for(vhost)
    drop_vhost(vhost)


@pytest.fixture(scope="session")
def postgres_database():
    name = f"grassroots_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield POSTGRES.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_postgres_schema(database: str) -> str:
    """A URL whose unqualified tables live in a fresh schema of the test database."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(database, autocommit=True) as db:
        db.execute(f"CREATE SCHEMA {schema}")
    url = database.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{url}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each test that takes this runs twice: on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return new_postgres_schema(request.getfixturevalue("postgres_database"))


# --- the whole system, as separate processes ----------------------------------------------

ADMIN_PASSWORD = "admin-password-for-tests"


class System:
    """A running system (services and gateway) on its own virtual host and data directory."""

    def __init__(self, data_dir, database_url=None, **env):
        from services.cluster import Cluster, free_port

        self.vhost = new_vhost()
        self.amqp_uri = amqp_uri_for(self.vhost)
        self.cluster = Cluster(
            data_dir, self.amqp_uri, database_url, port=free_port(), assessment_port=free_port(),
            projections_port=free_port(), extra_env={"GRASSROOTS_ADMIN_PASSWORD": ADMIN_PASSWORD, **env},
        )
        from services.cluster import BIN, ROOT

        try:
            subprocess.run([str(BIN / "python"), "-m", "services.gateway", "ensure-admin"], cwd=ROOT,
                           env=self.cluster.env, check=True, capture_output=True)
            self.cluster.start()
            self.cluster.wait_ready()
        except BaseException:
            self.close()  # never leave processes behind a failed start
            raise

    @property
    def url(self):
        return self.cluster.url

    def metrics_urls(self):
        env = self.cluster.env
        return {"gateway": f"{self.url}/metrics",
                "assessment": f"http://{env['ASSESSMENT_HTTP']}/metrics",
                "projections": f"http://{env['PROJECTIONS_HTTP']}/metrics"}

    def close(self):
        self.cluster.stop()
        drop_vhost(self.vhost)


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    running = System(tmp_path_factory.mktemp("system"))
    yield running
    running.close()


class Client:
    """An API client as a program would use it: a bearer token, JSON in and out."""

    def __init__(self, base, username=None, password=None):
        import requests

        self.base = base
        self.http = requests.Session()
        if username:
            self.login(username, password)

    def login(self, username, password):
        response = self.http.post(f"{self.base}/api/v1/tokens", json={"username": username, "password": password})
        assert response.status_code == 201, response.text
        self.http.headers["Authorization"] = f"Bearer {response.json()['token']}"
        return self

    def __getattr__(self, method):
        if method not in ("get", "post", "put", "patch", "delete"):
            raise AttributeError(method)
        return lambda path, **kw: getattr(self.http, method)(self.base + path, timeout=30, **kw)


@pytest.fixture(scope="module")
def admin(system):
    return Client(system.url, "admin", ADMIN_PASSWORD)
