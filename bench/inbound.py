"""Inbound: the baseline app and doorstep's webhooks under the same closed-loop load.

Both run under gunicorn with 2 sync workers on the same database, side by side,
loaded in turn (never at once). Each is warmed up first, unmeasured (imports,
catalogues, connection pools).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert

from bench import baseline_app
from bench.load import LoadResult, closed_loop
from bench.processes import (
    BIN,
    Child,
    children_of,
    free_port,
    peak_rss_mb,
    running,
    wait_for_port,
)
from bench.traffic import (
    AREA,
    PUBLIC_URL,
    TELEGRAM_SECRET,
    TWILIO_TOKEN,
    BaselineSms,
    Conversations,
    SmsConversations,
    TelegramConversations,
)
from models.db import make_engine
from models.tenants import Area

WORKERS = 2
CONNECTIONS = (1, 8)


@dataclass
class InboundFigures:
    runs: dict[tuple[str, int], LoadResult] = field(default_factory=dict)
    worker_rss_mb: float = 0.0
    engine_failures: int = 0

    def add(self, name: str, run: LoadResult) -> None:
        key = (name, run.connections)
        self.runs[key] = self.runs[key].merged(run) if key in self.runs else run


def measure(url: str, workdir: Path, seconds: float, warmup: float, slices: int) -> InboundFigures:
    figures = InboundFigures()
    engine = make_engine(url)
    baseline_app.create_tables(engine)
    with engine.begin() as connection:
        connection.execute(insert(Area).values(name=AREA[0], postcode_prefixes=AREA[1]))
    engine.dispose()

    base_port, port = free_port(), free_port()
    gunicorn = [str(BIN / "gunicorn"), "-w", str(WORKERS), "-k", "sync"]
    baseline = [*gunicorn, "-b", f"127.0.0.1:{base_port}", "bench.baseline_app:create_app()"]
    serve = [str(BIN / "doorstep"), "serve", "--port", str(port), "--workers", str(WORKERS)]
    log = workdir / "doorstep-serve.log"
    with (
        running(baseline, {"DATABASE_URL": url}, workdir / "baseline.log") as base_server,
        running(serve, doorstep_env(url, workdir), log) as server,
    ):
        wait_for_port(base_port, base_server)
        wait_for_port(port, server)
        targets = {
            "baseline": (base_port, BaselineSms),
            "sms": (port, SmsConversations),
            "telegram": (port, TelegramConversations),
        }
        _interleaved(figures, targets, seconds, warmup, slices)
        figures.worker_rss_mb = _workers_peak_rss(server)
    figures.engine_failures = log.read_text().count("engine failed")
    return figures


def doorstep_env(url: str, workdir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "DOORSTEP_INSTANCE": str(workdir / "instance"),
        "PUBLIC_URL": PUBLIC_URL,
        "SECRET_KEY": "bench-secret-key",
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
    }


def _interleaved(
    figures: InboundFigures,
    targets: Mapping[str, tuple[int, Callable[..., Conversations]]],
    seconds: float,
    warmup: float,
    slices: int,
) -> None:
    """Each run in ``slices`` turns, taken in rotation, so a busy spell on a shared
    machine falls on the baseline and on doorstep alike."""
    for port, conversations in targets.values():
        closed_loop(port, conversations, connections=2, seconds=warmup, seed=99)
    for connections in CONNECTIONS:
        for turn in range(slices):
            for name, (port, conversations) in targets.items():
                run = closed_loop(
                    port,
                    conversations,
                    connections=connections,
                    seconds=seconds / slices,
                    seed=turn + 1,
                )
                figures.add(name, run)


def _workers_peak_rss(server: Child) -> float:
    return max((peak_rss_mb(pid) for pid in children_of(server.pid)), default=0.0)
