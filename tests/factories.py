"""Rows for arranging a test: keyword-only, sensible defaults, flushed but never committed.

The caller commits, so a test can build several rows and make them visible to the
app (and the dispatcher) in one go::

    tenant = create_tenant(db, phone="+447700900123")
    notice = create_outbound(db, tenant=tenant, body="The lifts are off on Monday.")
    db.commit()

Outbox rows are due from ``QUEUED_AT`` unless told otherwise, which is before any
test clock starts, so "due now" holds whatever the wall clock says.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from models.messages import OutboundMessage
from models.tenants import Area, Identity, Tenant

QUEUED_AT = datetime(2026, 1, 1, tzinfo=UTC)

_serial = itertools.count(1)


def _next() -> int:
    return next(_serial)


def _fictional_phone(n: int) -> str:
    """A number from Ofcom's drama range; 900000-900199 are left to the fixtures."""
    return f"+447700{900200 + n % 800}"


def create_area(session: Session, *, name: str | None = None) -> Area:
    area = Area(name=name or f"Estate {_next()}")
    session.add(area)
    session.flush()
    return area


def create_tenant(
    session: Session,
    *,
    name: str | None = None,
    phone: str | None = None,
    area: Area | None = None,
    language: str = "en",
    registered: bool = True,
    channels: Iterable[str] = ("sms",),
) -> Tenant:
    """A tenant with an identity on each of ``channels`` (SMS at their phone number)."""
    n = _next()
    phone = phone or _fictional_phone(n)
    tenant = Tenant(
        name=name or f"Tenant {n}",
        phone=phone,
        area=area,
        language=language,
        registered=registered,
    )
    for channel in channels:
        address = phone if channel == "sms" else str(700_000_000 + n)
        tenant.identities.append(Identity(channel=channel, address=address))
    session.add(tenant)
    session.flush()
    return tenant


def create_outbound(
    session: Session,
    *,
    tenant: Tenant,
    channel: str = "sms",
    body: str | None = None,
    kind: str = "notice",
    status: str = "queued",
    next_attempt_at: datetime | None = None,
) -> OutboundMessage:
    """An outbox row to the tenant's identity on ``channel``, due at ``next_attempt_at``."""
    identity = next((i for i in tenant.identities if i.channel == channel), None)
    if identity is None:
        raise ValueError(f"tenant {tenant.id} has no {channel} identity")
    row = OutboundMessage(
        tenant_id=tenant.id,
        channel=channel,
        address=identity.address,
        body=body or f"Notice {_next()}: the lifts at your block are serviced on Monday.",
        kind=kind,
        status=status,
        next_attempt_at=next_attempt_at or QUEUED_AT,
        created_at=QUEUED_AT,
    )
    session.add(row)
    session.flush()
    return row
