"""The events and RSVPs part of the OpenAPI document."""

from __future__ import annotations

from models.events import LONGEST_NOTES, LONGEST_TITLE, LONGEST_VENUE, MOST_MONTHS, MOST_PARTY
from staff.api import common, events
from staff.api.audience_field import audience_schema
from staff.api.openapi_parts import (
    CREATED,
    Schema,
    id_parameter,
    json_body,
    json_response,
    nullable,
    page_of,
    ref,
    refusals,
    schema,
)

TAGS: tuple[str, ...] = ("events",)
EVENT_ID = id_parameter("event_id", "event")
MOMENT: Schema = {"type": "string", "format": "date-time"}
GIVEN_MOMENT: Schema = {
    **MOMENT,
    "description": "with its offset or Z; a time without a zone is refused",
    "example": "2026-07-04T12:00:00+01:00",
}


def paths() -> dict[str, Schema]:
    """Events, the answers tenants gave, and who came."""
    changes = refusals(400, 403, 404, 409, 413, 422)
    return {
        "/api/v1/events": {
            "get": {
                "operationId": "listEvents",
                "tags": ["events"],
                "summary": "Events, latest first, with their answers counted; paged",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(events.STATUSES)},
                    },
                    ref("parameters", "Limit"),
                    ref("parameters", "Offset"),
                ],
                "responses": {
                    "200": json_response("a page of events", schema("EventPage")),
                    **refusals(400),
                },
            },
            "post": {
                "operationId": "createEvent",
                "tags": ["events"],
                "summary": "Book an event, or a monthly series (officer); the audience is invited",
                "description": (
                    "The invitation goes to the audience at once, in the sending hours (a "
                    "later event of a series two weeks before it). Reminders go to those "
                    "coming the day before and on the morning. `repeat_months` repeats it on "
                    "the same weekday of the month, each a separate event sharing a series "
                    "id. 422 for a time without a zone or in the past, an end before the "
                    "start, a deadline after it, or an area that does not exist."
                ),
                "requestBody": json_body(schema("NewEvent")),
                "responses": {
                    "201": json_response("booked", schema("EventDetails"), headers=CREATED),
                    **refusals(400, 403, 413, 422),
                },
            },
        },
        "/api/v1/events/{event_id}": {
            "parameters": [EVENT_ID],
            "get": {
                "operationId": "getEvent",
                "tags": ["events"],
                "summary": "One event with its answers counted",
                "responses": {
                    "200": json_response("the event", schema("EventDetails")),
                    **refusals(404),
                },
            },
            "patch": {
                "operationId": "changeEvent",
                "tags": ["events"],
                "summary": "Change the fields given of a scheduled event (officer)",
                "description": (
                    "A new time replaces the reminders; those who said yes or maybe, and "
                    "the waiting list, hear of a new time or venue. More places promote "
                    "the waiting list. 409 unless the event is scheduled."
                ),
                "requestBody": json_body(schema("EventChanges")),
                "responses": {
                    "200": json_response("the event as now", schema("EventDetails")),
                    **changes,
                },
            },
        },
        "/api/v1/events/{event_id}/cancel": {
            "post": {
                "operationId": "cancelEvent",
                "tags": ["events"],
                "summary": "Call a scheduled event off (officer); those who answered hear so",
                "parameters": [EVENT_ID],
                "responses": {
                    "200": json_response("the cancelled event", schema("EventDetails")),
                    **refusals(403, 404, 409),
                },
            },
        },
        "/api/v1/events/{event_id}/rsvps": {
            "get": {
                "operationId": "listEventRsvps",
                "tags": ["events"],
                "summary": "The answers: coming, then the waiting list in order, maybe, no",
                "parameters": [EVENT_ID, ref("parameters", "Limit"), ref("parameters", "Offset")],
                "responses": {
                    "200": json_response("a page of answers", schema("EventRsvpPage")),
                    **refusals(400, 404),
                },
            },
        },
        "/api/v1/events/{event_id}/attendance": {
            "post": {
                "operationId": "recordEventAttendance",
                "tags": ["events"],
                "summary": "Record who came (officer), among those who answered",
                "description": "409 before the event starts; 422 for a tenant who did not answer.",
                "parameters": [EVENT_ID],
                "requestBody": json_body(schema("EventAttendance")),
                "responses": {
                    "200": json_response("how many were marked", schema("EventAttendanceResult")),
                    **changes,
                },
            },
        },
    }


def _event_fields() -> dict[str, Schema]:
    return {
        "title": {"type": "string", "minLength": 1, "maxLength": LONGEST_TITLE},
        "kind": {"type": "string", "enum": list(events.KINDS)},
        "audience": schema("EventAudience"),
        "starts_at": GIVEN_MOMENT,
        "ends_at": GIVEN_MOMENT,
        "venue": {"type": "string", "minLength": 1, "maxLength": LONGEST_VENUE},
        "capacity": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": events.LARGEST_CAPACITY,
            "description": "people, guests included; null for no limit",
        },
        "rsvp_by": nullable({**GIVEN_MOMENT, "description": "answers close; null: at the start"}),
        "most_per_party": {
            "type": "integer",
            "minimum": 1,
            "maximum": MOST_PARTY,
            "description": "1: no guests",
        },
        "notes": {"type": ["string", "null"], "maxLength": LONGEST_NOTES},
        "call_landlines": {
            "type": "boolean",
            "description": "landline-only tenants hear of it by phone call",
        },
    }


def schemas() -> dict[str, Schema]:
    ids = {
        "type": "array",
        "maxItems": events.MOST_IDS,
        "items": {"type": "integer", "minimum": 1, "maximum": common.LARGEST_ID},
    }
    count = {"type": "integer", "minimum": 0}
    event_properties: Schema = {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "kind": {"type": "string", "enum": list(events.KINDS)},
        "audience": audience_schema(events.AUDIENCE_PARTS, shown=True),
        "status": {"type": "string", "enum": list(events.STATUSES)},
        "starts_at": {**MOMENT, "description": "UTC"},
        "local_starts_at": {**MOMENT, "description": "the same moment, local time"},
        "ends_at": MOMENT,
        "venue": {"type": "string"},
        "capacity": {"type": ["integer", "null"]},
        "rsvp_by": nullable(MOMENT),
        "most_per_party": {"type": "integer"},
        "notes": {"type": "string"},
        "call_landlines": {"type": "boolean"},
        "series_id": {"type": ["integer", "null"]},
        "invited_at": nullable(MOMENT),
        "cancelled_at": nullable(MOMENT),
        "created_at": MOMENT,
        "updated_at": MOMENT,
        "counts": {
            "type": "object",
            "required": ["yes", "no", "maybe", "waiting", "people", "waiting_people", "attended"],
            "properties": {
                name: count
                for name in ("yes", "no", "maybe", "waiting", "people", "waiting_people")
            }
            | {"attended": count},
        },
    }
    return {
        "EventAudience": audience_schema(events.AUDIENCE_PARTS),
        "Event": {
            "type": "object",
            "required": list(event_properties),
            "properties": event_properties,
        },
        "EventDetails": {
            "type": "object",
            "required": [*event_properties, "invited"],
            "properties": {
                **event_properties,
                "invited": {**count, "description": "tenants invited so far"},
                "series": {
                    "type": "array",
                    "items": {"type": "integer"},
                    "description": "when booked: the ids of every event of the series",
                },
            },
        },
        "EventPage": page_of("Event"),
        "NewEvent": {
            "type": "object",
            "additionalProperties": False,
            "required": ["title", "kind", "audience", "starts_at", "ends_at", "venue"],
            "properties": {
                **_event_fields(),
                "repeat_months": {"type": "integer", "minimum": 1, "maximum": MOST_MONTHS},
            },
        },
        "EventChanges": {
            "type": "object",
            "additionalProperties": False,
            "properties": _event_fields(),
        },
        "EventRsvp": {
            "type": "object",
            "required": [
                "tenant",
                "answer",
                "party",
                "channel",
                "answered_at",
                "waiting_since",
                "attended",
            ],
            "properties": {
                "tenant": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": ["string", "null"]}},
                },
                "answer": {"type": "string", "enum": ["yes", "no", "maybe", "waiting"]},
                "party": {"type": "integer", "minimum": 1},
                "channel": {"type": "string"},
                "answered_at": MOMENT,
                "waiting_since": nullable(MOMENT),
                "attended": {"type": ["boolean", "null"]},
            },
        },
        "EventRsvpPage": page_of("EventRsvp"),
        "EventAttendance": {
            "type": "object",
            "additionalProperties": False,
            "required": ["tenant_ids"],
            "properties": {"tenant_ids": ids, "attended": {"type": "boolean", "default": True}},
        },
        "EventAttendanceResult": {
            "type": "object",
            "required": ["marked", "attended"],
            "properties": {"marked": count, "attended": count},
        },
    }
