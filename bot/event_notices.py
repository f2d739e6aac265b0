"""What tenants hear about an event, composed in their language and queued.

Every function queues outbox rows in the caller's transaction through bot.notices, so
they wait for the sending window and are checked against the tenant's consent for
event messages when sent, and returns how many it queued. Each is information with
the word to answer (EVENTS), never a question, so it cannot break into a conversation
in progress. Staff type the title and the venue: each text cuts them short (with an
ellipsis) until the whole message fits 2 SMS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.message_kinds import declare
from bot.notices import queue_notices
from bot.sms import Cut, fit
from models.consent import Topic
from models.events import (
    Event,
    EventRsvp,
    coming_in_chunks,
    invitees_in_chunks,
    mark_invited,
    these_in_chunks,
    to_tell_in_chunks,
)
from models.tenants import Recipient

_queue_all = partial(queue_notices, topic=Topic.EVENTS)  # every notice here is about events
ANSWER_BY_PHONE = "EVENTS"  # on a call about the event, pressing 1 answers it
INVITATION = declare("events.invitation", answered_by=ANSWER_BY_PHONE)
REMINDER = declare("events.reminder", answered_by=ANSWER_BY_PHONE)
REMINDER_TODAY = declare("events.reminder_today", answered_by=ANSWER_BY_PHONE)
MOVED = declare("events.moved", answered_by=ANSWER_BY_PHONE)
CANCELLED = declare("events.cancelled")
PROMOTED = declare("events.promoted", answered_by=ANSWER_BY_PHONE)

# A move, a cancellation or a place come free that would wait for the window until
# less than this before the event goes at once instead.
HEADS_UP = timedelta(hours=3)


def send_invitation(session: Session, event: Event, *, now: datetime, settings: Settings) -> int:
    """The invitation to the event's audience; each tenant is recorded as invited."""
    text_in = _texts(event, INVITATION.key, settings)
    invited = 0
    for chunk in invitees_in_chunks(session, event):
        invited += _queue_each(session, [chunk], text_in, now=now, settings=settings)
        mark_invited(session, event.id, [r.tenant_id for r in chunk], now=now)
    event.invited_at = now
    return invited


def send_reminder(
    session: Session, event: Event, which: str, *, now: datetime, settings: Settings
) -> int:
    """A reminder to those coming (not those waiting, not maybe, not no)."""
    key = REMINDER_TODAY.key if which == "morning-of" else REMINDER.key
    text_in = _texts(event, key, settings)
    coming = coming_in_chunks(session, event)
    return _queue_each(session, coming, text_in, now=now, settings=settings)


def tell_moved(
    session: Session, event: Event, *, previous_start: datetime, now: datetime, settings: Settings
) -> int:
    soonest = min(previous_start, event.starts_at)
    return _tell_answered(session, event, MOVED.key, soonest, now=now, settings=settings)


def tell_cancelled(session: Session, event: Event, *, now: datetime, settings: Settings) -> int:
    return _tell_answered(
        session, event, CANCELLED.key, event.starts_at, now=now, settings=settings
    )


def tell_promoted(
    session: Session,
    event: Event,
    promoted: Iterable[EventRsvp],
    *,
    now: datetime,
    settings: Settings,
) -> int:
    """Each tenant moved off the waiting list hears that they have a place."""
    text_in = _texts(event, PROMOTED.key, settings)
    urgent = _too_late_to_wait(event.starts_at, now=now, settings=settings)
    tenant_ids = [rsvp.tenant_id for rsvp in promoted]
    chunks = these_in_chunks(session, event, tenant_ids)
    return _queue_each(session, chunks, text_in, now=now, settings=settings, urgent=urgent)


def about_event(language: str, key: str, event: Event, settings: Settings, **values: str) -> str:
    """A text naming the event, its time and venue, cut to fit 2 SMS."""
    when = catalogue.spoken_time(language, event.starts_at, settings.timezone)

    def compose(cut: Cut) -> str:
        return catalogue.render(
            language,
            key,
            landlord=settings.landlord,
            contact=settings.contact,
            event=cut(event.title),
            venue=cut(event.venue),
            when=when,
            **values,
        )

    return fit(compose)


# --- queueing ----------------------------------------------------------------------------


def _texts(event: Event, key: str, settings: Settings) -> Callable[[str], str]:
    def text_in(language: str) -> str:
        return about_event(language, key, event, settings)

    return text_in


def _too_late_to_wait(soonest: datetime, *, now: datetime, settings: Settings) -> bool:
    wait_until = settings.sending_window.first_moment(now)
    return now < soonest and wait_until > soonest - HEADS_UP


def _tell_answered(
    session: Session,
    event: Event,
    key: str,
    soonest: datetime,
    *,
    now: datetime,
    settings: Settings,
) -> int:
    """A move or a cancellation to those coming, maybe coming or waiting."""
    urgent = _too_late_to_wait(soonest, now=now, settings=settings)
    text_in = _texts(event, key, settings)
    return _queue_each(
        session,
        to_tell_in_chunks(session, event),
        text_in,
        now=now,
        settings=settings,
        urgent=urgent,
        answer_by_phone=key != CANCELLED.key,
    )


def _queue_each(
    session: Session,
    chunks: Iterable[list[Recipient]],
    text_in: Callable[[str], str],
    *,
    now: datetime,
    settings: Settings,
    urgent: bool = False,
    answer_by_phone: bool = True,
) -> int:
    """Queue the text to each page of recipients; on a call, 1 answers the event."""
    keyword_on_1 = ANSWER_BY_PHONE if answer_by_phone else None
    return sum(
        _queue_all(
            session,
            chunk,
            text_in,
            now=now,
            settings=settings,
            urgent=urgent,
            keyword_on_1=keyword_on_1,
        )
        for chunk in chunks
    )
