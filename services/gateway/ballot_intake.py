"""Taking ballots in at a thousand a second: requests share RPC calls.

A ballot request hands its ballot to this worker process's intake and waits. The intake's
thread sends whatever has gathered (up to `max_batch`, waiting at most `window` seconds for
company) as one `cast_ballots` call, and gives each request its own result. One RPC costs about
as much as a hundred ballots inside it. No request id travels with the batch."""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from typing import Any

from shared.rpcclient import RpcPool, unavailable


class BallotIntake:
    def __init__(self, pool: RpcPool, window: float = 0.004, max_batch: int = 200, timeout: float = 15.0):
        self.pool = pool
        self.window = window
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
                threading.Thread(target=self._run, name="ballot-intake", daemon=True).start()
                self._started = True

    def _run(self) -> None:
        while True:
            batch = [self._waiting.get()]
            closes = time.monotonic() + self.window
            while len(batch) < self.max_batch:
                remaining = closes - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    batch.append(self._waiting.get(timeout=remaining))
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
