"""A tenant's data rights: everything held about them, and erasing it on request.

Both work from the schema rather than from a list kept by hand, so a table added
later is covered the day it is added: every table with a column that points at
``tenants.id`` holds something about the tenant. What erasing does to a row is the
table's own foreign-key rule: CASCADE rows go with the tenant; SET NULL rows are
answers kept as anonymous figures (a check-in's scores, a vote), and any free
text a table names in ``info={BLANK_ON_ERASE: (...)}`` is blanked first, because
words can name the person who wrote them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    CursorResult,
    Select,
    Table,
    delete,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from models.all import metadata
from models.base import BLANK_ON_ERASE
from models.messages import InboundRecord, OutboundRecord
from models.tenants import Identity, Tenant
from models.tombstones import bury

KEPT = "SET NULL"


class UnknownTenant(LookupError):
    """No tenant has that id: it may have been erased already."""


@dataclass
class Erasure:
    """What erasing one tenant did, table by table, for the staff member's confirmation."""

    deleted: dict[str, int] = field(default_factory=dict)
    kept_anonymous: dict[str, int] = field(default_factory=dict)


def tenant_columns() -> Iterator[tuple[Table, Column[Any]]]:
    """Each (table, column) whose column points at a tenant, in dependency order."""
    for table in metadata.sorted_tables:
        for column in table.columns:
            if any(key.column.table.name == "tenants" for key in column.foreign_keys):
                yield table, column


def tenant_record(session: Session, tenant_id: int) -> dict[str, Any]:
    """Everything held about one tenant, as JSON-ready data: their row, then each table's."""
    tenant = session.execute(select(Tenant.__table__).where(Tenant.id == tenant_id)).first()
    if tenant is None:
        raise UnknownTenant(f"no tenant {tenant_id}")
    record: dict[str, Any] = {"tenant": _plain(tenant._mapping)}
    for table, column in tenant_columns():
        rows = session.execute(
            select(table).where(column == tenant_id).order_by(*table.primary_key)
        )
        found = [_plain(row._mapping) for row in rows]
        if found:
            record.setdefault(table.name, []).extend(found)
    return record


def erase_tenant(session: Session, tenant_id: int, *, now: datetime) -> Erasure:
    """Erase a tenant: their messages and personal rows go; their answers stay, unnamed.

    Their inbound messages leave tombstones, so a provider's replay of one stores nothing.
    """
    if session.scalar(select(Tenant.id).where(Tenant.id == tenant_id)) is None:
        raise UnknownTenant(f"no tenant {tenant_id}")
    erasure = Erasure()
    addresses = [
        (channel, address)
        for channel, address in session.execute(
            select(Identity.channel, Identity.address).where(Identity.tenant_id == tenant_id)
        )
    ]
    bury(session, session.execute(_mine(InboundRecord, tenant_id, addresses)).all(), now=now)
    for message in (InboundRecord, OutboundRecord):
        erasure.deleted[message.__tablename__] = _delete_messages(
            session, message, tenant_id, addresses
        )
    for table, column in tenant_columns():
        counted = session.scalar(select(func.count()).select_from(table).where(column == tenant_id))
        if not counted:
            continue
        if _kept(column):
            _blank_free_text(session, table, column, tenant_id)
            erasure.kept_anonymous[table.name] = counted
        else:
            erasure.deleted[table.name] = erasure.deleted.get(table.name, 0) + counted
    session.execute(delete(Tenant).where(Tenant.id == tenant_id))
    erasure.deleted = {name: n for name, n in erasure.deleted.items() if n}
    return erasure


def _delete_messages(
    session: Session,
    message: type[InboundRecord] | type[OutboundRecord],
    tenant_id: int,
    addresses: list[tuple[str, str]],
) -> int:
    deleted: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        delete(message).where(_whose(message, tenant_id, addresses))
    )
    return deleted.rowcount or 0


def _mine(
    message: type[InboundRecord], tenant_id: int, addresses: list[tuple[str, str]]
) -> Select[str, str]:
    """The (channel, provider id) of each of the tenant's inbound messages."""
    return select(message.channel, message.provider_id).where(_whose(message, tenant_id, addresses))


def _whose(
    message: type[InboundRecord] | type[OutboundRecord],
    tenant_id: int,
    addresses: list[tuple[str, str]],
) -> ColumnElement[bool]:
    """A tenant's messages, including any sent from their number before they registered."""
    mine: ColumnElement[bool] = message.tenant_id == tenant_id
    if addresses:
        mine = or_(mine, tuple_(message.channel, message.address).in_(addresses))
    return mine


def _kept(column: Column[Any]) -> bool:
    return any(key.ondelete == KEPT for key in column.foreign_keys)


def _blank_free_text(session: Session, table: Table, column: Column[Any], tenant_id: int) -> None:
    blanks = table.info.get(BLANK_ON_ERASE, ())
    if blanks:
        session.execute(
            update(table).where(column == tenant_id).values({name: None for name in blanks})
        )


def _plain(row: Any) -> dict[str, Any]:
    return {key: _json_ready(value) for key, value in row.items()}


def _json_ready(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
