"""The OpenAPI document for /api/v1, written by hand as one structure.

Hand-written so that it says what the housing management system may rely on,
not what a framework happened to infer. Two tests keep it honest: every route
in the app is documented and every documented operation is a route, and
schemathesis sends every operation generated requests and expects no 5xx.
The limits in it are the ones the resources enforce, imported from them.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint
from flask.typing import ResponseReturnValue

from bot.catalogue import languages
from models.inspections import LONGEST_PLACE, LONGEST_WORDS
from models.messages import InboxState, OutboxStatus
from models.tenants import Channel
from staff.api import (
    areas,
    audit_doc,
    broadcasts_doc,
    common,
    events_doc,
    inbox,
    inspections,
    mystery_shopping,
    polls_doc,
    repairs_doc,
    tenants,
)
from staff.api.common import DEFAULT_PAGE, LARGEST_PAGE
from staff.api.openapi_parts import (
    CREATED,
    Schema,
    error,
    id_parameter,
    json_body,
    json_response,
    nullable,
    page_of,
    ref,
    refusals,
    schema,
)

blueprint = Blueprint("openapi", __name__)
SHOPPER_TIME: Schema = {
    "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}],
    "description": "to the second for a token that may see shoppers, else the day only",
}
ROLES_GIVEN: Schema = {
    "type": "array",
    "items": schema("Role"),
    "uniqueItems": True,
    "description": (
        "the roles a token's owner may see; only one an admin let see mystery shoppers may "
        "give mystery_shopper (403), and anyone else's list leaves it as it was"
    ),
}
# each part has TAGS, paths() and schemas()
PARTS = (events_doc, broadcasts_doc, polls_doc, repairs_doc, audit_doc)


@blueprint.get("/openapi.json", endpoint="document")
def document() -> ResponseReturnValue:
    return openapi_document()


@cache
def openapi_document() -> Schema:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "doorstep staff API",
            "version": "1",
            "description": (
                "Tenants, areas, their messages, the staff inbox, estate inspections and "
                "the issue reports tenants make for them, for the housing management "
                "system. Send `Authorization: Bearer <token>` (made by "
                "`doorstep staff add`). Tokens of viewers may read; officers and admins may "
                'also write. Every error is JSON: `{"error": reason, "status": code}`.'
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [
            {"name": "tenants"},
            {"name": "areas"},
            {"name": "messages"},
            {"name": "inbox"},
            {"name": "mystery shopping"},
            {"name": "inspections"},
            {"name": "issue reports"},
            *({"name": tag} for part in PARTS for tag in part.TAGS),
            {"name": "document"},
        ],
        "paths": {
            "/api/v1/tenants": {
                "get": {
                    "operationId": "listTenants",
                    "tags": ["tenants"],
                    "summary": "Tenants by name, then id; filtered and paged",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "description": "a name, a phone number in any usual form, or an estate",
                            "schema": {"type": "string", "maxLength": tenants.LONGEST_SEARCH},
                        },
                        {
                            "name": "area_id",
                            "in": "query",
                            "description": "only tenants of this area",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": common.LARGEST_ID,
                            },
                        },
                        {
                            "name": "unverified",
                            "in": "query",
                            "description": "only tenants who registered by text and wait for staff",
                            "schema": {"type": "boolean", "default": False},
                        },
                        ref("parameters", "Limit"),
                        ref("parameters", "Offset"),
                    ],
                    "responses": {
                        "200": json_response("a page of tenants", schema("TenantPage")),
                        **refusals(400),
                    },
                },
                "post": {
                    "operationId": "createTenant",
                    "tags": ["tenants"],
                    "summary": "Add a tenant (officer); they are registered and verified",
                    "requestBody": json_body(schema("NewTenant")),
                    "responses": {
                        "201": json_response("added", schema("Tenant"), headers=CREATED),
                        **refusals(400, 403, 409, 413, 422),
                    },
                },
            },
            "/api/v1/tenants/{tenant_id}": {
                "parameters": [ref("parameters", "TenantId")],
                "get": {
                    "operationId": "getTenant",
                    "tags": ["tenants"],
                    "summary": "One tenant",
                    "responses": {
                        "200": json_response("the tenant", schema("Tenant")),
                        **refusals(404),
                    },
                },
                "patch": {
                    "operationId": "changeTenant",
                    "tags": ["tenants"],
                    "summary": "Change the fields given (officer); the others stay",
                    "requestBody": json_body(schema("TenantChanges")),
                    "responses": {
                        "200": json_response("the tenant as now", schema("Tenant")),
                        **refusals(400, 403, 404, 409, 413, 422),
                    },
                },
                "delete": {
                    "operationId": "eraseTenant",
                    "tags": ["tenants"],
                    "summary": "Erase the tenant on request (admin)",
                    "description": (
                        "Their details, messages, consent and conversation go. Survey answers "
                        "(check-ins, votes, repair surveys) stay as anonymous figures, with any "
                        "free text blanked; issue reports stay without their name."
                    ),
                    "responses": {
                        "200": json_response("what was erased", schema("Erasure")),
                        **refusals(403, 404),
                    },
                },
            },
            "/api/v1/tenants/{tenant_id}/record": {
                "get": {
                    "operationId": "getTenantRecord",
                    "tags": ["tenants"],
                    "summary": "All held about the tenant, for a subject access request (officer)",
                    "parameters": [ref("parameters", "TenantId")],
                    "responses": {
                        "200": json_response(
                            "their row, then each table's rows about them", schema("TenantRecord")
                        ),
                        **refusals(403, 404),
                    },
                },
            },
            "/api/v1/tenants/import": {
                "post": {
                    "operationId": "importTenants",
                    "tags": ["tenants"],
                    "summary": "Import the housing management system's CSV (officer)",
                    "description": (
                        "Columns name, phone, area, tenancy, language, roles (separated by `;`), "
                        "optional telegram_chat_id and landline_only. Tenants are matched on "
                        "phone, so importing again updates and never duplicates. Bad rows are "
                        "reported by line and the good ones kept."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "text/csv": {
                                "schema": {"type": "string"},
                                "example": (
                                    "name,phone,area,tenancy,language,roles\n"
                                    "Ann Example,07700 900123,Templehall,T-1001,en,voices\n"
                                ),
                            },
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file"],
                                    "properties": {"file": {"type": "string", "format": "binary"}},
                                }
                            },
                        },
                    },
                    "responses": {
                        "200": json_response("what happened to each line", schema("ImportReport")),
                        **refusals(400, 403, 413, 415, 422),
                    },
                },
            },
            "/api/v1/tenants/{tenant_id}/messages": {
                "get": {
                    "operationId": "listTenantMessages",
                    "tags": ["messages"],
                    "summary": "The tenant's messages both ways on every channel, oldest first",
                    "description": (
                        "Unless an admin let the token's owner see mystery shoppers, the "
                        "messages that would say the tenant is one (the check-in, its "
                        "invitations, MENU and JOIN) are left out, and not counted."
                    ),
                    "parameters": [
                        ref("parameters", "TenantId"),
                        ref("parameters", "Limit"),
                        ref("parameters", "Offset"),
                    ],
                    "responses": {
                        "200": json_response("a page of messages", schema("MessagePage")),
                        **refusals(400, 404),
                    },
                },
            },
            "/api/v1/areas": {
                "get": {
                    "operationId": "listAreas",
                    "tags": ["areas"],
                    "summary": "Areas by name, with homes and tenants",
                    "parameters": [ref("parameters", "Limit"), ref("parameters", "Offset")],
                    "responses": {
                        "200": json_response("a page of areas", schema("AreaPage")),
                        **refusals(400),
                    },
                },
                "post": {
                    "operationId": "createArea",
                    "tags": ["areas"],
                    "summary": "Add an area (officer)",
                    "requestBody": json_body(schema("NewArea")),
                    "responses": {
                        "201": json_response("added", schema("Area"), headers=CREATED),
                        **refusals(400, 403, 409, 413, 422),
                    },
                },
            },
            "/api/v1/areas/{area_id}": {
                "parameters": [ref("parameters", "AreaId")],
                "get": {
                    "operationId": "getArea",
                    "tags": ["areas"],
                    "summary": "One area",
                    "responses": {
                        "200": json_response("the area", schema("Area")),
                        **refusals(404),
                    },
                },
                "patch": {
                    "operationId": "changeArea",
                    "tags": ["areas"],
                    "summary": "Change the fields given (officer)",
                    "requestBody": json_body(schema("AreaChanges")),
                    "responses": {
                        "200": json_response("the area as now", schema("Area")),
                        **refusals(400, 403, 404, 409, 413, 422),
                    },
                },
            },
            "/api/v1/inbox": {
                "get": {
                    "operationId": "listInbox",
                    "tags": ["inbox"],
                    "summary": "Messages no flow could answer, newest first",
                    "parameters": [
                        {
                            "name": "state",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": list(inbox.STATES),
                                "default": InboxState.OPEN.value,
                            },
                        },
                        ref("parameters", "Limit"),
                        ref("parameters", "Offset"),
                    ],
                    "responses": {
                        "200": json_response("a page of the inbox", schema("InboxPage")),
                        **refusals(400),
                    },
                },
            },
            "/api/v1/inbox/{message_id}/reply": {
                "post": {
                    "operationId": "replyToInboxMessage",
                    "tags": ["inbox"],
                    "summary": "Queue a reply on the channel the tenant wrote from (officer)",
                    "description": (
                        "422 when it cannot go: empty, longer than two texts on SMS, or the "
                        "tenant has opted out on that channel. The item stays in the inbox."
                    ),
                    "parameters": [ref("parameters", "MessageId")],
                    "requestBody": json_body(schema("Reply")),
                    "responses": {
                        "201": json_response("the queued message", schema("Message")),
                        **refusals(400, 403, 404, 413, 422),
                    },
                },
            },
            "/api/v1/inbox/{message_id}/done": {
                "post": {
                    "operationId": "markInboxMessageDone",
                    "tags": ["inbox"],
                    "summary": "Take a message out of the open inbox (officer)",
                    "parameters": [ref("parameters", "MessageId")],
                    "responses": {
                        "200": json_response("the message, now done", schema("InboxItem")),
                        **refusals(403, 404),
                    },
                },
            },
            "/api/v1/mystery-shopping/check-ins": {
                "get": {
                    "operationId": "listMysteryShopCheckIns",
                    "tags": ["mystery shopping"],
                    "summary": "Shoppers' monthly check-ins, finished or not, newest month first",
                    "description": (
                        "`shopper` and `channel` are null, and `started_at` and "
                        "`finished_at` are days (YYYY-MM-DD), unless an admin let the "
                        "token's owner see mystery shoppers' names."
                    ),
                    "parameters": [
                        {
                            "name": "month",
                            "in": "query",
                            "description": "only this month's, as YYYY-MM",
                            "schema": {"type": "string", "pattern": mystery_shopping.MONTH_PATTERN},
                        },
                        ref("parameters", "Limit"),
                        ref("parameters", "Offset"),
                    ],
                    "responses": {
                        "200": json_response("a page of check-ins", schema("CheckInPage")),
                        **refusals(400),
                    },
                },
            },
            "/api/v1/mystery-shopping/summary": {
                "get": {
                    "operationId": "getMysteryShopSummary",
                    "tags": ["mystery shopping"],
                    "summary": "A year's response rates; counts and averages per service and month",
                    "parameters": [
                        {
                            "name": "year",
                            "in": "query",
                            "description": "the year; this year when left out",
                            "schema": {
                                "type": "integer",
                                "minimum": mystery_shopping.FIRST_YEAR,
                                "maximum": mystery_shopping.LAST_YEAR,
                            },
                        },
                    ],
                    "responses": {
                        "200": json_response("the year's figures", schema("MysteryShopSummary")),
                        **refusals(400),
                    },
                },
            },
            **inspection_paths(),
            **{path: item for part in PARTS for path, item in part.paths().items()},
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenApiDocument",
                    "tags": ["document"],
                    "summary": "This document; no token needed",
                    "security": [],
                    "responses": {"200": {"description": "the OpenAPI document"}},
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an API token from `doorstep staff add` or an admin",
                },
            },
            "parameters": {
                "Limit": {
                    "name": "limit",
                    "in": "query",
                    "description": "how many to return",
                    "schema": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": LARGEST_PAGE,
                        "default": DEFAULT_PAGE,
                    },
                },
                "Offset": {
                    "name": "offset",
                    "in": "query",
                    "description": "how many to skip",
                    "schema": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": common.LARGEST_ID,
                        "default": 0,
                    },
                },
                "TenantId": id_parameter("tenant_id", "tenant"),
                "AreaId": id_parameter("area_id", "area"),
                "MessageId": id_parameter("message_id", "inbound message"),
                "InspectionId": id_parameter("inspection_id", "inspection"),
                "FindingId": id_parameter("finding_id", "finding"),
                "ReportId": id_parameter("report_id", "issue report"),
            },
            "responses": {
                "BadRequest": error("the request is malformed; the reason names the field"),
                "Unauthorized": error("no API token, or one that is not valid or was revoked"),
                "Forbidden": error("the token's owner does not hold the role this needs"),
                "NotFound": error("no such tenant, area, inbox message, inspection or report"),
                "Conflict": error(
                    "the phone number or area name is already taken, or the inspection is "
                    "not in a state that allows this"
                ),
                "TooLarge": error("the request is over 1 MB"),
                "UnsupportedMediaType": error("send text/csv or multipart/form-data"),
                "Unprocessable": error("well formed, but not acceptable; the reason says why"),
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {
                        "error": {"type": "string", "description": "the reason, for a person"},
                        "status": {"type": "integer", "description": "the HTTP status"},
                    },
                },
                "Role": {"type": "string", "enum": list(tenants.ROLES)},
                "Language": {"type": "string", "enum": list(languages())},
                "AreaRef": {
                    "type": "object",
                    "required": ["id", "name"],
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "ChannelIdentity": {
                    "type": "object",
                    "required": ["channel", "address", "reachable"],
                    "properties": {
                        "channel": {"type": "string", "enum": [c.value for c in Channel]},
                        "address": {
                            "type": "string",
                            "description": "an E.164 number (SMS, calls) or a Telegram chat id",
                        },
                        "reachable": {"type": "boolean"},
                    },
                },
                "Tenant": {
                    "type": "object",
                    "required": [
                        "id",
                        "name",
                        "phone",
                        "area",
                        "area_text",
                        "tenancy",
                        "language",
                        "roles",
                        "verified",
                        "registered",
                        "landline_only",
                        "channels",
                        "created_at",
                    ],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": ["string", "null"]},
                        "phone": {"type": ["string", "null"], "description": "E.164"},
                        "area": nullable(schema("AreaRef")),
                        "area_text": {
                            "type": ["string", "null"],
                            "description": "the estate as the tenant typed it when registering",
                        },
                        "tenancy": {"type": ["string", "null"]},
                        "language": {"type": "string"},
                        "roles": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": (
                                "mystery_shopper only for a token whose owner an admin let "
                                "see mystery shoppers"
                            ),
                        },
                        "verified": {"type": "boolean"},
                        "registered": {"type": "boolean"},
                        "landline_only": {"type": "boolean"},
                        "channels": {"type": "array", "items": schema("ChannelIdentity")},
                        "created_at": {"type": "string", "format": "date-time"},
                    },
                },
                "NewTenant": {
                    "type": "object",
                    "required": ["name", "phone"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": tenants.LONGEST_NAME,
                        },
                        "phone": {
                            "type": "string",
                            "maxLength": tenants.LONGEST_PHONE,
                            "description": "any usual UK form; stored as E.164",
                            "example": "07700 900123",
                        },
                        "area_id": {"type": ["integer", "null"], "minimum": 1},
                        "tenancy": {
                            "type": ["string", "null"],
                            "maxLength": tenants.LONGEST_TENANCY,
                            "description": "the tenancy reference; one household shares it",
                        },
                        "language": schema("Language"),
                        "roles": ROLES_GIVEN,
                        "landline_only": {"type": "boolean", "default": False},
                    },
                },
                "TenantChanges": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "name": {
                            "type": "string",
                            "minLength": 1,
                            "maxLength": tenants.LONGEST_NAME,
                        },
                        "phone": {"type": "string", "maxLength": tenants.LONGEST_PHONE},
                        "area_id": {"type": ["integer", "null"], "minimum": 1},
                        "tenancy": {
                            "type": ["string", "null"],
                            "maxLength": tenants.LONGEST_TENANCY,
                        },
                        "language": schema("Language"),
                        "roles": ROLES_GIVEN,
                        "landline_only": {"type": "boolean"},
                        "verified": {"type": "boolean"},
                    },
                },
                "TenantPage": page_of("Tenant"),
                "ImportReport": {
                    "type": "object",
                    "required": ["added", "updated", "rejected", "summary"],
                    "properties": {
                        "added": {"type": "array", "items": {"type": "integer"}},
                        "updated": {"type": "array", "items": {"type": "integer"}},
                        "rejected": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["line", "reason"],
                                "properties": {
                                    "line": {"type": "integer"},
                                    "reason": {"type": "string"},
                                },
                            },
                        },
                        "summary": {"type": "string"},
                    },
                },
                "Area": {
                    "type": "object",
                    "required": [
                        "id",
                        "name",
                        "postcode_prefixes",
                        "homes",
                        "tenants",
                        "created_at",
                    ],
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string"},
                        "postcode_prefixes": {"type": "array", "items": {"type": "string"}},
                        "homes": {"type": "integer", "minimum": 0},
                        "tenants": {"type": "integer", "minimum": 0},
                        "created_at": {"type": "string", "format": "date-time"},
                    },
                },
                "NewArea": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": areas.LONGEST_NAME},
                        "postcode_prefixes": {
                            "type": "array",
                            "items": {"type": "string", "example": "KY1"},
                        },
                        "homes": {"type": "integer", "minimum": 0, "maximum": areas.MOST_HOMES},
                    },
                },
                "AreaChanges": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": areas.LONGEST_NAME},
                        "postcode_prefixes": {"type": "array", "items": {"type": "string"}},
                        "homes": {"type": "integer", "minimum": 0, "maximum": areas.MOST_HOMES},
                    },
                },
                "AreaPage": page_of("Area"),
                "Message": {
                    "type": "object",
                    "required": [
                        "id",
                        "direction",
                        "tenant_id",
                        "channel",
                        "address",
                        "body",
                        "time",
                        "status",
                        "in_reply_to",
                        "sent_by_staff_id",
                    ],
                    "properties": {
                        "id": {"type": "integer", "description": "unique within its direction"},
                        "direction": {"type": "string", "enum": ["in", "out"]},
                        "tenant_id": {"type": ["integer", "null"]},
                        "channel": {"type": "string"},
                        "address": {"type": "string"},
                        "body": {"type": "string"},
                        "time": {
                            "type": "string",
                            "format": "date-time",
                            "description": "received, or queued for outbound",
                        },
                        "status": {
                            "description": "delivery status of an outbound message; null inbound",
                            "anyOf": [
                                {"type": "string", "enum": [s.value for s in OutboxStatus]},
                                {"type": "null"},
                            ],
                        },
                        "in_reply_to": {
                            "type": ["integer", "null"],
                            "description": "the inbound message an outbound one answers",
                        },
                        "sent_by_staff_id": {
                            "type": ["integer", "null"],
                            "description": "the staff member who typed this reply, if one did",
                        },
                    },
                },
                "MessagePage": page_of("Message"),
                "InboxItem": {
                    "type": "object",
                    "required": [
                        "id",
                        "tenant",
                        "channel",
                        "address",
                        "body",
                        "received_at",
                        "state",
                    ],
                    "properties": {
                        "id": {"type": "integer"},
                        "tenant": nullable(
                            {
                                "type": "object",
                                "required": ["id", "name"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "name": {"type": ["string", "null"]},
                                },
                            }
                        ),
                        "channel": {"type": "string"},
                        "address": {"type": "string"},
                        "body": {"type": "string"},
                        "received_at": {"type": "string", "format": "date-time"},
                        "state": {"type": "string", "enum": list(inbox.STATES)},
                    },
                },
                "InboxPage": page_of("InboxItem"),
                "CheckIn": {
                    "type": "object",
                    "required": [
                        "id",
                        "month",
                        "shopper",
                        "channel",
                        "started_at",
                        "finished_at",
                        "service",
                        "when_used",
                        "ease",
                        "respect",
                        "sorted_out",
                        "what_happened",
                        "improve",
                    ],
                    "properties": {
                        "id": {"type": "integer"},
                        "month": {"type": "string", "description": "YYYY-MM"},
                        "shopper": nullable(
                            {
                                "type": "object",
                                "required": ["id", "name"],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "name": {"type": ["string", "null"]},
                                },
                            }
                        ),
                        "channel": {"type": ["string", "null"]},
                        "started_at": nullable(SHOPPER_TIME),
                        "finished_at": nullable(SHOPPER_TIME),
                        "service": {"type": ["string", "null"]},
                        "when_used": {"type": ["string", "null"]},
                        "ease": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                        "respect": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                        "sorted_out": {"type": ["string", "null"]},
                        "what_happened": {"type": ["string", "null"]},
                        "improve": {"type": ["string", "null"]},
                    },
                },
                "CheckInPage": page_of("CheckIn"),
                "MysteryShopSummary": {
                    "type": "object",
                    "required": ["year", "responses", "months", "results"],
                    "properties": {
                        "year": {"type": "integer"},
                        "responses": {"type": "integer", "description": "finished check-ins"},
                        "months": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["month", "finished", "asked"],
                                "properties": {
                                    "month": {"type": "string"},
                                    "finished": {"type": "integer"},
                                    "asked": {"type": "integer"},
                                },
                            },
                        },
                        "results": {
                            "type": "array",
                            "description": "finished check-ins per month and service",
                            "items": {
                                "type": "object",
                                "required": [
                                    "month",
                                    "service",
                                    "responses",
                                    "average_ease",
                                    "average_respect",
                                    "sorted_yes",
                                    "sorted_partly",
                                    "sorted_no",
                                ],
                                "properties": {
                                    "month": {"type": "string"},
                                    "service": {"type": "string"},
                                    "responses": {"type": "integer"},
                                    "average_ease": {"type": ["number", "null"]},
                                    "average_respect": {"type": ["number", "null"]},
                                    "sorted_yes": {"type": "integer"},
                                    "sorted_partly": {"type": "integer"},
                                    "sorted_no": {"type": "integer"},
                                },
                            },
                        },
                    },
                },
                "Reply": {
                    "type": "object",
                    "required": ["text"],
                    "additionalProperties": False,
                    "properties": {
                        "text": {
                            "type": "string",
                            "maxLength": inbox.LONGEST_REPLY,
                            "description": "at most two texts (306 plain characters) on SMS",
                        },
                    },
                },
                "Erasure": {
                    "type": "object",
                    "required": ["erased", "deleted", "kept_anonymous"],
                    "properties": {
                        "erased": {"type": "integer"},
                        "deleted": {
                            "type": "object",
                            "description": "rows deleted, by table",
                            "additionalProperties": {"type": "integer"},
                        },
                        "kept_anonymous": {
                            "type": "object",
                            "description": "rows kept without the tenant, by table",
                            "additionalProperties": {"type": "integer"},
                        },
                    },
                },
                "TenantRecord": {
                    "type": "object",
                    "required": ["tenant"],
                    "properties": {"tenant": {"type": "object"}},
                    "additionalProperties": {"type": "array", "items": {"type": "object"}},
                },
                **inspection_schemas(),
                **{name: shape for part in PARTS for name, shape in part.schemas().items()},
            },
        },
    }


def inspection_paths() -> dict[str, Schema]:
    """Estate inspections, their findings, the issue reports for them, and a year's figures."""
    changes = refusals(403, 404, 409)
    return {
        "/api/v1/inspections": {
            "get": {
                "operationId": "listInspections",
                "tags": ["inspections"],
                "summary": "Inspections, latest walk first; filtered and paged",
                "parameters": [
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(inspections.STATUSES)},
                    },
                    {
                        "name": "area_id",
                        "in": "query",
                        "description": "only walks of this area",
                        "schema": {"type": "integer", "minimum": 1, "maximum": common.LARGEST_ID},
                    },
                    ref("parameters", "Limit"),
                    ref("parameters", "Offset"),
                ],
                "responses": {
                    "200": json_response("a page of inspections", schema("InspectionPage")),
                    **refusals(400),
                },
            },
            "post": {
                "operationId": "createInspection",
                "tags": ["inspections"],
                "summary": "Book a walk (officer); its notice and reminder are scheduled",
                "description": (
                    "The area's tenants get a notice and a reminder the configured days "
                    "before. Reports already waiting in the area are attached to the walk "
                    "if it is the area's next. 422 for a time without a zone or in the past, "
                    "or an area that does not exist."
                ),
                "requestBody": json_body(schema("NewInspection")),
                "responses": {
                    "201": json_response("booked", schema("InspectionDetails"), headers=CREATED),
                    **refusals(400, 403, 413, 422),
                },
            },
        },
        "/api/v1/inspections/{inspection_id}": {
            "parameters": [ref("parameters", "InspectionId")],
            "get": {
                "operationId": "getInspection",
                "tags": ["inspections"],
                "summary": "One walk with its RSVPs, the reports it was given and its findings",
                "responses": {
                    "200": json_response("the inspection", schema("InspectionDetails")),
                    **refusals(404),
                },
            },
            "patch": {
                "operationId": "changeInspection",
                "tags": ["inspections"],
                "summary": "Change the time, place, officer or notes of a scheduled walk (officer)",
                "description": (
                    "A new time replaces the notice and reminder. Tenants already told "
                    "hear of a new time or place. 409 unless the walk is scheduled."
                ),
                "requestBody": json_body(schema("InspectionChanges")),
                "responses": {
                    "200": json_response("the inspection as now", schema("InspectionDetails")),
                    **refusals(400, 403, 404, 409, 413, 422),
                },
            },
        },
        "/api/v1/inspections/{inspection_id}/cancel": {
            "post": {
                "operationId": "cancelInspection",
                "tags": ["inspections"],
                "summary": "Call a scheduled walk off (officer); tenants already told hear so",
                "description": "Its reports move on to the area's next walk.",
                "parameters": [ref("parameters", "InspectionId")],
                "responses": {
                    "200": json_response("the cancelled inspection", schema("InspectionDetails")),
                    **changes,
                },
            },
        },
        "/api/v1/inspections/{inspection_id}/close": {
            "post": {
                "operationId": "closeInspection",
                "tags": ["inspections"],
                "summary": "Close a walk that has happened, its findings recorded (officer)",
                "description": (
                    "The area's tenants get a short summary and each reporter hears the "
                    "outcome of their report. 409 unless it is scheduled and its time has come."
                ),
                "parameters": [ref("parameters", "InspectionId")],
                "responses": {
                    "200": json_response("the closed inspection", schema("InspectionDetails")),
                    **changes,
                },
            },
        },
        "/api/v1/inspections/{inspection_id}/findings": {
            "post": {
                "operationId": "addInspectionFinding",
                "tags": ["inspections"],
                "summary": "Record what a scheduled walk found and the action agreed (officer)",
                "description": "422 when a report named is not one of this walk's or is answered.",
                "parameters": [ref("parameters", "InspectionId")],
                "requestBody": json_body(schema("NewFinding")),
                "responses": {
                    "201": json_response("recorded", schema("Finding"), headers=CREATED),
                    **refusals(400, 403, 404, 409, 413, 422),
                },
            },
        },
        "/api/v1/inspections/{inspection_id}/findings/{finding_id}/done": {
            "post": {
                "operationId": "markFindingDone",
                "tags": ["inspections"],
                "summary": "The finding's action is done (officer); its reporters hear so, once",
                "description": "409 unless the walk is closed; marking it twice changes nothing.",
                "parameters": [ref("parameters", "InspectionId"), ref("parameters", "FindingId")],
                "responses": {
                    "200": json_response("the finding", schema("Finding")),
                    **changes,
                },
            },
        },
        "/api/v1/inspections/report": {
            "get": {
                "operationId": "getInspectionFigures",
                "tags": ["inspections"],
                "summary": "A year's walks held, reports received and actions done on time",
                "description": "Per walk closed in the year (local time), and summed per area.",
                "parameters": [
                    {
                        "name": "year",
                        "in": "query",
                        "description": "the year; this year when left out",
                        "schema": {
                            "type": "integer",
                            "minimum": inspections.FIRST_YEAR,
                            "maximum": inspections.LAST_YEAR,
                        },
                    },
                ],
                "responses": {
                    "200": json_response("the year's figures", schema("InspectionFigures")),
                    **refusals(400),
                },
            },
        },
        "/api/v1/issue-reports": {
            "get": {
                "operationId": "listIssueReports",
                "tags": ["issue reports"],
                "summary": "Tenants' issue reports, newest first; filtered and paged",
                "parameters": [
                    {
                        "name": "area_id",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": common.LARGEST_ID},
                    },
                    {
                        "name": "inspection_id",
                        "in": "query",
                        "description": "only those attached to this walk",
                        "schema": {"type": "integer", "minimum": 1, "maximum": common.LARGEST_ID},
                    },
                    {
                        "name": "waiting",
                        "in": "query",
                        "description": "only those no walk has taken yet",
                        "schema": {"type": "boolean", "default": False},
                    },
                    ref("parameters", "Limit"),
                    ref("parameters", "Offset"),
                ],
                "responses": {
                    "200": json_response("a page of reports", schema("IssueReportPage")),
                    **refusals(400),
                },
            },
        },
        "/api/v1/issue-reports/{report_id}": {
            "get": {
                "operationId": "getIssueReport",
                "tags": ["issue reports"],
                "summary": "One issue report",
                "parameters": [ref("parameters", "ReportId")],
                "responses": {
                    "200": json_response("the report", schema("IssueReport")),
                    **refusals(404),
                },
            },
        },
    }


def inspection_schemas() -> dict[str, Schema]:
    moment = {"type": "string", "format": "date-time"}
    optional_moment = nullable(moment)
    counts = {
        "reports": {"type": "integer", "minimum": 0, "description": "received before the walk"},
        "actions": {"type": "integer", "minimum": 0, "description": "findings with an action"},
        "done": {"type": "integer", "minimum": 0},
        "done_on_time": {"type": "integer", "minimum": 0},
    }
    inspection_fields = {
        "starts_at": {
            **moment,
            "description": "with its offset or Z; a time without a zone is refused",
            "example": "2026-03-10T10:30:00Z",
        },
        "meeting_point": {"type": "string", "minLength": 1, "maxLength": LONGEST_PLACE},
        "officer": {"type": ["string", "null"], "maxLength": inspections.LONGEST_OFFICER},
        "notes": {"type": ["string", "null"], "maxLength": inspections.LONGEST_NOTES},
    }
    return {
        "Inspection": {
            "type": "object",
            "required": [
                "id",
                "area",
                "status",
                "starts_at",
                "local_starts_at",
                "meeting_point",
                "officer",
                "notes",
                "notice_days",
                "reminder_days",
                "notice_sent_at",
                "reminder_sent_at",
                "cancelled_at",
                "closed_at",
                "created_at",
                "updated_at",
                "rsvps",
                "report_count",
            ],
            "properties": {
                "id": {"type": "integer"},
                "area": schema("AreaRef"),
                "status": {"type": "string", "enum": list(inspections.STATUSES)},
                "starts_at": {**moment, "description": "UTC"},
                "local_starts_at": {**moment, "description": "the same moment, local time"},
                "meeting_point": {"type": "string"},
                "officer": {"type": "string"},
                "notes": {"type": "string"},
                "notice_days": {"type": "integer", "description": "days before the notice goes"},
                "reminder_days": {"type": "integer"},
                "notice_sent_at": optional_moment,
                "reminder_sent_at": optional_moment,
                "cancelled_at": optional_moment,
                "closed_at": optional_moment,
                "created_at": moment,
                "updated_at": moment,
                "rsvps": {
                    "type": "object",
                    "required": ["coming", "not_coming"],
                    "properties": {
                        "coming": {"type": "integer", "minimum": 0},
                        "not_coming": {"type": "integer", "minimum": 0},
                    },
                },
                "report_count": {"type": "integer", "minimum": 0},
            },
        },
        "InspectionDetails": {
            "allOf": [
                schema("Inspection"),
                {
                    "type": "object",
                    "required": ["reports", "findings"],
                    "properties": {
                        "reports": {"type": "array", "items": schema("IssueReport")},
                        "findings": {"type": "array", "items": schema("Finding")},
                    },
                },
            ],
        },
        "InspectionPage": page_of("Inspection"),
        "NewInspection": {
            "type": "object",
            "required": ["area_id", "starts_at", "meeting_point"],
            "additionalProperties": False,
            "properties": {
                "area_id": {"type": "integer", "minimum": 1},
                **inspection_fields,
            },
        },
        "InspectionChanges": {
            "type": "object",
            "additionalProperties": False,
            "properties": inspection_fields,
        },
        "Finding": {
            "type": "object",
            "required": [
                "id",
                "inspection_id",
                "found",
                "action",
                "responsible",
                "due_on",
                "done_at",
                "reports",
                "created_at",
            ],
            "properties": {
                "id": {"type": "integer"},
                "inspection_id": {"type": "integer"},
                "found": {"type": "string"},
                "action": {"type": "string"},
                "responsible": {"type": "string"},
                "due_on": nullable({"type": "string", "format": "date"}),
                "done_at": optional_moment,
                "reports": {
                    "type": "array",
                    "description": "the reports this finding answers",
                    "items": {
                        "type": "object",
                        "required": ["id", "reference"],
                        "properties": {
                            "id": {"type": "integer"},
                            "reference": {"type": "string", "example": "R-1042"},
                        },
                    },
                },
                "created_at": moment,
            },
        },
        "NewFinding": {
            "type": "object",
            "required": ["found"],
            "additionalProperties": False,
            "properties": {
                "found": {"type": "string", "minLength": 1, "maxLength": LONGEST_WORDS},
                "action": {"type": ["string", "null"], "maxLength": LONGEST_WORDS},
                "responsible": {
                    "type": ["string", "null"],
                    "maxLength": inspections.LONGEST_RESPONSIBLE,
                },
                "due_on": nullable({"type": "string", "format": "date"}),
                "report_ids": {
                    "type": "array",
                    "maxItems": inspections.MOST_REPORTS,
                    "items": {"type": "integer", "minimum": 1, "maximum": common.LARGEST_ID},
                    "description": "reports attached to this walk that the finding answers",
                },
            },
        },
        "IssueReport": {
            "type": "object",
            "required": [
                "id",
                "reference",
                "tenant",
                "area_id",
                "inspection_id",
                "finding_id",
                "category",
                "location",
                "description",
                "photo_ids",
                "channel",
                "created_at",
                "outcome_told_at",
                "done_told_at",
            ],
            "properties": {
                "id": {"type": "integer"},
                "reference": {"type": "string", "example": "R-1042"},
                "tenant": nullable(
                    {
                        "type": "object",
                        "required": ["id", "name"],
                        "properties": {
                            "id": {"type": "integer"},
                            "name": {"type": ["string", "null"]},
                        },
                    }
                ),
                "area_id": {"type": ["integer", "null"]},
                "inspection_id": {"type": ["integer", "null"]},
                "finding_id": {"type": ["integer", "null"]},
                "category": {"type": "string"},
                "location": {"type": "string"},
                "description": {"type": "string"},
                "photo_ids": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Telegram file ids; the console shows the images",
                },
                "channel": {"type": "string"},
                "created_at": moment,
                "outcome_told_at": optional_moment,
                "done_told_at": optional_moment,
            },
        },
        "IssueReportPage": page_of("IssueReport"),
        "InspectionFigures": {
            "type": "object",
            "required": ["year", "areas", "inspections"],
            "properties": {
                "year": {"type": "integer"},
                "areas": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["area", "held", *counts, "on_time_rate"],
                        "properties": {
                            "area": schema("AreaRef"),
                            "held": {"type": "integer", "minimum": 0},
                            **counts,
                            "on_time_rate": {
                                "type": ["number", "null"],
                                "description": "done on time over actions; null with no actions",
                            },
                        },
                    },
                },
                "inspections": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": [
                            "inspection_id",
                            "area",
                            "starts_at",
                            "local_starts_at",
                            *counts,
                        ],
                        "properties": {
                            "inspection_id": {"type": "integer"},
                            "area": schema("AreaRef"),
                            "starts_at": moment,
                            "local_starts_at": moment,
                            **counts,
                        },
                    },
                },
            },
        },
    }
