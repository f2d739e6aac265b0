"""The results table, for the terminal and for resilience/RESULTS.md."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from resilience.harness import Result


def render(results: list[Result], *, quick: bool, seconds: float) -> str:
    lines = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {'--quick' if quick else 'full'}, "
        f"{seconds:.0f}s",
        "",
        "| scenario | result | load held | faults injected | bad inputs tried | lost "
        "| duplicated |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        verdict = "SKIPPED" if result.skipped else ("PASS" if result.passed else "FAIL")
        lines.append(
            f"| {result.name} | {verdict} ({result.seconds:.0f}s) | {result.load} | "
            f"{result.faults} | {result.bad_inputs} | {result.lost} | {result.duplicated} |"
        )
    lines.append("")
    for result in results:
        for note in result.notes:
            lines.append(f"- {result.name.split()[0]}: {note}")
        for problem in result.problems:
            lines.append(f"- {result.name.split()[0]}: PROBLEM: {problem}")
        if result.skipped:
            lines.append(f"- {result.name.split()[0]}: skipped: {result.skipped}")
    return "\n".join(lines)


def write_results(path: Path, table: str) -> None:
    failed = table.count("| FAIL")
    path.write_text(
        "# Resilience results (latest run)\n\n"
        "Written by `resilience/run`; see resilience/README.md.\n\n"
        f"{table}\n\n{failed} scenario(s) failed.\n"
    )
