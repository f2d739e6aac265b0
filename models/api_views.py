"""Queries the staff API asks that the areas' own modules do not: counts and lookups.

Each takes the caller's session and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.messages import InboundMessage
from models.tenants import Area, Tenant


def area_named(session: Session, name: str, *, other_than: int | None = None) -> Area | None:
    """The area already called this, ignoring case and spacing, as the import matches them.

    Compared here rather than in SQL because SQLite folds the case of ASCII letters only.
    """
    wanted = " ".join(name.casefold().split())
    for area in session.scalars(select(Area).order_by(Area.id)):
        if area.id != other_than and " ".join(area.name.casefold().split()) == wanted:
            return area
    return None


def tenants_in_area(session: Session, area_id: int) -> int:
    return int(session.scalar(select(func.count(Tenant.id)).where(Tenant.area_id == area_id)) or 0)


def areas_with_tenant_counts(
    session: Session, *, limit: int, offset: int
) -> tuple[list[tuple[Area, int]], int]:
    """Areas by name with how many tenants live in each; and how many areas there are."""
    counts = (
        select(Tenant.area_id, func.count(Tenant.id).label("tenants"))
        .group_by(Tenant.area_id)
        .subquery()
    )
    rows = session.execute(
        select(Area, func.coalesce(counts.c.tenants, 0))
        .outerjoin(counts, counts.c.area_id == Area.id)
        .order_by(Area.name, Area.id)
        .limit(limit)
        .offset(offset)
    )
    total = int(session.scalar(select(func.count(Area.id))) or 0)
    return [(area, int(tenants)) for area, tenants in rows], total


def inbox_message(session: Session, message_id: int) -> InboundMessage | None:
    """An inbound message that is, or was, in the staff inbox."""
    return session.scalar(
        select(InboundMessage).where(
            InboundMessage.id == message_id, InboundMessage.inbox.is_not(None)
        )
    )


def tenant_names(session: Session, tenant_ids: Iterable[int | None]) -> dict[int, str | None]:
    """Names for a page of messages, in one query."""
    wanted = {tenant_id for tenant_id in tenant_ids if tenant_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(wanted)))
    return {tenant_id: name for tenant_id, name in rows}
