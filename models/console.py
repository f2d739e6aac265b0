"""Questions the staff side (console pages and API) asks that no other part does.

Each function takes the caller's session and never commits: a page or an API
call opens the transaction and decides when it ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.consent import Consent
from models.messages import InboundRecord, InboxState, inbox_items
from models.staff import ApiToken, StaffRole, StaffUser
from models.tenants import Area, Tenant, TenantRole, search_tenants

EXPORT_BATCH = 500


def all_areas(session: Session) -> list[Area]:
    return list(session.scalars(select(Area).order_by(Area.name, Area.id)))


def areas_with_tenant_counts(
    session: Session, *, limit: int | None = None, offset: int = 0
) -> tuple[list[tuple[Area, int]], int]:
    """Areas by name with how many tenants live in each (a page of them); and how many areas."""
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


def tenants_in_area(session: Session, area_id: int) -> int:
    return int(session.scalar(select(func.count(Tenant.id)).where(Tenant.area_id == area_id)) or 0)


def area_named(session: Session, name: str, *, other_than: int | None = None) -> Area | None:
    """The area already called this, ignoring case and spacing (compared here, not in SQL,
    because SQLite only folds the case of ASCII letters)."""
    wanted = " ".join(name.casefold().split())
    for area in all_areas(session):
        if area.id != other_than and " ".join(area.name.casefold().split()) == wanted:
            return area
    return None


def matching_tenants(
    session: Session, *, text: str = "", area_id: int | None = None, unverified: bool = False
) -> Iterator[Tenant]:
    """Every tenant a search finds, in the order the list shows them, a batch at a time."""
    offset = 0
    while True:
        batch, _total = search_tenants(
            session,
            text=text,
            area_id=area_id,
            unverified=unverified,
            limit=EXPORT_BATCH,
            offset=offset,
        )
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH


def current_consents(session: Session, tenant_id: int) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.tenant_id == tenant_id)
            .order_by(Consent.channel, Consent.topic)
        )
    )


def tenant_names(session: Session, tenant_ids: Iterable[int | None]) -> dict[int, str | None]:
    wanted = {tenant_id for tenant_id in tenant_ids if tenant_id is not None}
    if not wanted:
        return {}
    rows = session.execute(select(Tenant.id, Tenant.name).where(Tenant.id.in_(wanted)))
    return {tenant_id: name for tenant_id, name in rows}


def holding_role(session: Session, role: str, tenant_ids: Iterable[int | None]) -> list[int]:
    """Which of these tenants hold the role, by id."""
    wanted = sorted({tenant_id for tenant_id in tenant_ids if tenant_id is not None})
    if not wanted:
        return []
    return list(
        session.scalars(
            select(TenantRole.tenant_id).where(
                TenantRole.role == role, TenantRole.tenant_id.in_(wanted)
            )
        )
    )


def inbox_item(session: Session, inbound_id: int) -> InboundRecord | None:
    """An inbound message staff were asked to look at (open or done), or None."""
    item = session.get(InboundRecord, inbound_id)
    return item if item is not None and item.inbox is not None else None


def whole_inbox(session: Session, state: str = InboxState.OPEN) -> Iterator[InboundRecord]:
    """Every item in one inbox tab, newest first, a batch at a time."""
    offset = 0
    while True:
        batch, _total = inbox_items(session, state=state, limit=EXPORT_BATCH, offset=offset)
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH


def staff_members(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def admin_emails(session: Session) -> list[str]:
    """Who a staff member refused a page can ask to change their role."""
    admins = select(StaffUser.email).where(StaffUser.role == StaffRole.ADMIN, StaffUser.active)
    return list(session.scalars(admins.order_by(StaffUser.email)))


def live_token_counts(session: Session) -> dict[int, int]:
    """How many unrevoked API tokens each staff member holds."""
    rows = session.execute(
        select(ApiToken.staff_id, func.count(ApiToken.id))
        .where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.staff_id)
    )
    return {staff_id: count for staff_id, count in rows}


def tokens_of(session: Session, staff_id: int) -> list[ApiToken]:
    """A staff member's tokens, live ones first, newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.staff_id == staff_id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id)
        )
    )


def staff_emails(session: Session) -> dict[int, str]:
    """Who is who, for showing which officer wrote a reply."""
    return {
        staff_id: email
        for staff_id, email in session.execute(select(StaffUser.id, StaffUser.email))
    }
