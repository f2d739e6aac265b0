"""Today's numbers for the staff dashboard, and the walks and events coming up, counted in the
database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.consent import ConsentChange
from models.events import Counts, Event, counts_for, upcoming_events
from models.inspections import Inspection, InspectionRsvp, IssueReport, upcoming_inspections
from models.messages import InboundRecord, InboxState, OutboundRecord
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
            select(func.count(InboundRecord.id)).where(InboundRecord.received_at >= since)
        ),
        messages_out=count(
            select(func.count(OutboundRecord.id)).where(OutboundRecord.sent_at >= since)
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
            select(func.count(InboundRecord.id)).where(InboundRecord.inbox == InboxState.OPEN)
        ),
    )


@dataclass(frozen=True)
class WalkCounts:
    """An inspection with how many tenants reported something for it and how many are coming."""

    inspection: Inspection
    reports: int
    coming: int


def with_counts(session: Session, inspections: Sequence[Inspection]) -> list[WalkCounts]:
    ids = [inspection.id for inspection in inspections]
    if not ids:
        return []
    reports = {
        inspection_id: count
        for inspection_id, count in session.execute(
            select(IssueReport.inspection_id, func.count(IssueReport.id))
            .where(IssueReport.inspection_id.in_(ids))
            .group_by(IssueReport.inspection_id)
        )
    }
    coming = {
        inspection_id: count
        for inspection_id, count in session.execute(
            select(InspectionRsvp.inspection_id, func.count())
            .where(InspectionRsvp.inspection_id.in_(ids), InspectionRsvp.coming.is_(True))
            .group_by(InspectionRsvp.inspection_id)
        )
    }
    return [
        WalkCounts(
            inspection=inspection,
            reports=int(reports.get(inspection.id) or 0),
            coming=int(coming.get(inspection.id) or 0),
        )
        for inspection in inspections
    ]


def upcoming_walks(session: Session, *, now: datetime, limit: int = 5) -> list[WalkCounts]:
    """The next few inspections, for the dashboard."""
    return with_counts(session, upcoming_inspections(session, now=now, limit=limit))


@dataclass(frozen=True)
class EventCounts:
    """An event with its answers counted: yes, no, maybe, waiting, and people coming."""

    event: Event
    counts: Counts


def upcoming_event_counts(session: Session, *, now: datetime, limit: int = 5) -> list[EventCounts]:
    """The next few events, for the dashboard."""
    events = upcoming_events(session, now=now, limit=limit)
    counts = counts_for(session, [event.id for event in events])
    return [EventCounts(event=event, counts=counts[event.id]) for event in events]
