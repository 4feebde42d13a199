"""The gateway's way to the services: one pooled RPC proxy per call, read-your-writes waits.

After a command, the gateway waits (briefly) until the projections service has applied the
command's facts, so the page or client that made a change sees it on its next read."""

from __future__ import annotations

from typing import Any

from shared.logs import correlation_id
from shared.rpcclient import RpcPool

SETTLE_SECONDS = 2.0


class Backend:
    def __init__(self, pool: RpcPool):
        self.pool = pool

    def call(self, service: str, method: str, *args: Any) -> Any:
        with self.pool.proxy(correlation_id.get()) as cluster:
            return getattr(getattr(cluster, service), method)(*args)

    def command(self, method: str, *args: Any) -> dict[str, Any]:
        """Run an assessment command and wait until its facts are readable."""
        with self.pool.proxy(correlation_id.get()) as cluster:
            receipt = getattr(cluster.assessment, method)(*args)
            if receipt.get("position"):
                receipt["applied"] = cluster.projections.wait_for("assessment", receipt["position"], SETTLE_SECONDS)
            return receipt
