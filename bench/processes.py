"""The child processes a benchmark starts: each in a process group of its own, always stopped.

Every server, fake provider and worker is started here and stopped by its process
group id, so nothing outlives the run, whether it ends, fails or is interrupted.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STOP_GRACE_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """Our environment, local addresses never proxied, and the project importable."""
    env = {**os.environ, **extra}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONPATH"] = str(ROOT)
    env.setdefault("PTB_TIMEDELTA", "true")
    return env


class Child:
    """One started process (and whatever it forks), logging to a file."""

    def __init__(self, argv: list[str], env: Mapping[str, str], log: Path) -> None:
        self.log = log
        self._log_file: IO[bytes] = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own venv's programs
            argv,
            cwd=ROOT,
            env=child_env(env),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=STOP_GRACE_SECONDS)
                _reap_group(self.process.pid)
                break
            except subprocess.TimeoutExpired:
                continue
        self._log_file.close()


def _reap_group(pgid: int) -> None:
    """Workers may outlive their master by a moment: end whatever is left of the group."""
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


@contextmanager
def running(argv: list[str], env: Mapping[str, str], log: Path) -> Iterator[Child]:
    child = Child(argv, env, log)
    try:
        yield child
    finally:
        child.stop()


def wait_for_port(port: int, child: Child, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.log.name}: exited early, see {child.log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{child.log.name}: nothing listening on {port} after {timeout}s")


def children_of(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP end the run like Ctrl-C, so every ``finally`` stops its children."""

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
