"""API resource: events, the tenants' answers to them, and who came.

Times go out in UTC, and again as ``local_starts_at`` in the landlord's zone for people
to read. A time coming in must carry its offset (or Z): a bare "12:00" is a different
moment in summer and in winter, so it is refused, not guessed. Booking, changing and
cancelling go through bot.event_steps, so tenants hear of it in the same transaction,
exactly as when staff use the console. Only a scheduled event can be changed or
cancelled; anything else is a 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import event_steps
from models.events import (
    LONGEST_NOTES,
    LONGEST_TITLE,
    LONGEST_VENUE,
    MOST_MONTHS,
    MOST_PARTY,
    Event,
    EventDetails,
    EventKind,
    EventRsvp,
    EventsError,
    EventStatus,
    counts_for,
    details_of,
    events_page,
    invited_count,
    monthly_series,
    record_attendance,
    rsvps_for,
)
from staff.api.audience_field import (
    AREAS,
    EVERYONE,
    ROLES,
    TENANTS,
    audience_field,
    audience_json,
)
from staff.api.common import (
    LARGEST_ID,
    api_role,
    flag_field,
    json_object,
    moment_field,
    paged,
    reachable_page,
    text_field,
)
from staff.context import clock, sessions, settings

blueprint = Blueprint("events", __name__)

EVENT_ID = f"<int(max={LARGEST_ID}):event_id>"
KINDS = tuple(kind.value for kind in EventKind)
STATUSES = tuple(status.value for status in EventStatus)
LARGEST_CAPACITY = 100_000
MOST_IDS = 10_000
EVENT_FIELDS = frozenset(
    {
        "title",
        "kind",
        "audience",
        "starts_at",
        "ends_at",
        "venue",
        "capacity",
        "rsvp_by",
        "most_per_party",
        "notes",
        "call_landlines",
    }
)
NEW_EVENT_FIELDS = EVENT_FIELDS | {"repeat_months"}
REQUIRED = ("title", "kind", "audience", "starts_at", "ends_at", "venue")
AUDIENCE_PARTS = (EVERYONE, AREAS, ROLES, TENANTS)
ATTENDANCE_FIELDS = frozenset({"tenant_ids", "attended"})


@blueprint.get("/events", endpoint="list")
@api_role("viewer")
def list_events() -> ResponseReturnValue:
    limit, offset = reachable_page()
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        abort(400, f"status: must be one of {', '.join(STATUSES)}")
    with sessions()() as session:
        found, total = events_page(
            session, upcoming=None, now=clock()(), status=status, limit=limit, offset=offset
        )
        counts = counts_for(session, [event.id for event in found])
        items = [event_json(session, event, counts[event.id]) for event in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.post("/events", endpoint="create")
@api_role("officer")
def create_event() -> ResponseReturnValue:
    body = json_object(allowed=NEW_EVENT_FIELDS)
    for field in REQUIRED:
        if field not in body:
            abort(400, f"{field}: required")
    months = _whole(body, "repeat_months", 1, MOST_MONTHS) if "repeat_months" in body else 1
    now = clock()()
    with sessions().begin() as session:
        details = _details(session, body, None)
        if details.starts_at <= now:
            abort(422, "starts_at: must be in the future, so tenants can be invited")
        try:
            occurrences = monthly_series(_checked(details), months or 1, settings().timezone)
        except EventsError as problem:
            abort(422, f"starts_at: {problem}")
        events = event_steps.create(
            session, occurrences, staff_id=g.api_staff_id, now=now, settings=settings()
        )
        session.flush()
        created = event_details(session, events[0])
        created["series"] = [event.id for event in events]
    location = url_for("api.events.one", event_id=created["id"])
    return created, 201, {"Location": location}


@blueprint.get(f"/events/{EVENT_ID}", endpoint="one")
@api_role("viewer")
def one_event(event_id: int) -> ResponseReturnValue:
    with sessions()() as session:
        return event_details(session, _event_or_404(session, event_id))


@blueprint.patch(f"/events/{EVENT_ID}", endpoint="change")
@api_role("officer")
def change_event(event_id: int) -> ResponseReturnValue:
    body = json_object(allowed=EVENT_FIELDS)
    now = clock()()
    with sessions().begin() as session:
        event = _scheduled_or_409(session, event_id, "changed")
        details = _checked(_details(session, body, event))
        if details.starts_at != event.starts_at and details.starts_at <= now:
            abort(422, "starts_at: must be in the future")
        event_steps.change(session, event, details, now=now, settings=settings())
        session.flush()
        return event_details(session, event)


@blueprint.post(f"/events/{EVENT_ID}/cancel", endpoint="cancel")
@api_role("officer")
def cancel_event(event_id: int) -> ResponseReturnValue:
    with sessions().begin() as session:
        event = _scheduled_or_409(session, event_id, "cancelled")
        event_steps.cancel(session, event, now=clock()(), settings=settings())
        session.flush()
        return event_details(session, event)


@blueprint.get(f"/events/{EVENT_ID}/rsvps", endpoint="rsvps")
@api_role("viewer")
def list_rsvps(event_id: int) -> ResponseReturnValue:
    limit, offset = reachable_page()
    with sessions()() as session:
        event = _event_or_404(session, event_id)
        every = rsvps_for(session, event.id)
        items = [rsvp_json(rsvp) for rsvp in every[offset : offset + limit]]
    return paged(items, total=len(every), limit=limit, offset=offset)


@blueprint.post(f"/events/{EVENT_ID}/attendance", endpoint="attendance")
@api_role("officer")
def attendance(event_id: int) -> ResponseReturnValue:
    """Who came, once the event has started: among the tenants who answered."""
    body = json_object(allowed=ATTENDANCE_FIELDS)
    if "tenant_ids" not in body:
        abort(400, "tenant_ids: required")
    tenant_ids = _ids(body["tenant_ids"], "tenant_ids")
    attended = flag_field(body, "attended") if "attended" in body else True
    with sessions().begin() as session:
        event = _event_or_404(session, event_id)
        if event.starts_at > clock()():
            abort(409, f"event {event_id} has not started yet; record who came afterwards")
        answered = {rsvp.tenant_id for rsvp in rsvps_for(session, event.id)}
        strangers = sorted(set(tenant_ids) - answered)
        if strangers:
            abort(422, f"tenant_ids: {strangers[0]} did not answer event {event_id}")
        marked = record_attendance(session, event, tenant_ids, attended=attended)
        counts = counts_for(session, [event.id])[event.id]
    return {"marked": marked, "attended": counts.attended}


# --- what goes out -------------------------------------------------------------------------


def event_json(session: Session, event: Event, counts: Any = None) -> dict[str, Any]:
    counts = counts or counts_for(session, [event.id])[event.id]
    zone = ZoneInfo(settings().timezone)
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "audience": audience_json(session, event.audience, AUDIENCE_PARTS),
        "status": event.status,
        "starts_at": event.starts_at.isoformat(),
        "local_starts_at": event.starts_at.astimezone(zone).isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "venue": event.venue,
        "capacity": event.capacity,
        "rsvp_by": _time(event.rsvp_by),
        "most_per_party": event.most_per_party,
        "notes": event.notes,
        "call_landlines": event.call_landlines,
        "series_id": event.series_id,
        "invited_at": _time(event.invited_at),
        "cancelled_at": _time(event.cancelled_at),
        "created_at": event.created_at.isoformat(),
        "updated_at": event.updated_at.isoformat(),
        "counts": {
            "yes": counts.yes,
            "no": counts.no,
            "maybe": counts.maybe,
            "waiting": counts.waiting,
            "people": counts.people,
            "waiting_people": counts.waiting_people,
            "attended": counts.attended,
        },
    }


def event_details(session: Session, event: Event) -> dict[str, Any]:
    return {**event_json(session, event), "invited": invited_count(session, event.id)}


def rsvp_json(rsvp: EventRsvp) -> dict[str, Any]:
    return {
        "tenant": {"id": rsvp.tenant.id, "name": rsvp.tenant.name},
        "answer": rsvp.answer,
        "party": rsvp.party,
        "channel": rsvp.channel,
        "answered_at": rsvp.answered_at.isoformat(),
        "waiting_since": _time(rsvp.waiting_since),
        "attended": rsvp.attended,
    }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


# --- finding them --------------------------------------------------------------------------


def _event_or_404(session: Session, event_id: int, *, lock: bool = False) -> Event:
    query = select(Event).where(Event.id == event_id)
    if lock:
        query = query.with_for_update()
    event = session.scalar(query)
    if event is None:
        abort(404, f"there is no event {event_id}")
    return event


def _scheduled_or_409(session: Session, event_id: int, done: str) -> Event:
    event = _event_or_404(session, event_id, lock=True)
    if not event.open:
        abort(409, f"event {event_id} is {event.status}; it cannot be {done}")
    return event


# --- reading input -------------------------------------------------------------------------


def _details(session: Session, body: dict[str, Any], event: Event | None) -> EventDetails:
    """The event's fields as given, the event's own where not given (when changing one)."""
    was = details_of(event) if event is not None else None

    def given(field: str, read: Any, default: Any) -> Any:
        return read() if field in body else default

    return EventDetails(
        title=given("title", lambda: _words(body, "title", LONGEST_TITLE), was and was.title),
        kind=given("kind", lambda: _kind(body["kind"]), was and was.kind),
        audience=given(
            "audience",
            lambda: audience_field(
                session,
                body["audience"],
                parts=AUDIENCE_PARTS,
                was=was.audience if was else None,
            ),
            was and was.audience,
        ),
        starts_at=given(
            "starts_at", lambda: moment_field(body["starts_at"], "starts_at"), was and was.starts_at
        ),
        ends_at=given(
            "ends_at", lambda: moment_field(body["ends_at"], "ends_at"), was and was.ends_at
        ),
        venue=given("venue", lambda: _words(body, "venue", LONGEST_VENUE), was and was.venue),
        capacity=given(
            "capacity", lambda: _whole(body, "capacity", 1, LARGEST_CAPACITY), was and was.capacity
        ),
        rsvp_by=given(
            "rsvp_by",
            lambda: None if body["rsvp_by"] is None else moment_field(body["rsvp_by"], "rsvp_by"),
            was and was.rsvp_by,
        ),
        most_per_party=given(
            "most_per_party",
            lambda: _whole(body, "most_per_party", 1, MOST_PARTY) or 1,
            was.most_per_party if was else 1,
        ),
        notes=given(
            "notes",
            lambda: (
                ""
                if body["notes"] is None
                else text_field(body, "notes", longest=LONGEST_NOTES, lines=True)
            ),
            was.notes if was else "",
        ),
        call_landlines=given(
            "call_landlines",
            lambda: flag_field(body, "call_landlines"),
            was.call_landlines if was else False,
        ),
    )


def _checked(details: EventDetails) -> EventDetails:
    try:
        return details.checked()
    except EventsError as problem:
        abort(422, str(problem))


def _kind(value: object) -> str:
    if not isinstance(value, str) or value not in KINDS:
        abort(400, f"kind: must be one of {', '.join(KINDS)}")
    return value


def _ids(value: object, field: str) -> list[int]:
    if (
        not isinstance(value, list)
        or len(value) > MOST_IDS
        or not all(
            isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= LARGEST_ID for i in value
        )
    ):
        abort(400, f"{field}: must be a list of at most {MOST_IDS} ids")
    return list(dict.fromkeys(value))


def _whole(body: dict[str, Any], field: str, least: int, most: int) -> int | None:
    value = body[field]
    if value is None and field == "capacity":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        abort(400, f"{field}: must be a whole number from {least} to {most}")
    return value


def _words(body: dict[str, Any], field: str, longest: int) -> str:
    value = text_field(body, field, longest=longest)
    if not any(ch.isprintable() and not ch.isspace() for ch in value):
        abort(400, f"{field}: must not be empty")
    return value
