"""Every message in and out: the inbound record and the outbox.

Inbound rows are unique on the provider's id, so a retried webhook is
recognised. Outbound rows are written in the same transaction as whatever
caused them; the dispatcher moves them along
queued -> sending -> sent -> delivered | undelivered | failed. A dispatcher
leases a batch while the rows stay ``queued``, and marks each one ``sending``
only just before the provider is called, so a crash mid-send leaves one trace to
reconcile rather than a message to resend blindly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    exists,
    false,
    func,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow

MAX_ATTEMPTS = 8
FIRST_RETRY_DELAY = timedelta(seconds=10)
LONGEST_RETRY_DELAY = timedelta(hours=1)


class InboxState(StrEnum):
    OPEN = "open"
    DONE = "done"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    OPTED_OUT = "opted_out"
    UNREACHABLE = "unreachable"


class OutboundKind(StrEnum):
    REPLY = "reply"  # an answer to the tenant's own message
    CONSENT = "consent"  # STOP/START/HELP answers: the only thing an opted-out tenant gets
    NOTICE = "notice"  # anything staff or the schedule send unasked


FINAL_STATUSES = frozenset(
    {
        OutboxStatus.DELIVERED,
        OutboxStatus.UNDELIVERED,
        OutboxStatus.FAILED,
        OutboxStatus.OPTED_OUT,
        OutboxStatus.UNREACHABLE,
    }
)


class InboundRecord(Base):
    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "provider_id"),
        Index("ix_inbound_messages_thread", "channel", "address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64), default="")
    provider_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text, default="")
    media: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    flow: Mapped[str | None] = mapped_column(String(40))
    inbox: Mapped[str | None] = mapped_column(String(8), index=True)
    broadcast_id: Mapped[int | None] = mapped_column(  # the notice a reply to staff answers
        ForeignKey("broadcasts.id", ondelete="SET NULL"), index=True
    )
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())  # danger
    opened_by_staff_id: Mapped[int | None] = mapped_column(  # who last opened the inbox item
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    opened_at: Mapped[datetime | None]


class OutboundRecord(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        Index("ix_outbound_messages_due", "status", "next_attempt_at"),
        Index("ix_outbound_messages_thread", "channel", "address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    choices: Mapped[dict[str, Any]] = mapped_column(default=dict)
    kind: Mapped[str] = mapped_column(String(16), default=OutboundKind.REPLY)
    topic: Mapped[str | None] = mapped_column(String(16))
    in_reply_to: Mapped[int | None] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="SET NULL")
    )
    sent_by_staff_id: Mapped[int | None] = mapped_column(  # a reply typed by staff: who
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    broadcast_id: Mapped[int | None] = mapped_column(  # the notice staff broadcast it for
        ForeignKey("broadcasts.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.QUEUED)
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    segments: Mapped[int] = mapped_column(default=1)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    resent_unconfirmed: Mapped[int] = mapped_column(default=0)
    error_code: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    final_at: Mapped[datetime | None]


def storable(text: str) -> str:
    """Text as every database can keep it: PostgreSQL refuses NUL characters."""
    return text.replace("\x00", "")


def storable_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {storable(str(k)): storable(v) if isinstance(v, str) else v for k, v in fields.items()}


def find_inbound(session: Session, channel: str, provider_id: str) -> InboundRecord | None:
    return session.scalar(
        select(InboundRecord).where(
            InboundRecord.channel == channel, InboundRecord.provider_id == provider_id
        )
    )


class ClaimedRow(NamedTuple):
    """What sending one outbox row needs, read once at the claim: no ORM object to carry."""

    id: int
    tenant_id: int | None
    channel: str
    address: str
    body: str
    choices: dict[str, Any]
    kind: str
    topic: str | None
    claimed_at: datetime


def claim_due(
    session: Session, *, now: datetime, until: datetime, limit: int, claimer: str
) -> list[ClaimedRow]:
    """Lease up to ``limit`` due rows to this dispatcher until ``until``; others skip them.

    The rows stay ``queued``: only the one being sent is ever ``sending`` (mark_sending).
    The lease moves each row's next attempt to ``until``, so rows a dispatcher claimed
    and never reached (it died, or is slow) fall due again for anyone once it is up.
    """
    due = (
        select(OutboundRecord.id)
        .where(OutboundRecord.status == OutboxStatus.QUEUED, OutboundRecord.next_attempt_at <= now)
        .order_by(OutboundRecord.next_attempt_at, OutboundRecord.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(session.scalars(due))
    if not ids:
        return []
    leased = session.execute(
        update(OutboundRecord)
        .where(OutboundRecord.id.in_(ids))
        .values(claimed_at=now, claimed_by=claimer, next_attempt_at=until)
        .returning(*(getattr(OutboundRecord, name) for name in ClaimedRow._fields))
        .execution_options(synchronize_session=False)
    )
    return sorted((ClaimedRow(*row) for row in leased), key=lambda row: row.id)


# The statements run once or twice for every message sent are built once, on the table
# itself: the ORM's bookkeeping and rebuilding them cost more than the database's work.
_OUTBOX = Base.metadata.tables[OutboundRecord.__tablename__]
_outbox = _OUTBOX.c
_STILL_LEASED = (  # queued under the lease this dispatcher took, not taken over since
    _outbox.id == bindparam("row_id"),
    _outbox.status == OutboxStatus.QUEUED,
    _outbox.claimed_by == bindparam("claimer"),
    _outbox.claimed_at == bindparam("leased_at"),
)
_MARK_SENDING = (
    update(_OUTBOX)
    .where(*_STILL_LEASED)
    .values(status=OutboxStatus.SENDING, claimed_at=bindparam("now"), attempts=_outbox.attempts + 1)
    .returning(_outbox.id)
)
_PUT_BACK = (
    update(_OUTBOX)
    .where(*_STILL_LEASED)
    .values(next_attempt_at=bindparam("until"), error=bindparam("reason"))
)
_RECORD_SENT = (
    update(_OUTBOX)
    .where(_outbox.id == bindparam("row_id"), _outbox.status == OutboxStatus.SENDING)
    .values(
        status=bindparam("outcome"),
        provider_id=bindparam("provider_id"),
        sent_at=bindparam("now"),
        final_at=bindparam("final_at"),
        segments=func.coalesce(bindparam("segments"), _outbox.segments),
        error_code=None,
        error=None,
    )
    .returning(_outbox.id)
)


def _lease(row: ClaimedRow, claimer: str) -> dict[str, object]:
    return {"row_id": row.id, "claimer": claimer, "leased_at": row.claimed_at}


def mark_sending(session: Session, row: ClaimedRow, *, claimer: str, now: datetime) -> bool:
    """Flip one leased row to ``sending`` just before its send; False if it is no longer ours.

    ``claimed_at`` becomes the moment the send began: the lease of a row in flight is
    counted from it, and reconciliation asks the provider for messages since then.
    """
    started = session.scalar(_MARK_SENDING, {**_lease(row, claimer), "now": now})
    return started is not None


def put_back(
    session: Session, row: ClaimedRow, *, claimer: str, until: datetime, reason: str
) -> None:
    """A leased row not sent this round (its channel is paused): due again at ``until``."""
    session.execute(_PUT_BACK, {**_lease(row, claimer), "until": until, "reason": reason[:200]})


def mark_held(session: Session, held: Mapping[int, OutboxStatus], *, now: datetime) -> None:
    """Rows that must not go (opted out, unreachable) end here, one statement per reason."""
    for status in set(held.values()):
        session.execute(
            update(OutboundRecord)
            .where(OutboundRecord.id.in_([i for i, why in held.items() if why == status]))
            .values(status=status, final_at=now, error_code=None, error="held at send time")
            .execution_options(synchronize_session=False)
        )


def record_sent(
    session: Session,
    row_id: int,
    *,
    provider_id: str | None,
    segments: int | None,
    delivered: bool,
    now: datetime,
) -> None:
    """The provider took the row. A delivery report that got here first keeps its status."""
    recorded = session.scalar(
        _RECORD_SENT,
        {
            "row_id": row_id,
            "outcome": OutboxStatus.DELIVERED if delivered else OutboxStatus.SENT,
            "provider_id": provider_id,
            "now": now,
            "final_at": now if delivered else None,
            "segments": segments or None,
        },
    )
    if recorded is None:
        session.execute(
            update(OutboundRecord)
            .where(OutboundRecord.id == row_id)
            .values(
                provider_id=provider_id,
                sent_at=func.coalesce(OutboundRecord.sent_at, now),
                segments=func.coalesce(segments or None, OutboundRecord.segments),
            )
            .execution_options(synchronize_session=False)
        )


def stale_sending(
    session: Session, *, claimed_before: datetime, limit: int
) -> list[OutboundRecord]:
    """Rows a dispatcher began to send and never finished: it died, or is long stuck."""
    return list(
        session.scalars(
            select(OutboundRecord)
            .where(
                OutboundRecord.status == OutboxStatus.SENDING,
                OutboundRecord.claimed_at < claimed_before,
            )
            .order_by(OutboundRecord.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def mark_sent(message: OutboundRecord, *, provider_id: str | None, now: datetime) -> None:
    message.status = OutboxStatus.SENT
    message.provider_id = provider_id
    message.sent_at = now
    message.error_code = message.error = None


def mark_final(
    message: OutboundRecord, status: OutboxStatus, *, now: datetime, code: str | None, reason: str
) -> None:
    message.status = status
    message.final_at = now
    message.error_code = code
    message.error = reason[:200]


def retry_later(
    message: OutboundRecord, *, now: datetime, reason: str, delay: timedelta | None = None
) -> None:
    """Queue again with backoff; after MAX_ATTEMPTS the row fails for good."""
    if delay is None and message.attempts >= MAX_ATTEMPTS:
        mark_final(message, OutboxStatus.FAILED, now=now, code="attempts", reason=reason)
        return
    if delay is None:
        delay = min(FIRST_RETRY_DELAY * 2 ** max(message.attempts - 1, 0), LONGEST_RETRY_DELAY)
    else:
        message.attempts = max(message.attempts - 1, 0)  # waiting our turn is not a failure
    message.status = OutboxStatus.QUEUED
    message.next_attempt_at = now + delay
    message.error = reason[:200]


def apply_provider_status(
    message: OutboundRecord, status: str, *, error_code: str | None, now: datetime
) -> None:
    """Move a row on from a delivery report; a final status is never overwritten."""
    if message.status in FINAL_STATUSES:
        return
    final = {
        "delivered": OutboxStatus.DELIVERED,
        "read": OutboxStatus.DELIVERED,
        "undelivered": OutboxStatus.UNDELIVERED,
        "failed": OutboxStatus.FAILED,
    }.get(status)
    if final is not None:
        message.status = final
        message.final_at = now
        message.error_code = error_code
        return
    if status == "sent" and message.status in (OutboxStatus.QUEUED, OutboxStatus.SENDING):
        message.status = OutboxStatus.SENT
        message.sent_at = message.sent_at or now


def thread(
    session: Session, channel: str, address: str, *, limit: int = 200
) -> list[tuple[str, str, datetime]]:
    """What one phone or chat has seen, oldest first: (direction, text, time).

    Replies sort straight after the message they answer, even within one second.
    """
    received = session.execute(
        select(InboundRecord.id, InboundRecord.body, InboundRecord.received_at)
        .where(InboundRecord.channel == channel, InboundRecord.address == address)
        .order_by(InboundRecord.id.desc())
        .limit(limit)
    )
    sent = session.execute(
        select(
            OutboundRecord.id,
            OutboundRecord.in_reply_to,
            OutboundRecord.body,
            OutboundRecord.created_at,
        )
        .where(
            OutboundRecord.channel == channel,
            OutboundRecord.address == address,
            OutboundRecord.sent_at.is_not(None),
        )
        .order_by(OutboundRecord.id.desc())
        .limit(limit)
    )
    entries = [((at, inbound_id, 0, 0), "in", body, at) for inbound_id, body, at in received]
    entries += [
        ((at, reply_to or 0, 1, outbound_id), "out", body, at)
        for outbound_id, reply_to, body, at in sent
    ]
    entries.sort(key=lambda entry: entry[0])
    return [(direction, body, at) for _, direction, body, at in entries[-limit:]]


def staff_replied() -> ColumnElement[bool]:
    """An inbox item a staff member has replied to: "replied" is this, not a stored flag."""
    return exists().where(
        OutboundRecord.in_reply_to == InboundRecord.id,
        OutboundRecord.sent_by_staff_id.is_not(None),
    )


def inbox_items(
    session: Session,
    *,
    state: str = InboxState.OPEN,
    replied: bool | None = None,
    urgent: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[InboundRecord], int]:
    """Messages no flow could answer, urgent first, then newest first, for staff to read
    and reply to; ``replied`` and ``urgent`` keep only those that are (True) or are not."""
    query = select(InboundRecord).where(InboundRecord.inbox == state)
    if replied is not None:
        query = query.where(staff_replied() if replied else ~staff_replied())
    if urgent is not None:
        query = query.where(InboundRecord.urgent.is_(urgent))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(
            InboundRecord.urgent.desc(), InboundRecord.received_at.desc(), InboundRecord.id.desc()
        )
        .limit(limit)
        .offset(offset)
    )
    return list(items), total


class Withheld(NamedTuple):
    """The ids of inbound and of outbound messages a reader may not see (two SELECTs)."""

    received: Select[int]
    sent: Select[int]


def tenant_messages(
    session: Session,
    tenant_id: int,
    *,
    limit: int = 200,
    offset: int = 0,
    withheld: Withheld | None = None,
) -> tuple[list[InboundRecord | OutboundRecord], int]:
    """A tenant's whole conversation on every channel, oldest first, one page of it,
    without the messages ``withheld`` from this reader (counted out of the total too)."""
    received = select(
        InboundRecord.id, InboundRecord.received_at.label("at"), literal(0).label("outbound")
    ).where(InboundRecord.tenant_id == tenant_id)
    sent = select(
        OutboundRecord.id, OutboundRecord.created_at.label("at"), literal(1).label("outbound")
    ).where(OutboundRecord.tenant_id == tenant_id)
    if withheld is not None:
        received = received.where(InboundRecord.id.not_in(withheld.received))
        sent = sent.where(OutboundRecord.id.not_in(withheld.sent))
    both = union_all(received, sent).subquery()
    total = session.scalar(select(func.count()).select_from(both)) or 0
    keys = session.execute(
        select(both.c.id, both.c.outbound)
        .order_by(both.c.at, both.c.outbound, both.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    wanted_in = [row_id for row_id, outbound in keys if not outbound]
    wanted_out = [row_id for row_id, outbound in keys if outbound]
    found_in = {
        m.id: m
        for m in session.scalars(select(InboundRecord).where(InboundRecord.id.in_(wanted_in)))
    }
    found_out = {
        m.id: m
        for m in session.scalars(select(OutboundRecord).where(OutboundRecord.id.in_(wanted_out)))
    }
    page: list[InboundRecord | OutboundRecord] = [
        found_out[row_id] if outbound else found_in[row_id] for row_id, outbound in keys
    ]
    return page, total
