"""Rows for arranging a test: keyword-only, sensible defaults, flushed but never committed.

The caller commits, so a test can build several rows and make them visible to the
app (and the dispatcher) in one go::

    tenant = create_tenant(db, phone="+447700900123")
    notice = create_outbound(db, tenant=tenant, body="The lifts are off on Monday.")
    db.commit()

Outbox rows are due from ``QUEUED_AT`` unless told otherwise, which is before any
test clock starts, so "due now" holds whatever the wall clock says.

Events, polls, inspections and repairs are booked the way staff book them, so each
comes with its due tasks (reminders, notices, the closing, the survey) and events and
polls invite their audience at once: a test sees what a tenant would.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.flow import Settings
from bot.sending_window import UK_TIME
from models.audiences import Audience
from models.events import Event, EventDetails
from models.inspections import Inspection, schedule_inspection
from models.messages import OutboundRecord
from models.polls import Poll, Translation
from models.repairs import Repair, register_repair
from models.tenants import Area, Identity, Tenant
from participation import event_steps, poll_steps

QUEUED_AT = datetime(2026, 1, 1, tzinfo=UTC)
SETTINGS = Settings(landlord="Fife Housing Group")  # what the texts booked here are signed with

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
) -> OutboundRecord:
    """An outbox row to the tenant's identity on ``channel``, due at ``next_attempt_at``."""
    identity = next((i for i in tenant.identities if i.channel == channel), None)
    if identity is None:
        raise ValueError(f"tenant {tenant.id} has no {channel} identity")
    row = OutboundRecord(
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


def create_event(
    session: Session,
    *,
    now: datetime,
    starts_at: datetime,
    area: Area | None = None,
    title: str = "Summer fun day",
    kind: str = "community",
    hours: int = 3,
    venue: str = "Methil Community Hall",
    capacity: int | None = None,
    most_per_party: int = 1,
    rsvp_by: datetime | None = None,
    settings: Settings = SETTINGS,
) -> Event:
    """An event for ``area`` (everyone when None): its reminders booked, its audience invited."""
    details = EventDetails(
        title=title,
        kind=kind,
        audience=Audience(area_ids=frozenset({area.id})) if area else Audience(everyone=True),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        venue=venue,
        capacity=capacity,
        most_per_party=most_per_party,
        rsvp_by=rsvp_by,
    )
    (event,) = event_steps.create(session, [details], staff_id=None, now=now, settings=settings)
    return event


def create_inspection(
    session: Session,
    *,
    area: Area,
    now: datetime,
    starts_at: datetime,
    meeting_point: str = "the community flat",
    officer: str = "",
    zone: ZoneInfo = UK_TIME,
) -> Inspection:
    """A walk in ``area``: its notice and reminder booked, the area's waiting reports gathered."""
    return schedule_inspection(
        session,
        area_id=area.id,
        starts_at=starts_at,
        meeting_point=meeting_point,
        officer=officer,
        now=now,
        zone=zone,
    )


def create_poll(
    session: Session,
    *,
    now: datetime,
    closes_at: datetime,
    question: str = "Which rent rise do you prefer for 2027?",
    options: Sequence[str] = ("3% rise", "4% with new kitchens"),
    audience: Audience | None = None,
    per_household: bool = False,
    reminder_days: int = 0,
    translations: Mapping[str, Translation] | None = None,
    settings: Settings = SETTINGS,
) -> Poll:
    """An open poll for ``audience`` (everyone when None), its audience invited."""
    return poll_steps.publish(
        session,
        question=question,
        options=options,
        translations=translations,
        audience=audience or Audience(everyone=True),
        closes_at=closes_at,
        per_household=per_household,
        reminder_days=reminder_days,
        staff_id=None,
        now=now,
        settings=settings,
    )


def create_repair(
    session: Session,
    *,
    tenant: Tenant,
    now: datetime,
    completed_at: datetime | None = None,
    job_reference: str | None = None,
    job_type: str = "plumbing",
    zone: ZoneInfo = UK_TIME,
) -> Repair:
    """A repair finished for ``tenant`` (at ``now`` unless told), its survey booked."""
    repair, _ = register_repair(
        session,
        tenant=tenant,
        job_reference=job_reference or f"JOB-{_next()}",
        job_type=job_type,
        completed_at=completed_at or now,
        now=now,
        zone=zone,
    )
    return repair
