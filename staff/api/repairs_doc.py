"""The repair surveys part of the OpenAPI document."""

from __future__ import annotations

from models.repairs import LONGEST_JOB_TYPE, LONGEST_OUTCOME, LONGEST_REFERENCE
from staff.api import common, repairs
from staff.api.openapi_parts import (
    CREATED,
    Schema,
    id_parameter,
    json_body,
    json_response,
    nullable,
    refusals,
    schema,
)

TAGS: tuple[str, ...] = ("repairs",)
MONTH = {"type": "string", "pattern": "^(19|20|21)[0-9][0-9]-(0[1-9]|1[0-2])$"}
TIME = {"type": "string", "format": "date-time"}


def paths() -> dict[str, Schema]:
    return {
        "/api/v1/repairs": {
            "post": {
                "operationId": "registerRepair",
                "tags": ["repairs"],
                "summary": "Register a finished repair (officer); its survey goes the next day",
                "description": (
                    "Name the tenant by tenant_id or by phone. The job_reference is the "
                    "housing system's own: registering the same job again changes nothing "
                    "and answers 200 with already_registered true. 422 for a tenant not "
                    "found, a time without a zone or in the future."
                ),
                "requestBody": json_body(schema("NewRepair")),
                "responses": {
                    "200": json_response("already registered: unchanged", schema("Repair")),
                    "201": json_response("registered", schema("Repair"), headers=CREATED),
                    **refusals(400, 403, 409, 413, 422),
                },
            },
        },
        "/api/v1/repairs/{repair_id}": {
            "get": {
                "operationId": "getRepair",
                "tags": ["repairs"],
                "summary": "One repair and its survey's answers",
                "parameters": [id_parameter("repair_id", "repair")],
                "responses": {
                    "200": json_response("the repair", schema("Repair")),
                    **refusals(404),
                },
            },
        },
        "/api/v1/repairs/results": {
            "get": {
                "operationId": "repairSurveyResults",
                "tags": ["repairs"],
                "summary": "Survey results by job type and month (the last 12 months by default)",
                "parameters": [
                    {"name": "first_month", "in": "query", "schema": MONTH},
                    {"name": "last_month", "in": "query", "schema": MONTH},
                    {
                        "name": "job_type",
                        "in": "query",
                        "schema": {"type": "string", "minLength": 1, "maxLength": LONGEST_JOB_TYPE},
                    },
                ],
                "responses": {
                    "200": json_response("the results", schema("RepairResults")),
                    **refusals(400),
                },
            },
        },
        "/api/v1/repairs/outcomes": {
            "post": {
                "operationId": "publishRepairOutcome",
                "tags": ["repairs"],
                "summary": "You said, we did (officer): told at once to everyone who answered",
                "description": (
                    "For one job type and a run of months; the tenants who answered a survey "
                    "for those repairs get it in the sending window. 422 for months out of "
                    "order or an empty outcome."
                ),
                "requestBody": json_body(schema("NewRepairOutcome")),
                "responses": {
                    "201": json_response("published", schema("RepairOutcome")),
                    **refusals(400, 403, 413, 422),
                },
            },
        },
    }


def schemas() -> dict[str, Schema]:
    return {
        "NewRepair": {
            "type": "object",
            "required": ["job_reference", "job_type", "completed_at"],
            "additionalProperties": False,
            "properties": {
                "tenant_id": {"type": "integer", "minimum": 1, "maximum": common.LARGEST_ID},
                "phone": {"type": "string", "maxLength": repairs.LONGEST_PHONE},
                "job_reference": {"type": "string", "minLength": 1, "maxLength": LONGEST_REFERENCE},
                "job_type": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": LONGEST_JOB_TYPE,
                    "description": "plumbing, electrical, joinery, heating, roofing, gas, other, "
                    "or a short label of the system's own",
                },
                "completed_at": {**TIME, "description": "with its offset or Z"},
            },
        },
        "Repair": {
            "type": "object",
            "required": ["id", "job_reference", "job_type", "completed_at", "month"],
            "properties": {
                "id": {"type": "integer"},
                "tenant_id": nullable({"type": "integer"}),
                "job_reference": {"type": "string"},
                "job_type": {"type": "string"},
                "completed_at": TIME,
                "month": MONTH,
                "survey_sent_at": nullable(TIME),
                "answered_at": nullable(TIME),
                "satisfaction": nullable({"type": "integer", "minimum": 1, "maximum": 5}),
                "right_first_time": nullable({"type": "boolean"}),
                "already_registered": {"type": "boolean"},
            },
        },
        "RepairFigures": {
            "type": "object",
            "properties": {
                "job_type": {"type": "string"},
                "month": MONTH,
                "surveys_sent": {"type": "integer"},
                "responses": {"type": "integer"},
                "average_satisfaction": nullable({"type": "number"}),
                "right_first_time_percent": nullable({"type": "number"}),
            },
        },
        "RepairResults": {
            "type": "object",
            "required": ["first_month", "last_month", "items"],
            "properties": {
                "first_month": MONTH,
                "last_month": MONTH,
                "items": {"type": "array", "items": schema("RepairFigures")},
            },
        },
        "NewRepairOutcome": {
            "type": "object",
            "required": ["job_type", "first_month", "last_month", "outcome"],
            "additionalProperties": False,
            "properties": {
                "job_type": {"type": "string", "minLength": 1, "maxLength": LONGEST_JOB_TYPE},
                "first_month": MONTH,
                "last_month": MONTH,
                "outcome": {"type": "string", "minLength": 1, "maxLength": LONGEST_OUTCOME},
            },
        },
        "RepairOutcome": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "job_type": {"type": "string"},
                "first_month": MONTH,
                "last_month": MONTH,
                "outcome": {"type": "string"},
                "published_at": nullable(TIME),
                "told": {"type": "integer"},
            },
        },
    }
