"""The broadcasts part of the OpenAPI document."""

from __future__ import annotations

from bot import catalogue
from models.broadcasts import LONGEST_TEXT
from staff.api import broadcasts
from staff.api.audience_field import PARTS, audience_schema
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

TAGS: tuple[str, ...] = ("broadcasts",)
BROADCAST_ID = id_parameter("broadcast_id", "broadcast")
TIME = {"type": "string", "format": "date-time"}
REPORT_COLUMNS = ("queued", "sent", "delivered", "failed", "opted_out", "unreachable", "total")


def paths() -> dict[str, Schema]:
    """Notices and opportunities: draft, preview, send or schedule, report, resend failed."""
    one = {"parameters": [BROADCAST_ID]}
    return {
        "/api/v1/broadcasts": {
            "get": {
                "operationId": "listBroadcasts",
                "tags": ["broadcasts"],
                "summary": "Broadcasts, newest first, each with its delivery report; paged",
                "parameters": [ref("parameters", "Limit"), ref("parameters", "Offset")],
                "responses": {
                    "200": json_response("a page of broadcasts", schema("BroadcastPage")),
                    **refusals(400),
                },
            },
            "post": {
                "operationId": "createBroadcast",
                "tags": ["broadcasts"],
                "summary": "Save a notice or an opportunity as a draft (officer; urgent: admin)",
                "description": (
                    "Nothing is sent yet. Pasted curly quotes, dashes and odd spaces are "
                    "replaced by their GSM-7 twins. A tenant gets the text in their language "
                    "if written, else English. An opportunity with no audience chosen goes "
                    "to the volunteer bank, and ends 'Reply YES if you can help.'. 403 for "
                    "an urgent notice from anyone but an admin; 422 for an empty audience "
                    "or no English text."
                ),
                "requestBody": json_body(schema("NewBroadcast")),
                "responses": {
                    "201": json_response("saved", schema("Broadcast"), headers=CREATED),
                    **refusals(400, 403, 413, 422),
                },
            },
        },
        "/api/v1/broadcasts/{broadcast_id}": {
            **one,
            "get": {
                "operationId": "getBroadcast",
                "tags": ["broadcasts"],
                "summary": "One broadcast with its report and, for an opportunity, who said YES",
                "responses": {
                    "200": json_response("the broadcast", schema("Broadcast")),
                    **refusals(404),
                },
            },
        },
        "/api/v1/broadcasts/{broadcast_id}/preview": {
            **one,
            "get": {
                "operationId": "previewBroadcast",
                "tags": ["broadcasts"],
                "summary": "Recipients by channel, segments per language, estimated cost",
                "description": (
                    "Each language as a basic phone gets it, split where the segments "
                    "break, with the characters that still force UCS-2. 'problems' says why "
                    "it cannot be sent as it is (more than 2 segments)."
                ),
                "responses": {
                    "200": json_response("the preview", schema("BroadcastPreview")),
                    **refusals(404),
                },
            },
        },
        "/api/v1/broadcasts/{broadcast_id}/send": {
            **one,
            "post": {
                "operationId": "sendBroadcast",
                "tags": ["broadcasts"],
                "summary": "Send now, or at send_at (officer; an urgent one: admin)",
                "description": (
                    "Queued notices wait for the sending window (09:00-20:00 UK time, not "
                    "on Scottish bank holidays) unless urgent; opt-outs are checked as each "
                    "goes. 409 if sent already; 422 for a text over 2 segments or a time "
                    "without a zone or in the past."
                ),
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": schema("SendBroadcast")}},
                },
                "responses": {
                    "200": json_response("queued or scheduled", schema("Broadcast")),
                    **refusals(400, 403, 404, 409, 413, 422),
                },
            },
        },
        "/api/v1/broadcasts/{broadcast_id}/report": {
            **one,
            "get": {
                "operationId": "getBroadcastReport",
                "tags": ["broadcasts"],
                "summary": "The live delivery report",
                "responses": {
                    "200": json_response("the counts", schema("DeliveryReport")),
                    **refusals(404),
                },
            },
        },
        "/api/v1/broadcasts/{broadcast_id}/resend-failed": {
            **one,
            "post": {
                "operationId": "resendFailedBroadcast",
                "tags": ["broadcasts"],
                "summary": "Queue again only the messages that failed (officer)",
                "responses": {
                    "200": json_response("queued again", schema("Resent")),
                    **refusals(403, 404, 409),
                },
            },
        },
    }


def _texts() -> Schema:
    return {
        "type": "object",
        "description": "language code to the words staff wrote; English required",
        "required": ["en"],
        "properties": {
            code: {"type": "string", "maxLength": LONGEST_TEXT} for code in catalogue.languages()
        },
        "additionalProperties": False,
    }


def _report() -> Schema:
    return {
        "type": "object",
        "required": list(REPORT_COLUMNS),
        "properties": {column: {"type": "integer", "minimum": 0} for column in REPORT_COLUMNS},
    }


def _broadcast() -> Schema:
    volunteer = {
        "type": "object",
        "required": ["tenant_id", "name", "channel", "said_at"],
        "properties": {
            "tenant_id": {"type": "integer"},
            "name": nullable({"type": "string"}),
            "channel": {"type": "string"},
            "said_at": TIME,
        },
    }
    return {
        "type": "object",
        "required": [
            "id",
            "kind",
            "status",
            "texts",
            "audience",
            "unmatched",
            "topic",
            "urgent",
            "call_landlines",
            "send_at",
            "sent_at",
            "queued",
            "created_at",
            "report",
        ],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": list(broadcasts.KINDS)},
            "status": {"type": "string", "enum": ["draft", "scheduled", "sent"]},
            "texts": {"type": "object", "additionalProperties": {"type": "string"}},
            "audience": audience_schema(PARTS, shown=True),
            "unmatched": {"type": "array", "items": {"type": "string"}},
            "topic": {"type": "string", "enum": list(broadcasts.TOPICS)},
            "urgent": {"type": "boolean"},
            "call_landlines": {"type": "boolean"},
            "send_at": nullable(TIME),
            "sent_at": nullable(TIME),
            "queued": {"type": "integer", "minimum": 0},
            "created_at": TIME,
            "report": schema("DeliveryReport"),
            "volunteers": {"type": "array", "items": volunteer, "description": "who said YES"},
        },
    }


def _preview() -> Schema:
    language = {
        "type": "object",
        "required": [
            "language",
            "body",
            "encoding",
            "characters",
            "segments",
            "forcing_ucs2",
            "parts",
        ],
        "properties": {
            "language": {"type": "string"},
            "body": {"type": "string", "description": "as sent by SMS"},
            "encoding": {"type": "string", "enum": ["GSM-7", "UCS-2"]},
            "characters": {"type": "integer"},
            "segments": {"type": "integer"},
            "forcing_ucs2": {"type": "array", "items": {"type": "string"}},
            "parts": {"type": "array", "items": {"type": "string"}},
            "in_english": {
                "type": "boolean",
                "description": "not written: the English notice with a note in this language",
            },
        },
    }
    return {
        "type": "object",
        "required": [
            "recipients",
            "by_channel",
            "sms_segments",
            "cost",
            "currency",
            "price_per_segment",
            "languages",
            "problems",
        ],
        "properties": {
            "recipients": {"type": "integer"},
            "by_channel": {"type": "object", "additionalProperties": {"type": "integer"}},
            "sms_segments": {"type": "integer"},
            "cost": {"type": "number", "description": "SMS segments x SMS_SEGMENT_PRICE"},
            "currency": {"type": "string", "enum": ["GBP"]},
            "price_per_segment": {"type": "number"},
            "languages": {"type": "array", "items": language},
            "problems": {"type": "array", "items": {"type": "string"}},
        },
    }


def schemas() -> dict[str, Schema]:
    return {
        "NewBroadcast": {
            "type": "object",
            "additionalProperties": False,
            "required": ["texts", "audience"],
            "properties": {
                "kind": {"type": "string", "enum": list(broadcasts.KINDS), "default": "notice"},
                "texts": _texts(),
                "audience": audience_schema(PARTS),
                "topic": {"type": "string", "enum": list(broadcasts.TOPICS), "default": "news"},
                "urgent": {"type": "boolean", "default": False, "description": "admins only"},
                "call_landlines": {
                    "type": "boolean",
                    "default": False,
                    "description": "landline-only tenants get the notice as a phone call",
                },
            },
        },
        "SendBroadcast": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"send_at": nullable({**TIME, "description": "omit to send now"})},
        },
        "Broadcast": _broadcast(),
        "BroadcastPage": page_of("Broadcast"),
        "BroadcastPreview": _preview(),
        "DeliveryReport": _report(),
        "Resent": {
            "type": "object",
            "required": ["queued", "report"],
            "properties": {"queued": {"type": "integer"}, "report": schema("DeliveryReport")},
        },
    }
