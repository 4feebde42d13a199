"""The gateway's way to the services: one pooled RPC proxy per call, read-your-writes waits.

After a command, the gateway waits (briefly) until the projections service has applied the
command's facts, so the page or client that made a change sees it on its next read. The wait
has its own pool with a short timeout: a command that was accepted is reported accepted even
when projections is away (`applied: false`), never as a failure."""

from __future__ import annotations

import time
from typing import Any

from shared.errors import Problem
from shared.logs import correlation_id
from shared.rpcclient import RpcPool

SETTLE_SECONDS = 2.0
# After a wait that found projections away, later commands do not wait for this long.
SETTLE_PAUSE_SECONDS = 5.0


class Backend:
    def __init__(self, amqp_uri: str, size: int = 8):
        self.pool = RpcPool(amqp_uri, size=size)
        self.settle_pool = RpcPool(amqp_uri, size=size, timeout=SETTLE_SECONDS + 1.0)
        self._settle_paused_until = 0.0

    def call(self, service: str, method: str, *args: Any) -> Any:
        with self.pool.proxy(correlation_id.get()) as cluster:
            return getattr(getattr(cluster, service), method)(*args)

    def command(self, method: str, *args: Any) -> dict[str, Any]:
        """Run an assessment command and wait until its facts are readable."""
        receipt = self.call("assessment", method, *args)
        receipt["applied"] = False
        if receipt.get("position") and time.monotonic() >= self._settle_paused_until:
            try:
                with self.settle_pool.proxy(correlation_id.get()) as cluster:
                    receipt["applied"] = cluster.projections.wait_for("assessment", receipt["position"], SETTLE_SECONDS)
            except Problem:
                # Unavailable: the command stands; reads catch up when projections is back.
                self._settle_paused_until = time.monotonic() + SETTLE_PAUSE_SECONDS
        return receipt
