"""The whole system on PostgreSQL: concurrent commands to one writer (its greenthreads wait on
the events table's lock without blocking each other) all land, and are all listed."""

import concurrent.futures

import pytest

from tests.conftest import ADMIN_PASSWORD, Client, System, new_postgres_schema


@pytest.fixture(scope="module")
def pg_system(tmp_path_factory, postgres_database):
    running = System(tmp_path_factory.mktemp("pg"), new_postgres_schema(postgres_database))
    yield running
    running.close()


def test_concurrent_commands_on_postgresql_all_land_and_are_listed(pg_system):
    admin = Client(pg_system.url, "admin", ADMIN_PASSWORD)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(
            lambda n: admin.post("/api/v1/branches", json={"code": f"PG{n:02d}", "name": f"并发{n}"}), range(40)))
    assert [r.status_code for r in responses] == [201] * 40
    assert all(r.json()["applied"] for r in responses)
    listed = sorted(b["code"] for b in admin.get("/api/v1/branches").json())
    assert listed == [f"PG{n:02d}" for n in range(40)]
