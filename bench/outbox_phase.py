"""The enqueue and dispatch phases: each step of bench.outbox in a process of its own.

The fake providers run in another process, so the notice process's memory is the
scheduler's alone.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.processes import free_port, running, wait_for_port


@dataclass(frozen=True)
class Sizes:
    tenants: int
    dispatch: int
    rate_rows: int
    rate: float
    profile: bool
    audience: bool


def measure(url: str, workdir: Path, sizes: Sizes) -> dict[str, Any]:
    seeded = _step(workdir, "seed", "--url", url, "--tenants", str(sizes.tenants))
    area = ["--url", url, "--area-id", str(seeded["area_id"])]
    bare = _step(workdir, "bare-enqueue", *area)
    twilio, telegram = free_port(), free_port()
    fakes = [sys.executable, "-m", "bench.fake_providers", str(twilio), str(telegram)]
    with running(fakes, {}, workdir / "fake-providers.log") as providers:
        wait_for_port(twilio, providers)
        wait_for_port(telegram, providers)
        notice = _step(
            workdir,
            "notice",
            *area,
            "--dispatch", str(sizes.dispatch),
            "--rate-rows", str(sizes.rate_rows),
            "--rate", str(sizes.rate),
            "--twilio", f"http://127.0.0.1:{twilio}",
            "--telegram", f"http://127.0.0.1:{telegram}",
            *(["--profile"] if sizes.profile else []),
            *(["--audience"] if sizes.audience else []),
        )  # fmt: skip
    return {"seed": seeded, "bare": bare, "notice": notice}


def _step(workdir: Path, *args: str) -> dict[str, Any]:
    """One ``bench.outbox`` step; its last line of output is its JSON answer."""
    log = workdir / f"outbox-{args[0]}.log"
    with running([sys.executable, "-m", "bench.outbox", *args], {}, log) as child:
        child.process.wait()
    if child.process.returncode != 0:
        raise RuntimeError(f"bench.outbox {args[0]} failed, see {log}")
    return json.loads(log.read_text().strip().splitlines()[-1])  # type: ignore[no-any-return]
