"""A closed-loop load generator: each connection sends its next request when the last is answered.

One thread per connection, plain ``http.client`` over 127.0.0.1, connections
kept alive when the server allows it (gunicorn's sync workers close after each
response, so both servers pay for a new connection every request alike).
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.traffic import Conversations

REQUEST_TIMEOUT_SECONDS = 30


@dataclass
class LoadResult:
    connections: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def ok(self) -> int:
        return self.statuses["200"]

    @property
    def errors(self) -> int:
        return sum(self.statuses.values()) - self.ok

    @property
    def throughput(self) -> float:
        return self.ok / self.seconds

    def merged(self, other: LoadResult) -> LoadResult:
        return LoadResult(
            self.connections,
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            self.statuses + other.statuses,
        )

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def closed_loop(
    port: int,
    conversations: Callable[[random.Random], Conversations],
    *,
    connections: int,
    seconds: float,
    seed: int = 1,
) -> LoadResult:
    """Run ``connections`` clients against 127.0.0.1:port for ``seconds``; every answer timed."""
    result = LoadResult(connections, seconds)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    mixes = [conversations(random.Random(seed * 1000 + n)) for n in range(connections)]  # noqa: S311 - repeatable
    threads = [
        threading.Thread(target=_client, args=(port, mix, deadline, result, lock), daemon=True)
        for mix in mixes
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def _client(
    port: int,
    conversations: Conversations,
    deadline: float,
    result: LoadResult,
    lock: threading.Lock,
) -> None:
    connection: http.client.HTTPConnection | None = None
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    while time.monotonic() < deadline:
        request = conversations.next_request()
        started = time.perf_counter()
        try:
            if connection is None:
                connection = http.client.HTTPConnection(
                    "127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS
                )
            connection.request("POST", request.path, request.body, request.headers)
            response = connection.getresponse()
            response.read()
            status = str(response.status)
            if response.will_close:
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
            if connection is not None:
                connection.close()
            connection = None
        latencies.append(time.perf_counter() - started)
        statuses[status] += 1
    if connection is not None:
        connection.close()
    with lock:
        result.latencies += latencies
        result.statuses.update(statuses)
