"""Faults injected into a running system: nothing accepted is lost or applied twice."""

import concurrent.futures
import re
import time

import requests
from kombu import Connection

from shared.bus import ConfirmingPublisher, Outgoing, events_exchange, follower_queues


def wait_until(predicate, timeout=30.0, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def codes(admin, prefix):
    return [b["code"] for b in admin.get("/api/v1/branches").json() if b["code"].startswith(prefix)]


def test_branches_created_while_projections_are_down_are_all_listed_once_it_is_back(system, admin):
    system.cluster.stop("projections")
    for n in range(50):
        response = admin.post("/api/v1/branches", json={"code": f"DOWN{n:02d}", "name": f"停机支部{n}"})
        assert response.status_code == 201, response.text
        assert response.json()["applied"] is False  # nobody was there to apply it yet
    system.cluster.start("projections")
    system.cluster.wait_ready("projections")
    assert wait_until(lambda: len(codes(admin, "DOWN")) == 50)
    listed = codes(admin, "DOWN")
    assert sorted(listed) == [f"DOWN{n:02d}" for n in range(50)]  # all of them, none twice


def test_a_poison_message_is_dead_lettered_and_counted_and_later_events_still_apply(system, admin):
    publisher = ConfirmingPublisher(system.amqp_uri)
    publisher.publish(events_exchange("assessment"), [Outgoing("BranchRegistered", b"\xff not an envelope", {}, "poison")])
    publisher.close()
    assert admin.post("/api/v1/branches", json={"code": "AFTER", "name": "毒消息之后"}).status_code == 201
    assert wait_until(lambda: codes(admin, "AFTER") == ["AFTER"])
    dead_queue = follower_queues("projections", "assessment")[1]

    def dead_count():
        with Connection(system.amqp_uri) as connection:
            return dead_queue(connection.default_channel).queue_declare(passive=True).message_count

    assert wait_until(lambda: dead_count() == 1)
    exposition = requests.get(system.metrics_urls()["projections"], timeout=10).text
    assert re.search(r'grassroots_dead_letters_total\{consumer="projections",reason="malformed",source="assessment"\} 1\.0', exposition)


def test_a_crashed_projections_service_misses_nothing_and_applies_nothing_twice(system, admin):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        sent = pool.map(lambda n: admin.post("/api/v1/branches", json={"code": f"CRASH{n:03d}", "name": f"崩溃{n}"}),
                        range(120))
        time.sleep(0.3)
        system.cluster.kill("projections")  # SIGKILL in the middle of the burst
        statuses = [r.status_code for r in sent]
    assert statuses.count(201) == 120
    system.cluster.start("projections")
    system.cluster.wait_ready("projections")
    assert wait_until(lambda: len(codes(admin, "CRASH")) >= 120)
    assert sorted(codes(admin, "CRASH")) == [f"CRASH{n:03d}" for n in range(120)]


def test_every_command_accepted_before_the_writer_crashed_is_published_after_it_restarts(system, admin):
    """Commands answered 201 were committed; the crash may come before the relay published
    them. After the restart they must all reach the read side, once each. A request the
    crashed writer had taken is delivered again to the restarted one, which answers it as
    the first time (201), not as a duplicate."""
    accepted, refused = [], []

    def create(n):
        response = admin.post("/api/v1/branches", json={"code": f"KILL{n:03d}", "name": f"写入崩溃{n}"})
        (accepted if response.status_code == 201 else refused).append((f"KILL{n:03d}", response.status_code))

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(create, n) for n in range(150)]
        time.sleep(0.4)
        system.cluster.kill("assessment")
        system.cluster.start("assessment")
        system.cluster.wait_ready("assessment")
        concurrent.futures.wait(futures)
    assert accepted, "no command was accepted around the crash"
    assert {status for _, status in refused} <= {503}
    codes_accepted = {code for code, _ in accepted}
    assert wait_until(lambda: codes_accepted <= set(codes(admin, "KILL")))
    listed = codes(admin, "KILL")
    assert len(listed) == len(set(listed))
