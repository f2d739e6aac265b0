"""Events and RSVPs: community days, drop-ins, skip days, the AGM, and who is coming.

An event is for an audience (areas, roles, a list of tenants, or everyone). A tenant
answers yes, no or maybe, with a party size where guests are allowed. Capacity is
counted in people: a yes that does not fit goes on the waiting list, and whenever
places come free the list is promoted in order, the first whose party fits. The
reminders are due tasks under keys of the event's own, each carrying the start time
it was booked for, so a moved event replaces them and a task whose time no longer
holds does nothing. A monthly drop-in is a series: separate events sharing a series id.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, ForeignKey, String, Text, and_, func, insert, not_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.audiences import Audience
from models.base import Base, utcnow
from models.consent import Topic, accepting
from models.schedule import cancel, schedule
from models.tenants import CALLING_LANDLINES, SMS_FIRST, Recipient, Tenant, recipients

INVITATION_TASK = "event_invitation"
REMINDER_TASK = "event_reminder"
LONGEST_TITLE = 60  # the title and venue go by SMS: kept short enough for 2 messages
LONGEST_VENUE = 80
LONGEST_NOTES = 4000
MOST_PARTY = 10
MOST_MONTHS = 24
INVITE_AHEAD = timedelta(days=14)  # a later event of a series is announced this long before
DAY_BEFORE_EARLIEST, DAY_BEFORE_LATEST = time(9, 0), time(19, 30)
MORNING_OF = time(9, 0)
# The morning-of reminder only helps when there is time to act on it; an event
# starting before this has had its reminder the day before.
MORNING_OF_NEEDS_START_AFTER = time(11, 0)


class EventKind(StrEnum):
    COMMUNITY = "community"
    DROP_IN = "drop_in"
    SKIP_DAY = "skip_day"
    LITTER_PICK = "litter_pick"
    AGM = "agm"
    FOCUS_GROUP = "focus_group"
    OTHER = "other"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"
    WAITING = "waiting"  # said yes when it was full


class EventsError(ValueError):
    """A change staff or a tenant asked for that the event's state does not allow."""


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(LONGEST_TITLE))
    kind: Mapped[str] = mapped_column(String(16))
    audience_json: Mapped[dict[str, Any]] = mapped_column(default=dict)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    venue: Mapped[str] = mapped_column(String(LONGEST_VENUE))
    capacity: Mapped[int | None]  # people; None for no limit
    rsvp_by: Mapped[datetime | None]
    most_per_party: Mapped[int] = mapped_column(default=1)  # 1: no guests
    call_landlines: Mapped[bool] = mapped_column(default=False)  # phone landline-only tenants
    notes: Mapped[str] = mapped_column(Text, default="")
    series_id: Mapped[int | None] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(12), default=EventStatus.SCHEDULED)
    invited_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def open(self) -> bool:
        return self.status == EventStatus.SCHEDULED

    @property
    def audience(self) -> Audience:
        return Audience.from_json(self.audience_json)

    @property
    def guests_allowed(self) -> bool:
        return self.most_per_party > 1

    def answers_closed(self, now: datetime) -> bool:
        """Past its RSVP deadline, or begun: answers are no longer taken."""
        return now >= (self.rsvp_by or self.starts_at) or now >= self.starts_at


class EventRecipient(Base):
    """A tenant invited to an event, so it is open to them even if they move area."""

    __tablename__ = "event_recipients"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    told_at: Mapped[datetime]


class EventRsvp(Base):
    __tablename__ = "event_rsvps"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    answer: Mapped[str] = mapped_column(String(8))
    party: Mapped[int] = mapped_column(default=1)
    channel: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime]
    waiting_since: Mapped[datetime | None]
    # The order of the waiting list, given under the event's lock: 1 + the highest yet.
    waiting_number: Mapped[int | None]
    attended: Mapped[bool | None]
    # Staff who entered the answer for the tenant (models.on_behalf); None when their own.
    entered_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    tenant: Mapped[Tenant] = relationship(lazy="joined")


# --- booking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventDetails:
    """What staff say about an event; times are UTC."""

    title: str
    kind: str
    audience: Audience
    starts_at: datetime
    ends_at: datetime
    venue: str
    capacity: int | None = None
    rsvp_by: datetime | None = None
    most_per_party: int = 1
    notes: str = ""
    call_landlines: bool = False  # landline-only tenants hear of it by phone call

    def checked(self) -> EventDetails:
        """The details tidied, or an EventsError saying what does not hold together."""
        if self.kind not in {kind.value for kind in EventKind}:
            raise EventsError(f"the kind must be one of {', '.join(EventKind)}")
        if self.ends_at <= self.starts_at:
            raise EventsError("the event must end after it starts")
        if self.rsvp_by is not None and self.rsvp_by > self.starts_at:
            raise EventsError("the RSVP deadline must be before the event starts")
        if self.capacity is not None and self.capacity < 1:
            raise EventsError("the capacity must be at least 1, or left empty")
        if not 1 <= self.most_per_party <= MOST_PARTY:
            raise EventsError(f"a party is 1 to {MOST_PARTY} people")
        title, venue = tidy(self.title, LONGEST_TITLE), tidy(self.venue, LONGEST_VENUE)
        if not title or not venue:
            raise EventsError("the event needs a title and a venue")
        return EventDetails(
            title=title,
            kind=self.kind,
            audience=self.audience,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            venue=venue,
            capacity=self.capacity,
            rsvp_by=self.rsvp_by,
            most_per_party=self.most_per_party,
            notes=self.notes.strip()[:LONGEST_NOTES],
            call_landlines=self.call_landlines,
        )


def tidy(text: str, longest: int) -> str:
    return " ".join("".join(ch for ch in text if ch.isprintable()).split())[:longest]


def create_event(
    session: Session,
    details: EventDetails,
    *,
    series_id: int | None = None,
    staff_id: int | None = None,
    now: datetime,
    zone: ZoneInfo,
) -> Event:
    """Book an event and its reminders; the caller sends (or schedules) the invitation."""
    details = details.checked()
    event = Event(created_by_staff_id=staff_id, created_at=now, updated_at=now, series_id=series_id)
    _apply(event, details)
    session.add(event)
    session.flush()
    book_reminders(session, event, now=now, zone=zone)
    return event


def _apply(event: Event, details: EventDetails) -> None:
    event.title, event.kind, event.venue = details.title, details.kind, details.venue
    event.audience_json = details.audience.as_json()
    event.starts_at, event.ends_at, event.rsvp_by = (
        details.starts_at,
        details.ends_at,
        details.rsvp_by,
    )
    event.capacity, event.most_per_party = details.capacity, details.most_per_party
    event.notes, event.call_landlines = details.notes, details.call_landlines


def details_of(event: Event) -> EventDetails:
    return EventDetails(
        title=event.title,
        kind=event.kind,
        audience=event.audience,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        venue=event.venue,
        capacity=event.capacity,
        rsvp_by=event.rsvp_by,
        most_per_party=event.most_per_party,
        notes=event.notes,
        call_landlines=event.call_landlines,
    )


def monthly_days(first: date, months: int) -> list[date]:
    """The same weekday of the month (1st, 2nd... or last) for ``months`` months from ``first``.

    A fifth Tuesday is not in every month, so one on the fifth falls on the last.
    """
    if not 1 <= months <= MOST_MONTHS:
        raise EventsError(f"a series is 1 to {MOST_MONTHS} months")
    week = (first.day - 1) // 7
    days = []
    for step in range(months):
        year, month = divmod(first.month - 1 + step, 12)
        year, month = first.year + year, month + 1
        weekdays = [
            day
            for day in range(1, calendar.monthrange(year, month)[1] + 1)
            if date(year, month, day).weekday() == first.weekday()
        ]
        days.append(date(year, month, weekdays[min(week, len(weekdays) - 1)]))
    return days


def monthly_series(details: EventDetails, months: int, zone: ZoneInfo) -> list[EventDetails]:
    """The event repeated on the same weekday of the month, at the same London clock time.

    A time the clocks skip or repeat on one of the later days is an EventsError.
    """
    start, end = details.starts_at.astimezone(zone), details.ends_at.astimezone(zone)
    found = []
    for day in monthly_days(start.date(), months):
        shift = day - start.date()
        found.append(
            replace(
                details,
                starts_at=_wall_clock(start.replace(tzinfo=None) + shift, zone),
                ends_at=_wall_clock(end.replace(tzinfo=None) + shift, zone),
                rsvp_by=None
                if details.rsvp_by is None
                else _wall_clock(
                    details.rsvp_by.astimezone(zone).replace(tzinfo=None) + shift, zone
                ),
            )
        )
    return found


def _wall_clock(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC moment a London wall-clock time names; an EventsError on a clock-change hour."""
    earlier, later = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        raise EventsError(f"the clocks change at {local:%H:%M} on {local:%d %B %Y}")
    moment = earlier.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local:
        raise EventsError(f"the clocks change at {local:%H:%M} on {local:%d %B %Y}")
    return moment


# --- reminders -------------------------------------------------------------------------------


def reminder_key(event_id: int, which: str) -> str:
    return f"event-{event_id}-reminder-{which}"


def invitation_key(event_id: int) -> str:
    return f"event-{event_id}-invitation"


def reminder_times(event: Event, zone: ZoneInfo) -> dict[str, datetime]:
    """The day before (at the event's time of day, kept inside the day) and the morning of."""
    local = event.starts_at.astimezone(zone)
    before = min(max(local.time().replace(tzinfo=None), DAY_BEFORE_EARLIEST), DAY_BEFORE_LATEST)
    times = {"day-before": datetime.combine(local.date() - timedelta(days=1), before, zone)}
    if local.time().replace(tzinfo=None) >= MORNING_OF_NEEDS_START_AFTER:
        times["morning-of"] = datetime.combine(local.date(), MORNING_OF, zone)
    return times


def book_reminders(session: Session, event: Event, *, now: datetime, zone: ZoneInfo) -> None:
    """The reminders still to come for the event's current time; passed ones are dropped.

    A reminder whose time has passed when the event is booked or moved would only
    repeat what a tenant who just answered already knows.
    """
    payload = {"event_id": event.id, "starts_at": event.starts_at.isoformat()}
    due = reminder_times(event, zone)
    for which in ("day-before", "morning-of"):
        key = reminder_key(event.id, which)
        moment = due.get(which)
        if not event.open or moment is None or moment <= now:
            cancel(session, key)
            continue
        schedule(
            session, key=key, kind=REMINDER_TASK, due_at=moment, payload={**payload, "which": which}
        )


def schedule_invitation(session: Session, event: Event, *, due_at: datetime) -> None:
    payload = {"event_id": event.id, "starts_at": event.starts_at.isoformat()}
    schedule(
        session, key=invitation_key(event.id), kind=INVITATION_TASK, due_at=due_at, payload=payload
    )


@dataclass(frozen=True)
class Change:
    moved: bool
    previous_start: datetime
    promoted: list[EventRsvp] = field(default_factory=list)


def change_event(
    session: Session, event: Event, details: EventDetails, *, now: datetime, zone: ZoneInfo
) -> Change:
    """Edit a scheduled event; a new time replaces its reminders, more room promotes."""
    if not event.open:
        raise EventsError("only a scheduled event can be changed")
    details = details.checked()
    previous_start, previous_venue = event.starts_at, event.venue
    _apply(event, details)
    event.updated_at = now
    book_reminders(session, event, now=now, zone=zone)
    if event.invited_at is None:
        cancel(session, invitation_key(event.id))
        schedule_invitation(session, event, due_at=max(now, event.starts_at - INVITE_AHEAD))
    moved = event.starts_at != previous_start or event.venue != previous_venue
    return Change(moved=moved, previous_start=previous_start, promoted=promote(session, event, now))


def cancel_event(session: Session, event: Event, *, now: datetime) -> None:
    if not event.open:
        raise EventsError("the event is already cancelled")
    event.status, event.cancelled_at, event.updated_at = EventStatus.CANCELLED, now, now
    for which in ("day-before", "morning-of"):
        cancel(session, reminder_key(event.id, which))
    cancel(session, invitation_key(event.id))


# --- who it is for ---------------------------------------------------------------------------


def invitees_in_chunks(session: Session, event: Event) -> Iterator[list[Recipient]]:
    """The audience's reachable tenants who accept event messages, a page at a time."""
    for page in event.audience.recipients(session, call_landlines=event.call_landlines):
        yield accepting(session, page, Topic.EVENTS)


def mark_invited(
    session: Session, event_id: int, tenant_ids: Sequence[int], *, now: datetime
) -> None:
    """Record a page of tenants as invited: one insert, leaving out those already invited."""
    if not tenant_ids:
        return
    already = set(
        session.scalars(
            select(EventRecipient.tenant_id).where(
                EventRecipient.event_id == event_id, EventRecipient.tenant_id.in_(tenant_ids)
            )
        )
    )
    new = [
        {"event_id": event_id, "tenant_id": tenant_id, "told_at": now}
        for tenant_id in dict.fromkeys(tenant_ids)
        if tenant_id not in already
    ]
    if new:
        session.execute(insert(EventRecipient), new)


def invited_count(session: Session, event_id: int) -> int:
    return int(session.scalar(select(func.count()).where(EventRecipient.event_id == event_id)) or 0)


def open_to(event: Event, tenant: Tenant, invited: set[int]) -> bool:
    """Whether the tenant is in the event's audience, or was invited to it."""
    if event.id in invited:
        return True
    audience = event.audience
    if audience.tenant_ids:
        return tenant.id in audience.tenant_ids
    if audience.everyone:
        return True
    in_area = not audience.area_ids or tenant.area_id in audience.area_ids
    in_role = not audience.roles or bool(audience.roles & tenant.role_names)
    return in_area and in_role


def upcoming_for(session: Session, tenant: Tenant, *, now: datetime) -> list[Event]:
    """The scheduled events still to come that are open to this tenant, soonest first."""
    events = session.scalars(
        select(Event)
        .where(Event.status == EventStatus.SCHEDULED, Event.starts_at > now)
        .order_by(Event.starts_at, Event.id)
    )
    invited = set(
        session.scalars(
            select(EventRecipient.event_id).where(EventRecipient.tenant_id == tenant.id)
        )
    )
    return [event for event in events if tenant.registered and open_to(event, tenant, invited)]


def upcoming_events(session: Session, *, now: datetime, limit: int = 5) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(Event.status == EventStatus.SCHEDULED, Event.ends_at > now)
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )


# --- answers ---------------------------------------------------------------------------------


def rsvps_for(session: Session, event_id: int) -> list[EventRsvp]:
    """Every answer: coming first, then the waiting list in order, then maybe and no."""
    order = {Answer.YES: 0, Answer.WAITING: 1, Answer.MAYBE: 2, Answer.NO: 3}
    found = session.scalars(select(EventRsvp).where(EventRsvp.event_id == event_id))
    return sorted(
        found,
        key=lambda r: (order.get(Answer(r.answer), 4), r.waiting_number or 0, r.answered_at),
    )


def rsvp_of(session: Session, event_id: int, tenant_id: int) -> EventRsvp | None:
    return session.get(EventRsvp, (event_id, tenant_id))


def people_coming(session: Session, event_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(EventRsvp.party), 0)).where(
                EventRsvp.event_id == event_id, EventRsvp.answer == Answer.YES
            )
        )
        or 0
    )


def waiting_place(session: Session, rsvp: EventRsvp) -> int:
    """The tenant's place on the waiting list, 1 for the first."""
    ahead = session.scalar(
        select(func.count()).where(
            EventRsvp.event_id == rsvp.event_id,
            EventRsvp.answer == Answer.WAITING,
            EventRsvp.waiting_number < rsvp.waiting_number,
        )
    )
    return int(ahead or 0) + 1


def _join_waiting_list(session: Session, rsvp: EventRsvp, now: datetime) -> None:
    """Put the tenant at the end of the list: called under the event's lock, so the
    number, and so the place they are told, is theirs alone."""
    last = session.scalar(
        select(func.max(EventRsvp.waiting_number)).where(
            EventRsvp.event_id == rsvp.event_id, EventRsvp.answer == Answer.WAITING
        )
    )
    rsvp.answer, rsvp.waiting_since, rsvp.waiting_number = Answer.WAITING, now, (last or 0) + 1


@dataclass(frozen=True)
class Answered:
    rsvp: EventRsvp
    place: int | None  # on the waiting list; None when not waiting
    promoted: list[EventRsvp]  # others moved off the waiting list by this answer


def answer_rsvp(
    session: Session,
    event: Event,
    tenant_id: int,
    *,
    answer: str,
    party: int,
    channel: str,
    now: datetime,
    staff_id: int | None = None,
) -> Answered:
    """Keep the tenant's answer; a yes that does not fit waits, a place freed promotes others.
    ``staff_id`` names who entered it for the tenant; their own later answer clears it.

    The event row is locked first, so two tenants taking the last place at once
    cannot both have it, and two joining the waiting list cannot share a place. It is
    read afresh with the lock, so its capacity and deadline are the ones that hold now.
    """
    session.refresh(event, with_for_update=True)
    if not event.open or event.answers_closed(now):
        raise EventsError("answers for this event are closed")
    rsvp = rsvp_of(session, event.id, tenant_id)
    if rsvp is None:
        rsvp = EventRsvp(event_id=event.id, tenant_id=tenant_id, answer=Answer.NO)
        session.add(rsvp)
    party = max(1, min(party, event.most_per_party)) if answer == Answer.YES else 1
    rsvp.party, rsvp.channel, rsvp.answered_at = party, channel, now
    rsvp.entered_by_staff_id = staff_id
    if answer != Answer.YES:
        rsvp.answer, rsvp.waiting_since, rsvp.waiting_number = answer, None, None
    elif _fits(session, event, rsvp):
        rsvp.answer, rsvp.waiting_since, rsvp.waiting_number = Answer.YES, None, None
    elif rsvp.answer != Answer.WAITING:
        _join_waiting_list(session, rsvp, now)
    session.flush()
    promoted = promote(session, event, now)
    place = waiting_place(session, rsvp) if rsvp.answer == Answer.WAITING else None
    return Answered(rsvp=rsvp, place=place, promoted=promoted)


def _fits(session: Session, event: Event, rsvp: EventRsvp) -> bool:
    """Whether the tenant's party fits beside everyone else coming (their own old yes aside)."""
    if event.capacity is None:
        return True
    others = select(func.coalesce(func.sum(EventRsvp.party), 0)).where(
        EventRsvp.event_id == event.id,
        EventRsvp.answer == Answer.YES,
        EventRsvp.tenant_id != rsvp.tenant_id,
    )
    return int(session.scalar(others) or 0) + rsvp.party <= event.capacity


def promote(session: Session, event: Event, now: datetime) -> list[EventRsvp]:
    """Move the waiting list up while places are free: in order, the first whose party fits."""
    session.flush()
    waiting = list(
        session.scalars(
            select(EventRsvp)
            .where(EventRsvp.event_id == event.id, EventRsvp.answer == Answer.WAITING)
            .order_by(EventRsvp.waiting_number)
        )
    )
    free = None if event.capacity is None else event.capacity - people_coming(session, event.id)
    promoted = []
    for rsvp in waiting:
        if free is not None and rsvp.party > free:
            continue
        rsvp.answer, rsvp.waiting_since, rsvp.answered_at = Answer.YES, None, now
        rsvp.waiting_number = None
        promoted.append(rsvp)
        if free is not None:
            free -= rsvp.party
    session.flush()
    return promoted


def record_attendance(
    session: Session, event: Event, tenant_ids: Sequence[int], *, attended: bool
) -> int:
    """Mark who came (or did not) among those who answered; returns how many were marked."""
    marked = 0
    for rsvp in rsvps_for(session, event.id):
        if rsvp.tenant_id in tenant_ids:
            rsvp.attended = attended
            marked += 1
    return marked


@dataclass(frozen=True)
class Counts:
    yes: int = 0
    no: int = 0
    maybe: int = 0
    waiting: int = 0
    people: int = 0  # coming, guests included
    waiting_people: int = 0
    attended: int = 0


def counts_for(session: Session, event_ids: Sequence[int]) -> dict[int, Counts]:
    """Answers per event, counted in the database, for lists and the dashboard."""
    tallies: dict[int, dict[str, int]] = {event_id: {} for event_id in event_ids}
    if not event_ids:
        return {}
    rows = session.execute(
        select(EventRsvp.event_id, EventRsvp.answer, func.count(), func.sum(EventRsvp.party))
        .where(EventRsvp.event_id.in_(event_ids))
        .group_by(EventRsvp.event_id, EventRsvp.answer)
    )
    for event_id, answer, count, people in rows:
        tallies[event_id][answer] = int(count)
        tallies[event_id][f"{answer}_people"] = int(people or 0)
    came = session.execute(
        select(EventRsvp.event_id, func.count())
        .where(EventRsvp.event_id.in_(event_ids), EventRsvp.attended.is_(True))
        .group_by(EventRsvp.event_id)
    )
    for event_id, count in came:
        tallies[event_id]["attended"] = int(count)
    return {
        event_id: Counts(
            yes=t.get("yes", 0),
            no=t.get("no", 0),
            maybe=t.get("maybe", 0),
            waiting=t.get("waiting", 0),
            people=t.get("yes_people", 0),
            waiting_people=t.get("waiting_people", 0),
            attended=t.get("attended", 0),
        )
        for event_id, t in tallies.items()
    }


def to_tell_in_chunks(session: Session, event: Event) -> Iterator[list[Recipient]]:
    """Those who said yes or maybe, or are waiting: who must hear of a move or cancellation."""
    answered = select(EventRsvp.tenant_id).where(
        EventRsvp.event_id == event.id,
        EventRsvp.answer.in_([Answer.YES, Answer.MAYBE, Answer.WAITING]),
    )
    yield from recipients(session, Tenant.id.in_(answered), channels=_channels(event))


def these_in_chunks(
    session: Session, event: Event, tenant_ids: Sequence[int]
) -> Iterator[list[Recipient]]:
    """These tenants, each on the channel the event's messages reach them by."""
    yield from recipients(session, Tenant.id.in_(tenant_ids), channels=_channels(event))


def _channels(event: Event) -> tuple[str, ...]:
    return CALLING_LANDLINES if event.call_landlines else SMS_FIRST


def coming_in_chunks(session: Session, event: Event) -> Iterator[list[Recipient]]:
    """Those who said yes (and are not waiting), who accept event messages: for reminders."""
    coming = select(EventRsvp.tenant_id).where(
        EventRsvp.event_id == event.id, EventRsvp.answer == Answer.YES
    )
    for page in recipients(session, Tenant.id.in_(coming), channels=_channels(event)):
        yield accepting(session, page, Topic.EVENTS)


def events_page(
    session: Session,
    *,
    upcoming: bool | None,
    now: datetime,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Event], int]:
    """Events still to come (soonest first), the rest (latest first), or all (latest first)."""
    where: list[ColumnElement[bool]] = []
    to_come = and_(Event.status == EventStatus.SCHEDULED, Event.ends_at > now)
    if upcoming is not None:
        where.append(to_come if upcoming else not_(to_come))
    if status is not None:
        where.append(Event.status == status)
    order = (Event.starts_at, Event.id) if upcoming else (Event.starts_at.desc(), Event.id.desc())
    total = session.scalar(select(func.count(Event.id)).where(*where)) or 0
    found = session.scalars(
        select(Event).where(*where).order_by(*order).limit(limit).offset(offset)
    )
    return list(found), int(total)
