"""The bare baseline of the ballot figure: gunicorn with the gateway's worker settings (gthread,
GRASSROOTS_WORKERS x GRASSROOTS_THREADS) serving a WSGI function that returns a fixed JSON body,
no Flask. What it costs per request is what any gunicorn endpoint costs before the application
does anything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from services.cluster import BIN, ROOT, free_port, port_in_use
from tests.bench.http_commands import TICK
from tests.bench.openloop import OpenLoop, request_bytes

BODY = json.dumps({"status": "ok"}).encode()


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]


def _cpu_seconds(group: int) -> float:
    total = 0.0
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.getpgid(int(entry)) == group:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / TICK
        except OSError:
            continue
    return total


def measure(count: int, rate: float, warm: int):
    """Run the bare app under gunicorn at `rate`: (the run, its server CPU seconds per request)."""
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-k", "gthread", "-w", os.environ.get("GRASSROOTS_WORKERS", "2"),
         "--threads", os.environ.get("GRASSROOTS_THREADS", "32"), "-b", f"127.0.0.1:{port}",
         "tests.bench.bare:app"], cwd=ROOT, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not port_in_use(port):
            assert time.monotonic() < deadline and server.poll() is None, "the bare gunicorn did not start"
            time.sleep(0.1)
        client = OpenLoop("127.0.0.1", port)
        request = request_bytes("GET", "/", f"127.0.0.1:{port}")
        client.run(lambda i: request, warm, rate)
        before = _cpu_seconds(server.pid)
        run = client.run(lambda i: request, count, rate)
        spent = _cpu_seconds(server.pid) - before
        client.close()
        return run, spent / max(1, count)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
