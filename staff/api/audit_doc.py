"""The audit log part of the OpenAPI document."""

from __future__ import annotations

from models.audit import Via
from staff.api import audit, common
from staff.api.openapi_parts import Schema, json_response, page_of, refusals, schema

TAGS: tuple[str, ...] = ("audit",)
ID_FILTER = {"type": "integer", "minimum": 1, "maximum": common.LARGEST_ID}


def paths() -> dict[str, Schema]:
    return {
        "/api/v1/audit": {
            "get": {
                "operationId": "listAuditLines",
                "tags": ["audit"],
                "summary": "The audit log (admin), newest first",
                "description": (
                    "Staff actions that touch personal data or what tenants receive. "
                    "staff_id is null for an action taken at the command line. "
                    "No line holds a message body or a phone number."
                ),
                "parameters": [
                    {"name": "staff_id", "in": "query", "schema": ID_FILTER},
                    {"name": "tenant_id", "in": "query", "schema": ID_FILTER},
                    {"name": "action", "in": "query", "schema": {"enum": list(audit.ACTIONS)}},
                    {"$ref": "#/components/parameters/Limit"},
                    {"$ref": "#/components/parameters/Offset"},
                ],
                "responses": {
                    "200": json_response("a page of lines", schema("AuditLinePage")),
                    **refusals(400, 403),
                },
            },
        },
    }


def schemas() -> dict[str, Schema]:
    nullable_id = {"type": ["integer", "null"]}
    return {
        "AuditLine": {
            "type": "object",
            "required": ["id", "at", "staff_id", "action", "via", "tenant_id", "detail"],
            "properties": {
                "id": {"type": "integer"},
                "at": {"type": "string", "format": "date-time"},
                "staff_id": nullable_id,
                "action": {"enum": list(audit.ACTIONS)},
                "via": {"enum": [via.value for via in Via]},
                "tenant_id": nullable_id,
                "detail": {"type": "string", "maxLength": 200},
            },
        },
        "AuditLinePage": page_of("AuditLine"),
    }
