"""The long-running commands, started as an operator starts them: serve and scheduler."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.messages import OutboundRecord, OutboxStatus
from tests.factories import create_outbound, create_tenant

DOORSTEP = str(Path(sys.executable).with_name("doorstep"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(database_url: str, tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "TELEGRAM_"))}
    return {**keep, "DATABASE_URL": database_url, "DOORSTEP_INSTANCE": str(tmp_path)}


def wait_for(condition: object, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def test_serve_runs_the_app_under_gunicorn_until_told_to_stop(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    server = subprocess.Popen(
        [DOORSTEP, "serve", "--port", str(port), "--workers", "2"],
        env=environment(database_url, tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def healthy() -> bool:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                return bool(answer.status == 200)

        assert wait_for(healthy), "gunicorn never answered /healthz"
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0


def test_the_scheduler_sends_what_is_queued_and_stops_cleanly_on_sigterm(
    database_url: str, tmp_path: Path, db: Session
) -> None:
    tenant = create_tenant(db, name="Ann Smith")
    row = create_outbound(db, tenant=tenant, body="The stair lights are fixed.")
    db.commit()
    scheduler = subprocess.Popen(
        [DOORSTEP, "scheduler"],
        env=environment(database_url, tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def delivered() -> bool:
            db.expire_all()
            status = db.scalar(select(OutboundRecord.status).where(OutboundRecord.id == row.id))
            return status == OutboxStatus.DELIVERED  # the simulator channel: no Twilio set

        assert wait_for(delivered), "the scheduler never sent the queued row"
    finally:
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(timeout=30) == 0
