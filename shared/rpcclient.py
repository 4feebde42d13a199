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
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy

from shared.errors import Problem

# A Problem raised by a service is rebuilt as a Problem here, not as a RemoteError.
registry[get_module_path(Problem)] = Problem.from_wire


class _ExpiringCluster(ClusterProxy):
    """A cluster proxy whose requests expire in the queue when the caller stops waiting.

    Without it, a request sent while a service is down waits in its durable queue and runs
    when the service is back, long after the caller was told it failed."""

    def __init__(self, worker_ctx: Any, reply_listener: Any, expiration: float):
        super().__init__(worker_ctx, reply_listener)
        self._expiration = expiration

    def __getattr__(self, name: str) -> ServiceProxy:
        if name not in self._proxies:
            self._proxies[name] = ServiceProxy(self._worker_ctx, name, self._reply_listener,
                                               expiration=self._expiration)
        return self._proxies[name]


def expiring_proxy(config: dict[str, str], timeout: float) -> ClusterRpcProxy:
    standalone = ClusterRpcProxy(config, timeout=timeout)
    standalone._proxy = _ExpiringCluster(standalone._worker_ctx, standalone._reply_listener, timeout)
    return standalone


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
                standalone = expiring_proxy(self.config, self.timeout)
                standalone.start()
            if correlation_id:
                standalone._worker_ctx.data["correlation_id"] = correlation_id
            else:  # no header at all, rather than an empty one (secret ballots carry none)
                standalone._worker_ctx.data.pop("correlation_id", None)
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
