"""Taking ballots in at hundreds a second: requests share RPC calls.

A ballot request hands its ballot to this worker process's intake and waits. The sender
thread takes everything that has gathered (up to `max_batch`) and sends it as one
`cast_ballots` call, giving each request its own result. While one call is under way the next
batch gathers, so batches grow with the load and an idle system answers at once. One RPC costs
about as much as dozens of ballots inside it (measured: one sender a worker takes more ballots
a second than two or three, whose batches are smaller). No request id travels with a batch."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any

from shared.rpcclient import RpcPool, unavailable


class BallotIntake:
    def __init__(self, pool: RpcPool, senders: int = 1, max_batch: int = 200, timeout: float = 15.0):
        self.pool = pool
        self.senders = senders
        self.max_batch = max_batch
        self.timeout = timeout
        self._waiting: queue.Queue[tuple[dict, Future]] = queue.Queue()
        self._started = False
        self._starting = threading.Lock()

    def cast(self, ballot: dict) -> dict[str, Any]:
        """The service's answer for this ballot: {"accepted": true} or a refusal."""
        self._start()
        answer: Future = Future()
        self._waiting.put((ballot, answer))
        try:
            return answer.result(timeout=self.timeout)
        except TimeoutError:
            raise unavailable() from None

    def _start(self) -> None:
        with self._starting:
            if not self._started:
                for n in range(self.senders):
                    threading.Thread(target=self._run, name=f"ballot-intake-{n}", daemon=True).start()
                self._started = True

    def _run(self) -> None:
        while True:
            batch = [self._waiting.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._waiting.get_nowait())
                except queue.Empty:
                    break
            self._send(batch)

    def _send(self, batch: list[tuple[dict, Future]]) -> None:
        try:
            with self.pool.proxy("") as cluster:
                results = cluster.assessment.cast_ballots([ballot for ballot, _ in batch])
        except Exception as exc:  # noqa: BLE001 - every waiting request must hear of it
            for _, answer in batch:
                answer.set_exception(exc)
            return
        for (_, answer), result in zip(batch, results, strict=True):
            answer.set_result(result)
