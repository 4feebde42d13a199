"""Calling services from outside nameko (the gateway, tools, tests): a thread-safe pool of
standalone RPC proxies.

A standalone proxy is single-threaded and costs ~10-17 ms to start, so each thread checks one
out per call and gives it back. The caller's correlation id rides in the proxy's context data
(`nameko.correlation_id` header), so the service's logs carry it."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from nameko.exceptions import RemoteError, RpcTimeout, UnknownService, get_module_path, registry
from nameko.standalone.rpc import ClusterRpcProxy

from shared.errors import Problem

# A Problem raised by a service is rebuilt as a Problem here, not as a RemoteError.
registry[get_module_path(Problem)] = Problem.from_wire


def unavailable() -> Problem:
    return Problem(
        "unavailable",
        "后台服务暂时不可用，请稍后重试。",
        "A back-end service is unavailable; try again shortly.",
    )


class RpcPool:
    def __init__(self, amqp_uri: str, size: int = 8, timeout: float = 15.0):
        self.config = {"AMQP_URI": amqp_uri}
        self.timeout = timeout
        self._idle: queue.LifoQueue[ClusterRpcProxy] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def proxy(self, correlation_id: str = "") -> Iterator[Any]:
        """A cluster proxy (`proxy.assessment.register_branch(...)`) for this thread alone."""
        if not self._slots.acquire(timeout=self.timeout):
            raise unavailable()
        try:
            try:
                standalone = self._idle.get_nowait()
            except queue.Empty:
                standalone = ClusterRpcProxy(self.config, timeout=self.timeout)
                standalone.start()
            standalone._worker_ctx.data["correlation_id"] = correlation_id
            healthy = True
            try:
                yield standalone._proxy
            except (Problem, RemoteError):
                raise  # the service answered: the proxy is fine
            except (RpcTimeout, UnknownService, OSError) as exc:
                healthy = False
                raise unavailable() from exc
            except Exception:
                healthy = False  # the proxy's connection may be broken: don't reuse it
                raise
            finally:
                if healthy:
                    self._idle.put(standalone)
                else:
                    _stop_quietly(standalone)
        finally:
            self._slots.release()

    def close(self) -> None:
        while True:
            try:
                _stop_quietly(self._idle.get_nowait())
            except queue.Empty:
                return


def _stop_quietly(standalone: ClusterRpcProxy) -> None:
    with contextlib.suppress(Exception):  # a broken proxy may fail to stop
        standalone.stop()
