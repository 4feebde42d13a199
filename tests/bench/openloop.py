"""An open-loop HTTP/1.1 load generator cheap enough to send 1000 requests/s from Python on
the machine that also runs the system under test.

One thread and one `selectors` loop: request bytes are prepared before the clock starts, each
request is sent at its scheduled time on a free keep-alive connection (a new connection is
opened when none is free, so a slow server never delays a send), and its latency runs from the
scheduled time to the last byte of the response. A request that could not be sent on time
shows as send lag (`started - scheduled`), which is reported; so is the client's own CPU per
request, from which its capacity follows. No retries, except one on a reused connection that
the server had closed before any of the response arrived (gunicorn's keep-alive timeout)."""

from __future__ import annotations

import collections
import contextlib
import selectors
import socket
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MAX_CONNECTIONS = 900  # gunicorn's worker_connections is 1000 per worker
TIMEOUT = 30.0  # from the send for a request in flight, from the schedule for one not yet sent


@dataclass
class Run:
    scheduled: array  # perf_counter seconds
    started: array
    finished: array
    status: array  # 0: no response (connection error or timeout)
    bodies: dict[int, bytes]  # a few error bodies, for the report
    client_cpu: float  # CPU seconds of this thread during the run
    connections: int  # opened during the run
    reconnects: int
    unsent: int  # waited TIMEOUT for a free connection (MAX_CONNECTIONS busy): never sent

    def __len__(self) -> int:
        return len(self.scheduled)

    def latencies_ms(self) -> list[float]:
        return [(f - s) * 1000 for f, s in zip(self.finished, self.scheduled, strict=True)]


class _Connection:
    __slots__ = ("sock", "buffer", "index", "request", "reused")

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buffer = bytearray()
        self.index = -1
        self.request = b""
        self.reused = False


def request_bytes(method: str, path: str, host: str, body: bytes | None = None,
                  headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def _response_length(buffer: bytearray) -> tuple[int, int] | None:
    """(status, total length) once the head is in `buffer` and the length is known."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).decode("latin-1")
    lines = head.split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "transfer-encoding":
            raise ValueError("chunked responses are not supported by this client")
    return status, end + 4 + length


class OpenLoop:
    """Keep-alive connections to one address, reused first in, first out (so none idles long
    enough for the server to close it while requests keep coming)."""

    def __init__(self, host: str, port: int):
        self.address = (host, port)
        self.selector = selectors.DefaultSelector()
        self.idle: collections.deque[_Connection] = collections.deque()
        self.total = 0

    def _open(self) -> _Connection:
        sock = socket.create_connection(self.address, timeout=5)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        self.total += 1
        return _Connection(sock)

    def _drop(self, conn: _Connection) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn.sock)
        conn.sock.close()
        self.total -= 1

    def close(self) -> None:
        while self.idle:
            self._drop(self.idle.popleft())
        for key in list(self.selector.get_map().values()):
            self._drop(key.data)

    def run(self, requests: Sequence[bytes] | Callable[[int], bytes], count: int, rate: float,
            on_response: Callable[[int, int, bytes], None] | None = None) -> Run:
        """Send `count` requests, the i-th at origin + i / rate; wait for every response."""
        make = requests if callable(requests) else requests.__getitem__
        scheduled = array("d", [0.0]) * count
        started = array("d", [0.0]) * count
        finished = array("d", [0.0]) * count
        status = array("i", [0]) * count
        bodies: dict[int, bytes] = {}
        opened = reconnects = unsent = 0
        in_flight = 0
        select = self.selector.select
        register = self.selector.register
        idle = self.idle
        clock = time.perf_counter
        cpu0 = time.thread_time()
        origin = clock() + 0.02
        for i in range(count):
            scheduled[i] = origin + i / rate
        next_i = 0
        due: collections.deque[int] = collections.deque()

        def send(conn: _Connection, i: int, now: float) -> None:
            nonlocal in_flight
            conn.index, conn.request = i, make(i)
            conn.buffer.clear()
            started[i] = now
            conn.sock.send(conn.request)  # small: the socket buffer takes it whole
            register(conn.sock, selectors.EVENT_READ, conn)
            in_flight += 1

        def done(conn: _Connection, code: int, body: bytes, now: float, keep: bool) -> None:
            nonlocal in_flight
            i = conn.index
            finished[i], status[i] = now, code
            in_flight -= 1
            if on_response is not None:
                on_response(i, code, body)
            elif (code >= 400 or code == 0) and len(bodies) < 5:
                bodies[i] = body[:300]
            self.selector.unregister(conn.sock)
            conn.index = -1
            if keep:
                conn.reused = True
                idle.append(conn)
            else:
                conn.sock.close()
                self.total -= 1

        last_check = clock()
        while next_i < count or due or in_flight:
            now = clock()
            while next_i < count and scheduled[next_i] <= now:
                due.append(next_i)
                next_i += 1
            while due and now - scheduled[due[0]] > TIMEOUT:
                i = due.popleft()  # a voter would have given up: count it failed, unsent
                finished[i], status[i] = now, 0
                unsent += 1
                if len(bodies) < 5:
                    bodies[i] = b"not sent: no free connection within the timeout"
            while due:
                if idle:
                    conn = idle.popleft()
                elif self.total < MAX_CONNECTIONS:
                    conn = self._open()
                    opened += 1
                else:
                    break
                try:
                    send(conn, due[0], clock())
                except OSError:
                    self.total -= 1
                    conn.sock.close()
                    continue
                due.popleft()
            timeout = (scheduled[next_i] - clock()) if next_i < count else 0.05
            for key, _ in select(max(0.0, min(timeout, 0.05))):
                conn = key.data
                try:
                    data = conn.sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                now = clock()
                if not data:
                    i = conn.index
                    if conn.reused and not conn.buffer:
                        # Closed by the server while idle: the request never reached the app.
                        self.selector.unregister(conn.sock)
                        conn.sock.close()
                        self.total -= 1
                        in_flight -= 1
                        reconnects += 1
                        fresh = self._open()
                        opened += 1
                        fresh.index = i
                        fresh.request = conn.request
                        try:
                            fresh.sock.send(fresh.request)
                            register(fresh.sock, selectors.EVENT_READ, fresh)
                            in_flight += 1
                        except OSError:
                            finished[i], status[i] = now, 0
                            fresh.sock.close()
                            self.total -= 1
                        continue
                    done(conn, 0, b"connection closed: " + bytes(conn.buffer[:200]), now, keep=False)
                    continue
                conn.buffer += data
                parsed = _response_length(conn.buffer)
                if parsed is None or len(conn.buffer) < parsed[1]:
                    continue
                code, length = parsed
                head_end = conn.buffer.find(b"\r\n\r\n") + 4
                body = bytes(conn.buffer[head_end:length])
                keep = b"connection: close" not in bytes(conn.buffer[:head_end]).lower()
                done(conn, code, body, now, keep)
            now = clock()
            if now - last_check > 1.0:  # requests that never get an answer
                last_check = now
                for key in list(self.selector.get_map().values()):
                    conn = key.data
                    if conn.index >= 0 and now - started[conn.index] > TIMEOUT:
                        done(conn, 0, b"client timeout", now, keep=False)
        return Run(scheduled, started, finished, status, bodies, time.thread_time() - cpu0, opened, reconnects,
                   unsent)
