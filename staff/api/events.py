"""API resource: events, the tenants' answers to them, and who came.

Times go out in UTC, and again as ``local_starts_at`` in the landlord's zone for people
to read. A time coming in must carry its offset (or Z): a bare "12:00" is a different
moment in summer and in winter, so it is refused, not guessed. Booking, changing and
cancelling go through participation.event_steps, so tenants hear of it in the same transaction,
exactly as when staff use the console. Only a scheduled event can be changed or
cancelled; anything else is a 409.

Who answered an event picked by a role the token's owner may not see (mystery shoppers,
without the admin's leave: staff.shoppers) is theirs to count, not to read: its answers
list none, and who came is not theirs to mark (403), since what it accepts would say.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import abort, g, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from models.audit import AuditAction
from models.events import (
    Counts,
    Event,
    EventDetails,
    EventsError,
    counts_for,
    details_of,
    events_page,
    invited_count,
    monthly_series,
    record_attendance,
    rsvps_for,
)
from models.on_behalf import OnBehalfError
from models.tenants import Tenant
from participation import event_steps, on_behalf
from staff.api import event_schemas, on_behalf_schemas
from staff.api.audience_field import as_seen, chosen_audience
from staff.api.common import Created, Page, Resource, api_role, paged, path_id, refusals, utc_or_422
from staff.audit_trail import note
from staff.context import clock, sessions, settings, zone
from staff.lookup import LARGEST_ID, or_404
from staff.shoppers import WHY_WITHHELD, answerers_withheld, audience_shoppers_shown

blueprint = Resource("events", __name__, url_prefix="/events")

EVENT_ID = path_id("event_id")
TIMES = ("starts_at", "ends_at", "rsvp_by")
NOT_YOURS_TO_MARK = f"you cannot mark who came here: {WHY_WITHHELD}"
NOT_YOURS_TO_ENTER = f"you cannot enter an answer for a tenant here: {WHY_WITHHELD}"


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listEvents", responses=refusals(400))
@api_role("viewer")
@blueprint.input(event_schemas.EventFilter, location="query")
@blueprint.output(event_schemas.EventPage, description="a page of events")
def list_events(query_data: dict[str, Any]) -> ResponseReturnValue:
    """Events, latest first, with their answers counted; paged"""
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions()() as session:
        found, total = events_page(
            session,
            upcoming=None,
            now=clock()(),
            status=query_data.get("status"),
            limit=limit,
            offset=offset,
        )
        counts = counts_for(session, [event.id for event in found])
        items = [_shown(session, event, counts[event.id]) for event in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.post("", endpoint="create")
@blueprint.doc(operation_id="createEvent", responses=refusals(400, 403, 413, 422))
@api_role("officer")
@blueprint.input(event_schemas.NewEvent)
@blueprint.output(
    event_schemas.EventDetails, status_code=201, description="booked", headers=Created
)
def create_event(json_data: dict[str, Any]) -> ResponseReturnValue:
    """Book an event, or a monthly series (officer); the audience is invited

    The invitation goes to the audience at once, in the sending hours (a later event of
    a series two weeks before it). Reminders go to those coming the day before and on
    the morning. `repeat_months` repeats it on the same weekday of the month, each a
    separate event sharing a series id. 422 for a time without a zone or in the past,
    an end before the start, a deadline after it, or an area that does not exist.
    """
    now = clock()()
    with sessions().begin() as session:
        details = _details(session, json_data, None)
        if details.starts_at <= now:
            abort(422, "starts_at: must be in the future, so tenants can be invited")
        try:
            occurrences = monthly_series(
                _checked(details), json_data.get("repeat_months", 1), zone()
            )
        except EventsError as problem:
            abort(422, f"starts_at: {problem}")
        events = event_steps.create(
            session, occurrences, staff_id=g.api_staff_id, now=now, settings=settings()
        )
        session.flush()
        booked = {**_details_shown(session, events[0]), "series": [e.id for e in events]}
        where = url_for("api.events.one", event_id=events[0].id)
    return booked, 201, {"Location": where}


@blueprint.get(f"/{EVENT_ID}", endpoint="one")
@blueprint.doc(operation_id="getEvent", responses=refusals(404))
@api_role("viewer")
@blueprint.output(event_schemas.EventDetails, description="the event")
def one_event(event_id: int) -> ResponseReturnValue:
    """One event with its answers counted"""
    with sessions()() as session:
        return _details_shown(session, or_404(session, Event, event_id, "event"))


@blueprint.patch(f"/{EVENT_ID}", endpoint="change")
@blueprint.doc(operation_id="changeEvent", responses=refusals(400, 403, 404, 409, 413, 422))
@api_role("officer")
@blueprint.input(event_schemas.EventChanges)
@blueprint.output(event_schemas.EventDetails, description="the event as now")
def change_event(event_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
    """Change the fields given of a scheduled event (officer)

    A new time replaces the reminders; those who said yes or maybe, and the waiting
    list, hear of a new time or venue. More places promote the waiting list. 409 unless
    the event is scheduled.
    """
    now = clock()()
    with sessions().begin() as session:
        event = _scheduled_or_409(session, event_id, "changed")
        details = _checked(_details(session, json_data, event))
        if details.starts_at != event.starts_at and details.starts_at <= now:
            abort(422, "starts_at: must be in the future")
        event_steps.change(session, event, details, now=now, settings=settings())
        session.flush()
        return _details_shown(session, event)


@blueprint.post(f"/{EVENT_ID}/cancel", endpoint="cancel")
@blueprint.doc(operation_id="cancelEvent", responses=refusals(403, 404, 409))
@api_role("officer")
@blueprint.output(event_schemas.EventDetails, description="the cancelled event")
def cancel_event(event_id: int) -> ResponseReturnValue:
    """Call a scheduled event off (officer); those who answered hear so"""
    with sessions().begin() as session:
        event = _scheduled_or_409(session, event_id, "cancelled")
        event_steps.cancel(session, event, now=clock()(), settings=settings())
        session.flush()
        return _details_shown(session, event)


@blueprint.get(f"/{EVENT_ID}/rsvps", endpoint="rsvps")
@blueprint.doc(operation_id="listEventRsvps", responses=refusals(400, 404))
@api_role("viewer")
@blueprint.input(Page, location="query")
@blueprint.output(event_schemas.EventRsvpPage, description="a page of answers")
def list_rsvps(event_id: int, query_data: dict[str, int]) -> ResponseReturnValue:
    """The answers: coming, then the waiting list in order, maybe, no

    None, with answerers_withheld true, for an event picked by a role the token's owner
    may not see: the event's counts say how many answered.
    """
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions().begin() as session:  # showing shoppers' answers leaves an audit line
        event = or_404(session, Event, event_id, "event")
        if answerers_withheld(session, event.audience):
            return {**paged([], total=0, limit=limit, offset=offset), "answerers_withheld": True}
        every = rsvps_for(session, event.id)
        shown = every[offset : offset + limit]
        audience_shoppers_shown(session, event.audience, (rsvp.tenant_id for rsvp in shown))
    return {
        **paged(shown, total=len(every), limit=limit, offset=offset),
        "answerers_withheld": False,
    }


@blueprint.post(f"/{EVENT_ID}/rsvps", endpoint="rsvp_for_tenant")
@blueprint.doc(operation_id="recordEventRsvp", responses=refusals(400, 403, 404, 409, 413, 422))
@api_role("officer")
@blueprint.input(on_behalf_schemas.NewEventRsvpForTenant)
@blueprint.output(on_behalf_schemas.EventRsvpEntered, status_code=201, description="recorded")
def rsvp_for_tenant(event_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
    """Record an answer a tenant gave by phone, on paper or in person (officer)

    It counts as the tenant's own: a yes that does not fit goes on the waiting list, a
    place freed promotes it, and their own later answer replaces it. 409 once answers are
    closed; 422 for a tenant the event is not open to or a party larger than it allows;
    403 for an event picked by a role the token's owner may not see.
    """
    with sessions().begin() as session:
        event = or_404(session, Event, event_id, "event")
        if answerers_withheld(session, event.audience):  # whether it replaced one would say
            abort(403, NOT_YOURS_TO_ENTER)
        if not event.open or event.answers_closed(clock()()):
            abort(409, f"answers for event {event_id} are closed")
        tenant_id = json_data["tenant_id"]
        tenant = session.get(Tenant, tenant_id) if 1 <= tenant_id <= LARGEST_ID else None
        if tenant is None:
            abort(422, f"tenant_id: there is no tenant {tenant_id}")
        try:
            result = on_behalf.rsvp_for_tenant(
                session,
                event,
                tenant,
                answer=json_data["answer"],
                party=json_data["party"],
                source=json_data["source"],
                staff_id=g.api_staff_id,
                now=clock()(),
                settings=settings(),
            )
        except (OnBehalfError, EventsError) as refused:
            abort(422, str(refused))
        said = f"event {event.id}: {result.rsvp.answer}, {result.rsvp.channel}"
        note(session, AuditAction.ENTERED_FOR_TENANT, tenant_id=tenant.id, detail=said)
        session.flush()
        session.refresh(result.rsvp)  # its tenant, for the answer
    return {"rsvp": result.rsvp, "waiting_place": result.place}


@blueprint.post(f"/{EVENT_ID}/attendance", endpoint="attendance")
@blueprint.doc(
    operation_id="recordEventAttendance", responses=refusals(400, 403, 404, 409, 413, 422)
)
@api_role("officer")
@blueprint.input(event_schemas.EventAttendance)
@blueprint.output(event_schemas.EventAttendanceResult, description="how many were marked")
def attendance(event_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
    """Record who came (officer), among those who answered

    409 before the event starts; 422 for a tenant who did not answer; 403 for an event
    picked by a role the token's owner may not see.
    """
    tenant_ids = json_data["tenant_ids"]
    with sessions().begin() as session:
        event = or_404(session, Event, event_id, "event")
        if answerers_withheld(session, event.audience):  # a 422 would say who answered
            abort(403, NOT_YOURS_TO_MARK)
        if event.starts_at > clock()():
            abort(409, f"event {event_id} has not started yet; record who came afterwards")
        answered = {rsvp.tenant_id for rsvp in rsvps_for(session, event.id)}
        strangers = sorted(set(tenant_ids) - answered)
        if strangers:
            abort(422, f"tenant_ids: {strangers[0]} did not answer event {event_id}")
        marked = record_attendance(session, event, tenant_ids, attended=json_data["attended"])
        counts = counts_for(session, [event.id])[event.id]
    return {"marked": marked, "attended": counts.attended}


# --- what the schemas read -----------------------------------------------------------------


def _shown(session: Session, event: Event, counts: Counts) -> dict[str, Any]:
    """The event with what its schema cannot read from the row: its audience as the token's
    owner may see it, and its answers counted."""
    return {"event": event, "audience": as_seen(session, event.audience), "counts": counts}


def _details_shown(session: Session, event: Event) -> dict[str, Any]:
    counts = counts_for(session, [event.id])[event.id]
    return {**_shown(session, event, counts), "invited": invited_count(session, event.id)}


# --- finding them --------------------------------------------------------------------------


def _scheduled_or_409(session: Session, event_id: int, done: str) -> Event:
    event = or_404(session, Event, event_id, "event", lock=True)
    if not event.open:
        abort(409, f"event {event_id} is {event.status}; it cannot be {done}")
    return event


# --- what the schemas cannot judge alone ---------------------------------------------------


def _details(session: Session, given: dict[str, Any], event: Event | None) -> EventDetails:
    """The event's fields as given, the event's own where not given (when changing one):
    the audience judged against what is stored, and every time with its zone."""
    was = details_of(event) if event is not None else None
    changes = {field: value for field, value in given.items() if field != "repeat_months"}
    if "audience" in changes:
        changes["audience"] = chosen_audience(
            session, changes["audience"], was=was.audience if was else None
        )
    for field in TIMES:
        if changes.get(field) is not None:
            changes[field] = utc_or_422(changes[field], field)
    if "notes" in changes:
        changes["notes"] = changes["notes"] or ""
    return replace(was, **changes) if was is not None else EventDetails(**changes)


def _checked(details: EventDetails) -> EventDetails:
    try:
        return details.checked()
    except EventsError as problem:
        abort(422, str(problem))
