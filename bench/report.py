"""The figures as ratios, a table for people, and one JSON line for machines.

Every goal is a ratio against the baseline measured in the same run, except
memory and the rate-limited dispatch, which have absolute goals.
"""

from __future__ import annotations

from typing import Any

from bench.inbound import InboundFigures
from bench.load import LoadResult

GOALS = {
    "inbound_sms_ratio": ">= 0.5",
    "inbound_telegram_ratio": ">= 0.5",
    "p99_ratio": "<= 3",
    "enqueue_ratio": "<= 3",
    "dispatch_ratio": ">= 0.5",
    "web_rss_mb": "< 250",
    "scheduler_rss_mb": "< 250",
    "rate_limited_seconds": "<= bound",
}
RATE_SLACK, RATE_GRACE_SECONDS = 1.05, 60


def figures(database: str, inbound: InboundFigures, outbox: dict[str, Any]) -> dict[str, Any]:
    base = inbound.runs["baseline", 8]
    sms, telegram = inbound.runs["sms", 8], inbound.runs["telegram", 8]
    notice, dispatch = outbox["notice"], outbox["notice"]["dispatch"]
    limited = dispatch["limited"]
    busiest = max(limited["per_channel"].values(), default=0)
    result: dict[str, Any] = {
        "database": database,
        "inbound_sms_ratio": sms.throughput / base.throughput,
        "inbound_telegram_ratio": telegram.throughput / base.throughput,
        "p99_ratio": max(sms.percentile(0.99), telegram.percentile(0.99)) / base.percentile(0.99),
        "enqueue_ratio": notice["seconds"] / outbox["bare"]["seconds"],
        "dispatch_ratio": _rate(dispatch["doorstep"]) / _rate(dispatch["bare"]),
        "web_rss_mb": inbound.worker_rss_mb,
        "scheduler_rss_mb": notice["rss_mb"],
        "rate_limited_seconds": limited["seconds"],
        "rate_limited_bound_seconds": RATE_SLACK * busiest / limited["rate"] + RATE_GRACE_SECONDS,
        "inbound": {
            f"{name}_{connections}": _load_figures(run)
            for (name, connections), run in inbound.runs.items()
        },
        "inbound_errors": sum(run.errors for run in inbound.runs.values()),
        "engine_failures": inbound.engine_failures,
        "enqueue": {
            "rows": notice["rows"],
            "doorstep_seconds": notice["seconds"],
            "bare_seconds": outbox["bare"]["seconds"],
            "rss_after_enqueue_mb": notice["rss_after_enqueue_mb"],
        },
        "dispatch": {key: dispatch[key] for key in ("bare", "doorstep", "limited", "statuses")},
    }
    if "audience_seconds" in notice:
        result["enqueue"]["audience_seconds"] = notice["audience_seconds"]
    result["goals_met"] = _goals_met(result)
    return result


def _rate(run: dict[str, Any]) -> float:
    return float(run["rows"]) / float(run["seconds"])


def _load_figures(run: LoadResult) -> dict[str, float]:
    return {
        "requests_per_second": run.throughput,
        "p50_ms": run.percentile(0.5) * 1000,
        "p99_ms": run.percentile(0.99) * 1000,
        "ok": run.ok,
        "errors": run.errors,
    }


def _goals_met(result: dict[str, Any]) -> dict[str, bool]:
    return {
        "inbound_sms_ratio": result["inbound_sms_ratio"] >= 0.5,
        "inbound_telegram_ratio": result["inbound_telegram_ratio"] >= 0.5,
        "p99_ratio": result["p99_ratio"] <= 3,
        "enqueue_ratio": result["enqueue_ratio"] <= 3,
        "dispatch_ratio": result["dispatch_ratio"] >= 0.5,
        "web_rss_mb": result["web_rss_mb"] < 250,
        "scheduler_rss_mb": result["scheduler_rss_mb"] < 250,
        "rate_limited_seconds": result["rate_limited_seconds"]
        <= result["rate_limited_bound_seconds"],
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for result in results:
        lines += [f"== {result['database']} ==", _inbound_table(result), ""]
        lines += [f"{'figure':<26} {'value':>10}  {'goal':<12} met", "-" * 56]
        for key, goal in GOALS.items():
            value = result[key]
            shown = f"{value:10.2f}" if key != "rate_limited_seconds" else f"{value:10.1f}"
            if key == "rate_limited_seconds":
                goal = f"<= {result['rate_limited_bound_seconds']:.0f}"
            met = "yes" if result["goals_met"][key] else "NO"
            lines.append(f"{key:<26} {shown}  {goal:<12} {met}")
        lines += ["", _outbox_lines(result), ""]
    return "\n".join(lines)


def _inbound_table(result: dict[str, Any]) -> str:
    rows = [f"{'inbound run':<16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"]
    for name, run in result["inbound"].items():
        rows.append(
            f"{name:<16} {run['requests_per_second']:9.1f} {run['p50_ms']:8.1f} "
            f"{run['p99_ms']:8.1f} {run['errors']:7d}"
        )
    return "\n".join(rows)


def _outbox_lines(result: dict[str, Any]) -> str:
    enqueue, dispatch = result["enqueue"], result["dispatch"]
    lines = [
        f"enqueue {enqueue['rows']} notices: doorstep {enqueue['doorstep_seconds']:.1f} s, "
        f"bare executemany {enqueue['bare_seconds']:.1f} s; "
        f"scheduler RSS after enqueue {enqueue['rss_after_enqueue_mb']:.0f} MB",
    ]
    if "audience_seconds" in enqueue:
        lines.append(f"audience() for the area: {enqueue['audience_seconds']:.1f} s")
    for key in ("bare", "doorstep", "limited"):
        run = dispatch[key]
        lines.append(
            f"dispatch {key:<8}: {run['rows']} rows in {run['seconds']:.1f} s "
            f"({_rate(run):.0f}/s) {run.get('per_channel', '')}"
        )
    return "\n".join(lines)
