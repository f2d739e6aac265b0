"""A throwaway database for one run: a SQLite file (WAL) or a new PostgreSQL database.

The schema comes from ``doorstep db upgrade``, the same command a deployment runs.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from bench.processes import BIN, ROOT, child_env

POSTGRES_SERVER = os.environ.get(
    "DOORSTEP_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def throwaway(kind: str, workdir: Path) -> Iterator[str]:
    """The SQLAlchemy URL of an empty, migrated database, dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        migrate(url, workdir)
        yield url
        return
    name = f"doorstep_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = (
            POSTGRES_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            + f"/{name}"
        )
        migrate(url, workdir)
        yield url
    finally:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str, workdir: Path) -> None:
    env = child_env({"DATABASE_URL": url, "DOORSTEP_INSTANCE": str(workdir / "instance")})
    done = subprocess.run(  # noqa: S603 - our own venv's command
        [str(BIN / "doorstep"), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"doorstep db upgrade failed:\n{done.stderr[-2000:]}")
