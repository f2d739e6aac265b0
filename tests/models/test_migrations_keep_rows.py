"""Upgrading a database that holds tenants' messages keeps every row and every link.

SQLite alters a table by copying it; with foreign keys on, dropping the old copy would
cascade to the rows that point at it (a message's files, a reply's link to what it
answers), so the migrations run with them off.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from models.db import make_engine
from models.migrate import upgrade

BEFORE_THE_COPIES = "0017"  # later revisions copy inbound_messages and tenants on SQLite
WHEN = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


def _filler(column: sa.Column[Any]) -> object:
    kind = column.type.python_type if hasattr(column.type, "python_type") else str
    return {int: 0, bool: False, datetime: WHEN, dict: {}, list: []}.get(kind, "x")


def _insert(connection: sa.Connection, table_name: str, **values: object) -> int:
    """A row with ``values`` and a plain value in every other column that needs one."""
    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
    row = dict(values)
    for column in table.columns:
        needed = not column.nullable and column.server_default is None
        if column.name not in row and needed and not column.primary_key:
            row[column.name] = _filler(column)
    return int(connection.execute(table.insert().values(row)).inserted_primary_key[0])


def _count(connection: sa.Connection, name: str) -> int:
    return int(connection.scalar(sa.text(f"SELECT count(*) FROM {name}")))  # noqa: S608


def test_upgrading_a_sqlite_database_keeps_tenants_messages_and_the_links_between_them(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, BEFORE_THE_COPIES)
    engine = make_engine(url)
    with engine.begin() as connection:
        tenant = _insert(connection, "tenants", name="Ann Smith", phone="+447700900123")
        asked = _insert(
            connection, "inbound_messages", tenant_id=tenant, channel="sms", body="Lift broken"
        )
        _insert(connection, "outbound_messages", tenant_id=tenant, in_reply_to=asked, body="Thanks")
        _insert(connection, "identities", tenant_id=tenant, channel="sms", address="+447700900123")
    engine.dispose()

    upgrade(url)

    engine = make_engine(url)
    with engine.connect() as connection:
        counts = {name: _count(connection, name) for name in ("tenants", "inbound_messages")}
        link = connection.scalar(sa.text("SELECT in_reply_to FROM outbound_messages"))
        identities = _count(connection, "identities")
    engine.dispose()
    assert counts == {"tenants": 1, "inbound_messages": 1}
    assert link == asked and identities == 1
