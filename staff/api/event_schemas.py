"""The events API's representations: what is sent to book, change or mark an event, and
what comes back.

Each class's name is its name in the OpenAPI document. The limits are the columns'
and the SMS's: a title and a venue go by text message, so they are short. A time
coming in must carry its offset (or Z); one without is refused by the view (422).
Times go out in UTC, and the start again on the landlord's clock for people to read.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from models.events import (
    LONGEST_NOTES,
    LONGEST_TITLE,
    LONGEST_VENUE,
    MOST_MONTHS,
    MOST_PARTY,
    Answer,
    EventKind,
    EventStatus,
)
from staff.api.audience_schemas import (
    AREAS,
    EVERYONE,
    ROLES,
    TENANTS,
    audience_given,
    audience_shown,
    nested_audience,
)
from staff.api.common import (
    Body,
    Ids,
    LocalTime,
    Moment,
    Page,
    Representation,
    TenantRef,
    Text,
    TrueOrFalse,
    Words,
    page_of,
)

KINDS = tuple(kind.value for kind in EventKind)
STATUSES = tuple(status.value for status in EventStatus)
ANSWERS = tuple(answer.value for answer in Answer)
AUDIENCE_PARTS = (EVERYONE, AREAS, ROLES, TENANTS)
LARGEST_CAPACITY = 100_000
MOST_IDS = 10_000
GIVEN_TIME = {
    "description": "with its offset or Z; a time without a zone is refused",
    "example": "2026-07-04T12:00:00+01:00",
}

EventAudience = audience_given("EventAudience", AUDIENCE_PARTS)
EventAudienceShown = audience_shown("EventAudienceShown", AUDIENCE_PARTS)


class WholeNumber(fields.Integer):
    """A whole number from ``least`` to ``most`` (a JSON number, not text or true/false)."""

    def __init__(self, *, least: int, most: int, **kwargs: Any) -> None:
        refusal = f"must be a whole number from {least} to {most}"
        super().__init__(
            strict=True,
            validate=validate.Range(least, most, error=refusal),
            error_messages={"invalid": refusal, "null": refusal},
            **kwargs,
        )


def _kind(**kwargs: Any) -> fields.String:
    refusal = f"must be one of {', '.join(KINDS)}"
    return fields.String(
        validate=validate.OneOf(KINDS, error=refusal),
        error_messages={"invalid": refusal, "null": refusal},
        **kwargs,
    )


class EventChanges(Body):
    """The fields to change of a scheduled event; the others stay as they are."""

    title = Words(longest=LONGEST_TITLE)
    kind = _kind()
    audience = nested_audience(EventAudience, required=False)
    starts_at = Moment(metadata=GIVEN_TIME)
    ends_at = Moment(metadata=GIVEN_TIME)
    venue = Words(longest=LONGEST_VENUE)
    capacity = WholeNumber(
        least=1,
        most=LARGEST_CAPACITY,
        allow_none=True,
        metadata={"description": "people, guests included; null for no limit"},
    )
    rsvp_by = Moment(
        allow_none=True, metadata={**GIVEN_TIME, "description": "answers close; null: at the start"}
    )
    most_per_party = WholeNumber(least=1, most=MOST_PARTY, metadata={"description": "1: no guests"})
    notes = Text(longest=LONGEST_NOTES, lines=True, allow_none=True)
    call_landlines = TrueOrFalse(
        metadata={"description": "landline-only tenants hear of it by phone call"}
    )


class NewEvent(EventChanges):
    """An event to book: what it is, for whom, when and where at least."""

    title = Words(longest=LONGEST_TITLE, required=True)
    kind = _kind(required=True)
    audience = nested_audience(EventAudience, required=True)
    starts_at = Moment(required=True, metadata=GIVEN_TIME)
    ends_at = Moment(required=True, metadata=GIVEN_TIME)
    venue = Words(longest=LONGEST_VENUE, required=True)
    repeat_months = WholeNumber(
        least=1,
        most=MOST_MONTHS,
        metadata={"description": "the same weekday of the month, this many months in all"},
    )


class EventAttendance(Body):
    """Who came (or, with ``attended`` false, who did not), among those who answered."""

    tenant_ids = Ids(most=MOST_IDS, required=True)
    attended = TrueOrFalse(load_default=True)


class EventFilter(Page):
    """A page of events, of one status if given."""

    status = fields.String(
        validate=validate.OneOf(STATUSES, error=f"must be one of {', '.join(STATUSES)}")
    )


class EventCounts(Representation):
    """The answers so far (``models.events.Counts``)."""

    yes = fields.Integer(metadata={"minimum": 0})
    no = fields.Integer(metadata={"minimum": 0})
    maybe = fields.Integer(metadata={"minimum": 0})
    waiting = fields.Integer(metadata={"minimum": 0})
    people = fields.Integer(metadata={"minimum": 0, "description": "coming, guests included"})
    waiting_people = fields.Integer(metadata={"minimum": 0})
    attended = fields.Integer(metadata={"minimum": 0})


class Event(Representation):
    """An event as shown: read from ``{"event": <models.events.Event>, "audience": as seen,
    "counts": <models.events.Counts>}``."""

    id = fields.Integer(attribute="event.id")
    title = fields.String(attribute="event.title")
    kind = fields.String(attribute="event.kind", validate=validate.OneOf(KINDS))
    audience = fields.Nested(EventAudienceShown)
    status = fields.String(attribute="event.status", validate=validate.OneOf(STATUSES))
    starts_at = fields.DateTime(attribute="event.starts_at", metadata={"description": "UTC"})
    local_starts_at = LocalTime(
        attribute="event.starts_at", metadata={"description": "the same moment, local time"}
    )
    ends_at = fields.DateTime(attribute="event.ends_at")
    venue = fields.String(attribute="event.venue")
    capacity = fields.Integer(attribute="event.capacity", allow_none=True)
    rsvp_by = fields.DateTime(attribute="event.rsvp_by", allow_none=True)
    most_per_party = fields.Integer(attribute="event.most_per_party")
    notes = fields.String(attribute="event.notes")
    call_landlines = fields.Boolean(attribute="event.call_landlines")
    series_id = fields.Integer(attribute="event.series_id", allow_none=True)
    invited_at = fields.DateTime(attribute="event.invited_at", allow_none=True)
    cancelled_at = fields.DateTime(attribute="event.cancelled_at", allow_none=True)
    created_at = fields.DateTime(attribute="event.created_at")
    updated_at = fields.DateTime(attribute="event.updated_at")
    counts = fields.Nested(EventCounts)


class EventDetails(Event):
    """One event: with how many were invited, and when just booked, its series."""

    invited = fields.Integer(metadata={"minimum": 0, "description": "tenants invited so far"})
    series = fields.List(
        fields.Integer(),
        metadata={"description": "when booked: the ids of every event of the series"},
    )

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        super().on_bind_field(field_name, field_obj)
        field_obj.required = field_name != "series"  # only in the answer to a booking


class EventRsvp(Representation):
    """A tenant's answer (``models.events.EventRsvp``)."""

    tenant = fields.Nested(TenantRef)
    answer = fields.String(validate=validate.OneOf(ANSWERS))
    party = fields.Integer(metadata={"minimum": 1})
    channel = fields.String()
    answered_at = fields.DateTime()
    waiting_since = fields.DateTime(allow_none=True)
    attended = fields.Boolean(allow_none=True)
    entered_by_staff_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "the staff member who entered it for the tenant (channel says how "
            "it came: paper, phone, in_person); null for the tenant's own answer"
        },
    )


class EventAttendanceResult(Representation):
    """How many were marked, and how many are marked as having come in all."""

    marked = fields.Integer(metadata={"minimum": 0})
    attended = fields.Integer(metadata={"minimum": 0})


class EventRsvpPage(Representation):
    """A page of answers, as every list is paged, and whether they are withheld."""

    items = fields.List(fields.Nested(EventRsvp))
    total = fields.Integer(metadata={"description": "all that match; 0 when withheld"})
    limit = fields.Integer()
    offset = fields.Integer()
    answerers_withheld = fields.Boolean(
        metadata={
            "description": "true for an event picked by a role the token's owner may not see "
            "(mystery shoppers, without an admin's leave): then no answer is listed, items is "
            "empty and total 0, and only the event's counts say how many answered"
        }
    )


EventPage = page_of(Event)
