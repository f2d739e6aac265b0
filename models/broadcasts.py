"""Notices and broadcasts: what staff wrote, who it was for, and what became of it.

A broadcast keeps its texts (English, and any other language staff wrote) and its
audience as chosen, so its page can say later exactly what went to whom. Its outbox
rows carry its id: the delivery report is read from them, a failed-only resend
queues them again, and a reply that no flow answers is linked back to a broadcast it
plausibly answers (bot.broadcast_replies says which). A volunteer-bank opportunity is
a broadcast too; a member who answers YES is recorded here as interested.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Select,
    String,
    UniqueConstraint,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow
from models.messages import InboundRecord, OutboundRecord, OutboxStatus
from models.tenants import InvalidPhoneNumber, Tenant, normalise_phone

OPPORTUNITY_OPEN = timedelta(days=14)  # YES counts for an opportunity this long after it
LONGEST_TEXT = 1000  # typed; the 2-segment rule is what really limits a notice
LARGEST_CSV_ROWS = 20_000
SHORTEST_PHONE = 7  # digits: anything shorter in a CSV is a tenant id


class BroadcastKind(StrEnum):
    NOTICE = "notice"
    OPPORTUNITY = "opportunity"  # volunteer bank: ends "Reply YES if you can help."


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENT = "sent"  # queued in the outbox: the dispatcher takes it from there


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=BroadcastKind.NOTICE)
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # language -> what staff wrote
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)  # Audience.as_json()
    unmatched: Mapped[list[str]] = mapped_column(default=list)  # CSV rows naming no tenant
    topic: Mapped[str] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(default=False)
    call_landlines: Mapped[bool] = mapped_column(default=False)  # phone landline-only tenants
    status: Mapped[str] = mapped_column(String(12), default=BroadcastStatus.DRAFT, index=True)
    send_at: Mapped[datetime | None]  # when staff scheduled it for
    sent_at: Mapped[datetime | None]  # when it was queued
    queued: Mapped[int] = mapped_column(default=0)
    created_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def english(self) -> str:
        return str(self.texts.get("en", ""))


class BroadcastInterest(Base):
    """A volunteer-bank member who answered YES to an opportunity."""

    __tablename__ = "broadcast_interests"
    __table_args__ = (UniqueConstraint("broadcast_id", "tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    said_at: Mapped[datetime] = mapped_column(default=utcnow)


def create_broadcast(
    session: Session,
    *,
    kind: str,
    texts: dict[str, str],
    audience: dict[str, Any],
    topic: str,
    urgent: bool,
    staff_id: int | None,
    now: datetime,
    unmatched: Sequence[str] = (),
    call_landlines: bool = False,
) -> Broadcast:
    broadcast = Broadcast(
        kind=kind,
        texts=dict(texts),
        audience=audience,
        unmatched=list(unmatched),
        topic=topic,
        urgent=urgent,
        call_landlines=call_landlines,
        created_by_staff_id=staff_id,
        created_at=now,
    )
    session.add(broadcast)
    session.flush()
    return broadcast


def broadcasts_page(session: Session, *, limit: int, offset: int) -> tuple[list[Broadcast], int]:
    """Newest first, one page, and how many there are in all."""
    total = session.scalar(select(func.count(Broadcast.id))) or 0
    found = session.scalars(
        select(Broadcast).order_by(Broadcast.id.desc()).limit(limit).offset(offset)
    )
    return list(found), total


# --- the outbox rows of a broadcast ------------------------------------------------------


REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "queued": (OutboxStatus.QUEUED, OutboxStatus.SENDING),
    "sent": (OutboxStatus.SENT,),
    "delivered": (OutboxStatus.DELIVERED,),
    "failed": (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED),
    "opted_out": (OutboxStatus.OPTED_OUT,),
    "unreachable": (OutboxStatus.UNREACHABLE,),
}
FAILED = REPORT_COLUMNS["failed"]


def delivery_report(session: Session, broadcast_id: int) -> dict[str, int]:
    """How the broadcast's messages stand now, one count per column of the report."""
    counted = dict(
        session.execute(
            select(OutboundRecord.status, func.count())
            .where(OutboundRecord.broadcast_id == broadcast_id)
            .group_by(OutboundRecord.status)
        ).all()
    )
    report = {
        column: sum(counted.get(status, 0) for status in statuses)
        for column, statuses in REPORT_COLUMNS.items()
    }
    report["total"] = sum(counted.values())
    return report


def requeue_failed(session: Session, broadcast_id: int, *, send_at: datetime) -> int:
    """Queue again only the rows that failed; the dispatcher checks opt-outs once more."""
    result = session.execute(
        update(OutboundRecord)
        .where(OutboundRecord.broadcast_id == broadcast_id, OutboundRecord.status.in_(FAILED))
        .values(
            status=OutboxStatus.QUEUED,
            attempts=0,
            next_attempt_at=send_at,
            provider_id=None,
            claimed_at=None,
            claimed_by=None,
            final_at=None,
            error_code=None,
            error=None,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Received:
    """A broadcast that reached a tenant, and when it was sent to them."""

    broadcast: Broadcast
    sent_at: datetime


def broadcasts_received(
    session: Session, tenant_id: int, *, since: datetime, limit: int
) -> list[Received]:
    """The broadcasts sent to a tenant since then, the latest first."""
    rows = session.execute(
        select(Broadcast, OutboundRecord.sent_at)
        .join(OutboundRecord, OutboundRecord.broadcast_id == Broadcast.id)
        .where(OutboundRecord.tenant_id == tenant_id, OutboundRecord.sent_at >= since)
        .order_by(OutboundRecord.sent_at.desc(), OutboundRecord.id.desc())
        .limit(limit)
    )
    return [Received(broadcast, at) for broadcast, at in rows if at is not None]


def replies_to(session: Session, broadcast_id: int, *, limit: int = 200) -> list[InboundRecord]:
    return list(
        session.scalars(
            select(InboundRecord)
            .where(InboundRecord.broadcast_id == broadcast_id)
            .order_by(InboundRecord.id.desc())
            .limit(limit)
        )
    )


# --- volunteer-bank opportunities --------------------------------------------------------


def _unanswered_opportunities(tenant_id: int) -> Select[Broadcast]:
    answered = exists().where(
        BroadcastInterest.broadcast_id == Broadcast.id, BroadcastInterest.tenant_id == tenant_id
    )
    return (
        select(Broadcast)
        .join(OutboundRecord, OutboundRecord.broadcast_id == Broadcast.id)
        .where(
            Broadcast.kind == BroadcastKind.OPPORTUNITY,
            OutboundRecord.tenant_id == tenant_id,
            OutboundRecord.sent_at.is_not(None),
            ~answered,
        )
    )


def has_open_opportunity(session: Session, tenant_id: int) -> bool:
    """Whether an opportunity reached the tenant that they have not yet said YES to."""
    query = _unanswered_opportunities(tenant_id).with_only_columns(Broadcast.id).limit(1)
    return session.scalar(query) is not None


def open_opportunity(session: Session, tenant_id: int, now: datetime) -> Broadcast | None:
    """The latest opportunity sent to the tenant in the last 14 days, not yet answered."""
    return session.scalar(
        _unanswered_opportunities(tenant_id)
        .where(OutboundRecord.sent_at >= now - OPPORTUNITY_OPEN)
        .order_by(OutboundRecord.sent_at.desc())
        .limit(1)
    )


def record_interest(
    session: Session, broadcast: Broadcast, tenant_id: int, *, channel: str, now: datetime
) -> BroadcastInterest:
    interest = BroadcastInterest(
        broadcast_id=broadcast.id, tenant_id=tenant_id, channel=channel, said_at=now
    )
    session.add(interest)
    return interest


@dataclass(frozen=True)
class Volunteer:
    tenant_id: int
    name: str | None
    phone: str | None
    channel: str
    said_at: datetime


def interested(session: Session, broadcast_id: int) -> list[Volunteer]:
    """Who said YES to an opportunity, first first."""
    found = session.execute(
        select(
            Tenant.id,
            Tenant.name,
            Tenant.phone,
            BroadcastInterest.channel,
            BroadcastInterest.said_at,
        )
        .join(Tenant, Tenant.id == BroadcastInterest.tenant_id)
        .where(BroadcastInterest.broadcast_id == broadcast_id)
        .order_by(BroadcastInterest.said_at, BroadcastInterest.id)
    )
    return [Volunteer(*row) for row in found]


# --- a list of tenants from a spreadsheet ------------------------------------------------


class UnreadableList(ValueError):
    """A CSV that cannot be read as a list of tenants: the reason is shown as it is."""


def tenants_from_csv(session: Session, data: bytes) -> tuple[set[int], list[str]]:
    """The tenants a CSV names (one column of phone numbers or tenant ids), and the rows
    that named nobody, as staff typed them. A header row, if any, is skipped."""
    cells = _first_cells(data)
    ids = {int(cell) for cell in cells if cell.isdigit() and len(cell) < SHORTEST_PHONE}
    phones: dict[str, str] = {}
    for cell in cells:
        if not (cell.isdigit() and len(cell) < SHORTEST_PHONE):
            try:
                phones[normalise_phone(cell)] = cell
            except InvalidPhoneNumber:
                continue
    known_ids = set(session.scalars(select(Tenant.id).where(Tenant.id.in_(sorted(ids)))))
    by_phone: dict[str, int] = {
        str(phone): tenant_id
        for phone, tenant_id in session.execute(
            select(Tenant.phone, Tenant.id).where(Tenant.phone.in_(sorted(phones)))
        )
    }
    found = known_ids | set(by_phone.values())
    matched_cells = {str(i) for i in known_ids} | {phones[p] for p in by_phone}
    unmatched = [cell for cell in cells if cell not in matched_cells]
    return found, unmatched


def _first_cells(data: bytes) -> list[str]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableList("save the list as CSV (UTF-8)") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > LARGEST_CSV_ROWS:
        raise UnreadableList(f"send at most {LARGEST_CSV_ROWS} rows")
    cells = [row[0].strip() for row in rows if row and row[0].strip()]
    if cells and not _looks_like_a_tenant(cells[0]):
        cells = cells[1:]  # a header such as "phone" or "tenant id"
    if not cells:
        raise UnreadableList("the list has no phone numbers or tenant ids in its first column")
    return cells


def _looks_like_a_tenant(cell: str) -> bool:
    return any(ch.isdigit() for ch in cell)
