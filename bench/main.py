"""``bench/run``: doorstep against a bare baseline, on SQLite and PostgreSQL, as ratios.

Prints a table for people, then, as its very last line, a JSON list with one
object per database measured (see bench/README.md for the keys).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import inbound, outbox_phase, report
from bench.databases import throwaway
from bench.processes import stop_on_signals


@dataclass(frozen=True)
class Plan:
    seconds: float
    warmup: float
    slices: int
    sizes: outbox_phase.Sizes


QUICK = Plan(2, 1, 1, outbox_phase.Sizes(10_000, 300, 100, 50, profile=False, audience=False))
FULL = Plan(15, 3, 3, outbox_phase.Sizes(100_000, 4_000, 1_000, 50, profile=True, audience=False))


def main() -> None:
    args = _parser().parse_args()
    stop_on_signals()
    plan = QUICK if args.quick else FULL
    if args.audience:
        plan = Plan(plan.seconds, plan.warmup, plan.slices, _with_audience(plan.sizes))
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    workdir = Path(tempfile.mkdtemp(prefix="doorstep-bench-"))
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    profiles: dict[str, str] = {}
    try:
        for database in databases:
            print(f"measuring on {database} ...", file=sys.stderr, flush=True)
            results.append(_measure(database, workdir / database, plan, profiles))
    except BaseException:
        print(f"benchmark stopped; logs kept in {workdir}", file=sys.stderr)
        raise
    print(_machine(time.monotonic() - started, args.quick))
    print(report.table(results))
    for database, profile in profiles.items():
        print(f"cProfile of queueing notices on {database} (top lines by own time):\n{profile}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(results))


def _measure(database: str, workdir: Path, plan: Plan, profiles: dict[str, str]) -> dict[str, Any]:
    workdir.mkdir(parents=True)
    with throwaway(database, workdir) as url:
        served = inbound.measure(url, workdir, plan.seconds, plan.warmup, plan.slices)
        outbox = outbox_phase.measure(url, workdir, plan.sizes)
    result = report.figures(database, served, outbox)
    if "profile" in outbox["notice"]:
        profiles[database] = outbox["notice"]["profile"]
    return result


def _with_audience(sizes: outbox_phase.Sizes) -> outbox_phase.Sizes:
    return outbox_phase.Sizes(
        sizes.tenants, sizes.dispatch, sizes.rate_rows, sizes.rate, sizes.profile, audience=True
    )


def _machine(elapsed: float, quick: bool) -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}; "
        f"{'quick' if quick else 'full'} run took {elapsed:.0f} s\n"
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--quick", action="store_true", help="a few seconds per phase, 10,000 tenants"
    )
    parser.add_argument(
        "--audience",
        action="store_true",
        help="also time models.inspections.audience() for the whole area",
    )
    parser.add_argument("--keep", action="store_true", help="keep the logs and the SQLite file")
    return parser


if __name__ == "__main__":
    main()
