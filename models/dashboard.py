"""Today's numbers for the staff dashboard, counted in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.consent import ConsentChange
from models.messages import InboundMessage, InboxState, OutboundMessage
from models.tenants import Tenant


@dataclass(frozen=True)
class DayNumbers:
    messages_in: int
    messages_out: int
    new_registrations: int
    unverified: int
    opt_outs: int
    open_inbox: int


def day_numbers(session: Session, since: datetime) -> DayNumbers:
    def count(statement: object) -> int:
        return int(session.scalar(statement) or 0)  # type: ignore[call-overload]

    return DayNumbers(
        messages_in=count(
            select(func.count(InboundMessage.id)).where(InboundMessage.received_at >= since)
        ),
        messages_out=count(
            select(func.count(OutboundMessage.id)).where(OutboundMessage.sent_at >= since)
        ),
        new_registrations=count(
            select(func.count(Tenant.id)).where(Tenant.created_at >= since, Tenant.registered)
        ),
        unverified=count(
            select(func.count(Tenant.id)).where(Tenant.registered, Tenant.verified.is_(False))
        ),
        opt_outs=count(
            select(func.count(ConsentChange.id)).where(
                ConsentChange.at >= since, ConsentChange.granted.is_(False)
            )
        ),
        open_inbox=count(
            select(func.count(InboundMessage.id)).where(InboundMessage.inbox == InboxState.OPEN)
        ),
    )
