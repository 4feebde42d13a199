"""Any nameko service can subscribe to the relay's events with a plain @event_handler."""

import json
import subprocess
import sys
import time
from pathlib import Path

from kombu import Connection

from services.assessment.application import AssessmentApplication
from services.assessment.schemas import CONTRACT
from shared.bus import ConfirmingPublisher
from shared.eventstore import Checkpoint, EventLog, store_env
from shared.facts import By
from shared.relay import Relay

SUBSCRIBER = '''
import json, os
from nameko.events import event_handler

class Subscriber:
    name = "subscriber"

    @event_handler("assessment", "BranchRegistered")
    def on_branch(self, envelope):
        with open(os.environ["OUT"], "a") as out:
            out.write(json.dumps(envelope, ensure_ascii=False) + "\\n")
'''


def queue_exists(amqp_uri, name):
    try:
        with Connection(amqp_uri) as connection:
            connection.default_channel.queue_declare(name, passive=True)
        return True
    except Exception:  # noqa: BLE001 - a missing queue closes the channel with 404
        return False


def test_a_nameko_event_handler_receives_the_published_envelope(tmp_path, amqp_uri):
    (tmp_path / "subscriber.py").write_text(SUBSCRIBER)
    (tmp_path / "config.yaml").write_text(f"AMQP_URI: '{amqp_uri}'\n")
    out = tmp_path / "received.jsonl"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "nameko"), "run", "--config", "config.yaml", "subscriber:Subscriber"],
        cwd=tmp_path, env={"OUT": str(out), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not queue_exists(amqp_uri, "evt-assessment-BranchRegistered--subscriber.on_branch"):
            assert time.monotonic() < deadline, "the subscriber never bound its queue"
            time.sleep(0.2)
        app = AssessmentApplication(env=store_env(f"sqlite:///{tmp_path / 'a.sqlite'}"))
        app.register_branch(By("admin"), "NK", "内科支部", ["内一科"])
        app.register_person(By("admin"), "1001", "张明", "z@h.cn", [])  # another type: not delivered
        relay = Relay("assessment", EventLog(app, CONTRACT), Checkpoint(app.datastore, "assessment"),
                      connect=lambda: ConfirmingPublisher(amqp_uri))
        relay.relay_pending()
        relay.close()
        while not out.exists() or not out.read_text().strip():
            assert time.monotonic() < deadline, "nothing was received"
            time.sleep(0.1)
        time.sleep(0.5)
        received = [json.loads(line) for line in out.read_text().splitlines()]
        assert [(r["type"], r["data"]["code"], r["position"]) for r in received] == [("BranchRegistered", "NK", 1)]
    finally:
        process.terminate()
        process.wait(15)
