"""Every service as its own process on one machine: start, wait until ready, stop, restart.

`make run` uses it (through `services.run`), and so do the end-to-end and reliability tests,
which stop and start single services while the rest keep running."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass
class Process:
    name: str
    argv: list[str]
    ready_url: str
    popen: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class Cluster:
    """The assessment and projections services and the gateway, sharing one environment."""

    def __init__(self, data_dir: Path, amqp_uri: str, database_url: str | None = None,
                 port: int = 8000, assessment_port: int = 8101, projections_port: int = 8102,
                 log_to_console: bool = False, extra_env: dict[str, str] | None = None):
        self.data_dir = data_dir
        self.port = port
        self.log_dir = data_dir / "logs"
        self.log_to_console = log_to_console
        self.env = {
            **os.environ,
            "GRASSROOTS_DATA_DIR": str(data_dir),
            "AMQP_URI": amqp_uri,
            "GRASSROOTS_PORT": str(port),
            "ASSESSMENT_HTTP": f"127.0.0.1:{assessment_port}",
            "PROJECTIONS_HTTP": f"127.0.0.1:{projections_port}",
            **(extra_env or {}),
        }
        self.env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        nameko = [str(BIN / "nameko"), "run", "--config"]
        self.processes = {
            "assessment": Process("assessment", nameko + ["services/assessment/config.yaml",
                                  "services.assessment.service:AssessmentService"],
                                  f"http://127.0.0.1:{assessment_port}/readyz"),
            "projections": Process("projections", nameko + ["services/projections/config.yaml",
                                   "services.projections.service:ProjectionsService"],
                                   f"http://127.0.0.1:{projections_port}/readyz"),
            "gateway": Process("gateway", [str(BIN / "gunicorn"), "-c", "services/gateway/gunicorn.conf.py"],
                               f"http://127.0.0.1:{port}/readyz"),
        }

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def busy_ports(self) -> list[int]:
        ports = [self.port] + [int(self.env[k].rsplit(":", 1)[1]) for k in ("ASSESSMENT_HTTP", "PROJECTIONS_HTTP")]
        return [p for p in ports if port_in_use(p)]

    def start(self, *names: str) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(exist_ok=True)
        for name in names or tuple(self.processes):
            process = self.processes[name]
            if process.popen is not None and process.popen.poll() is None:
                continue
            output = None if self.log_to_console else open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115
            process.popen = subprocess.Popen(process.argv, cwd=ROOT, env=self.env, stdout=output,
                                             stderr=subprocess.STDOUT if output else None,
                                             start_new_session=True)

    def wait_ready(self, *names: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        for name in names or tuple(self.processes):
            process = self.processes[name]
            while not self._ready(process.ready_url):
                if process.popen is None or process.popen.poll() is not None:
                    raise RuntimeError(f"{name} exited (code {process.popen and process.popen.returncode}); "
                                       f"see {self.log_dir / (name + '.log')}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} was not ready within {timeout:.0f} s")
                time.sleep(0.2)

    @staticmethod
    def _ready(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self, *names: str, timeout: float = 15.0) -> None:
        """SIGTERM (each stops gracefully), then SIGKILL whatever is left after `timeout`."""
        chosen = [self.processes[n] for n in (names or reversed(tuple(self.processes)))]
        for process in chosen:
            if process.popen is not None and process.popen.poll() is None:
                os.killpg(process.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in chosen:
            if process.popen is None:
                continue
            try:
                process.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait()
            process.popen = None

    def kill(self, name: str) -> None:
        """SIGKILL: a crash, for reliability tests."""
        process = self.processes[name]
        if process.popen is not None:
            os.killpg(process.popen.pid, signal.SIGKILL)
            process.popen.wait()
            process.popen = None

    def exited(self) -> list[str]:
        return [n for n, p in self.processes.items() if p.popen is not None and p.popen.poll() is not None]
