"""gunicorn settings for the gateway: gthread workers, Prometheus in multiprocess mode."""

import os
import shutil
from pathlib import Path

from shared.config import load_settings

bind = f"{os.environ.get('GRASSROOTS_HOST', '127.0.0.1')}:{os.environ.get('GRASSROOTS_PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("GRASSROOTS_WORKERS", "2"))
# Ballot requests wait on the shared intake: a worker needs threads for a batch's worth.
threads = int(os.environ.get("GRASSROOTS_THREADS", "32"))
wsgi_app = "services.gateway.app:create_app()"
timeout = 30
graceful_timeout = 10
accesslog = None  # the app logs every request as JSON itself

# Each worker writes its metrics to files here; /metrics adds them up. Set before any worker
# imports prometheus_client.
_metrics_dir = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or load_settings().data_dir / "prometheus-gateway")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)


def on_starting(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
