"""The staff steps of an event that tenants hear about, each in one transaction.

The console and the API both call these, so an event cancelled either way is announced
the same way: the change and the messages it causes commit together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from bot.event_notices import send_invitation, tell_cancelled, tell_moved, tell_promoted
from bot.flow import Settings
from models.events import (
    INVITE_AHEAD,
    Event,
    EventDetails,
    cancel_event,
    change_event,
    create_event,
    schedule_invitation,
)


def create(
    session: Session,
    occurrences: Sequence[EventDetails],
    *,
    staff_id: int | None,
    now: datetime,
    settings: Settings,
) -> list[Event]:
    """Book one event, or a series sharing the first one's id as its series id.

    The event (or a series' first) is announced at once, in the sending window; a later
    one of a series a fortnight before it, by a due task, unless that is already due.
    """
    events: list[Event] = []
    for details in occurrences:
        series_id = events[0].id if events else None
        event = create_event(
            session,
            details,
            series_id=series_id,
            staff_id=staff_id,
            now=now,
            zone=settings.timezone,
        )
        events.append(event)
        if len(occurrences) > 1 and series_id is None:
            event.series_id = event.id
        if series_id is None or event.starts_at - INVITE_AHEAD <= now:
            send_invitation(session, event, now=now, settings=settings)
        else:
            schedule_invitation(session, event, due_at=event.starts_at - INVITE_AHEAD)
    return events


def change(
    session: Session, event: Event, details: EventDetails, *, now: datetime, settings: Settings
) -> int:
    """Edit the event; a new time or venue is told to those who answered, new room promotes."""
    result = change_event(session, event, details, now=now, zone=settings.timezone)
    told = tell_promoted(session, event, result.promoted, now=now, settings=settings)
    if result.moved:
        told += tell_moved(
            session, event, previous_start=result.previous_start, now=now, settings=settings
        )
    return told


def cancel(session: Session, event: Event, *, now: datetime, settings: Settings) -> int:
    """Call the event off and tell those coming, maybe coming or waiting."""
    cancel_event(session, event, now=now)
    return tell_cancelled(session, event, now=now, settings=settings)
