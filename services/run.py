"""`make run`: the whole system on this machine, each service its own process.

Makes sure RabbitMQ answers (starting the local server, or installing Debian's package when
run as root), makes sure the administrator account exists, starts the services and the
gateway, loads the demo hospital into an empty system, prints where to go, and on Ctrl-C
stops everything. A service that dies is started again."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

from services import demo
from services.cluster import Cluster
from services.gateway.__main__ import ensure_admin
from shared.config import load_settings
from shared.rpcclient import RpcPool

RABBITMQ_WAIT = 60


def broker_answers(amqp_uri: str) -> bool:
    url = urlparse(amqp_uri.replace("pyamqp://", "amqp://"))
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 5672), timeout=2):
            return True
    except OSError:
        return False


def ensure_rabbitmq(amqp_uri: str) -> None:
    if broker_answers(amqp_uri):
        return
    host = urlparse(amqp_uri.replace("pyamqp://", "amqp://")).hostname
    if host not in ("127.0.0.1", "localhost"):
        sys.exit(f"RabbitMQ at {host} does not answer; start it, or unset AMQP_URI to use a local one.")
    if shutil.which("rabbitmq-server") is None:
        if os.geteuid() != 0:
            sys.exit("RabbitMQ is not installed. Install it with:\n"
                     "  sudo apt-get update && sudo apt-get install -y rabbitmq-server\n"
                     "then run `make run` again.")
        print("正在安装 RabbitMQ (apt-get install rabbitmq-server) …", flush=True)
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "rabbitmq-server"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if not broker_answers(amqp_uri):
        print("正在启动本机 RabbitMQ …", flush=True)
        starter = ["rabbitmq-server", "-detached"] if os.geteuid() == 0 else ["sudo", "rabbitmq-server", "-detached"]
        subprocess.run(starter, check=False)
    deadline = time.monotonic() + RABBITMQ_WAIT
    while not broker_answers(amqp_uri):
        if time.monotonic() > deadline:
            sys.exit("RabbitMQ did not start within a minute; see /var/log/rabbitmq/.")
        time.sleep(1)


def is_empty(amqp_uri: str) -> bool:
    pool = RpcPool(amqp_uri, size=1)
    try:
        with pool.proxy() as cluster:
            return cluster.assessment.log_head() == 0
    finally:
        pool.close()


def main() -> int:
    settings = load_settings()
    port = int(os.environ.get("GRASSROOTS_PORT", "8000"))
    ensure_rabbitmq(settings.amqp_uri)
    cluster = Cluster(settings.data_dir, settings.amqp_uri, settings.database_url, port=port,
                      log_to_console=os.environ.get("GRASSROOTS_LOG_TO_CONSOLE") == "1")
    busy = cluster.busy_ports()
    if busy:
        sys.exit(f"Port(s) {busy} are in use: is Grassroots already running? Set GRASSROOTS_PORT for another port.")
    username, password = ensure_admin()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print("正在启动各服务 …", flush=True)
    cluster.start()
    try:
        cluster.wait_ready()
        extra = []
        if is_empty(settings.amqp_uri) and os.environ.get("GRASSROOTS_DEMO", "1") != "0":
            print("空系统：正在载入示例医院（名册与 2012 年度）…", flush=True)
            extra = demo.load(cluster.url, username, password)
        print(f"\nGrassroots 已就绪 / ready:  {cluster.url}\n"
              f"  管理员 admin login:  {username} / {password}\n"
              + "".join(f"  {who}:  {u} / {p}\n" for who, u, p in extra)
              + f"  数据目录 data:  {settings.data_dir}\n  日志 logs:  {cluster.log_dir}\n"
              f"  按 Ctrl-C 停止 / press Ctrl-C to stop.\n", flush=True)
        while not stopping:
            for name in cluster.exited():
                print(f"{name} 已退出，正在重启 / exited, restarting (see {cluster.log_dir}/{name}.log)", flush=True)
                cluster.start(name)
            time.sleep(0.5)
    except (RuntimeError, TimeoutError) as exc:
        print(f"启动失败 / failed to start: {exc}", file=sys.stderr)
        return 1
    finally:
        print("正在停止 / stopping …", flush=True)
        cluster.stop()
        print("已停止 / stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
