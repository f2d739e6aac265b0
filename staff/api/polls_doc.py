"""The polls part of the OpenAPI document."""

from __future__ import annotations

from bot import catalogue
from models import polls as limits
from staff.api import common, polls
from staff.api.audience_field import audience_schema
from staff.api.openapi_parts import (
    CREATED,
    Schema,
    id_parameter,
    json_body,
    json_response,
    nullable,
    page_of,
    refusals,
    schema,
)

TAGS: tuple[str, ...] = ("polls",)
POLL_ID = id_parameter("poll_id", "poll")
TIME = {"type": "string", "format": "date-time"}
IN_ENGLISH = (
    "A tenant of a language not given gets the English, with a one-line note in their "
    "language saying why."
)


def _other_languages() -> list[str]:
    return [code for code in catalogue.languages() if code != limits.ENGLISH]


def _by_language(of: Schema, description: str) -> Schema:
    return {
        "type": "object",
        "description": description,
        "propertyNames": {"enum": _other_languages()},
        "additionalProperties": of,
    }


def _translation(max_lengths: bool) -> Schema:
    question: Schema = {"type": "string"}
    label: Schema = {"type": "string"}
    if max_lengths:
        question["maxLength"], label["maxLength"] = limits.LONGEST_QUESTION, limits.LONGEST_OPTION
    return {
        "type": "object",
        "required": ["question", "options"],
        "additionalProperties": False,
        "properties": {
            "question": question,
            "options": {
                "type": "array",
                "minItems": 2,
                "maxItems": limits.MOST_OPTIONS,
                "items": label,
                "description": "as many as in English, in the same order (422 otherwise)",
            },
        },
    }


def paths() -> dict[str, Schema]:
    """Polls, their results with coverage, votes entered for tenants, closing, the outcome."""
    return {
        "/api/v1/polls": {
            "get": {
                "operationId": "listPolls",
                "tags": ["polls"],
                "summary": "Polls, latest closing first; paged",
                "parameters": [
                    {"$ref": "#/components/parameters/Limit"},
                    {"$ref": "#/components/parameters/Offset"},
                ],
                "responses": {
                    "200": json_response("a page of polls", schema("PollPage")),
                    **refusals(400),
                },
            },
            "post": {
                "operationId": "createPoll",
                "tags": ["polls"],
                "summary": "Publish a poll (officer); its audience is invited in the window",
                "description": (
                    "The invitation goes to the audience at once, waiting for the sending "
                    "window, as a surveys message with the word to answer (VOTE). The poll "
                    "closes at closes_at; reminder_days before that (0: never) those who "
                    "have not voted get one reminder. 422 when the question and its "
                    "numbered options would not fit 2 SMS, the options are not 2 to 6 "
                    "different labels, the closing time has passed or an area does not exist. "
                    "translations give the question and options in other languages; each "
                    "must fit 2 SMS too and have as many options as in English (422 "
                    "otherwise). " + IN_ENGLISH
                ),
                "requestBody": json_body(schema("NewPoll")),
                "responses": {
                    "201": json_response("published", schema("Poll"), headers=CREATED),
                    **refusals(400, 403, 413, 422),
                },
            },
        },
        "/api/v1/polls/{poll_id}": {
            "parameters": [POLL_ID],
            "get": {
                "operationId": "getPoll",
                "tags": ["polls"],
                "summary": "One poll",
                "responses": {"200": json_response("the poll", schema("Poll")), **refusals(404)},
            },
        },
        "/api/v1/polls/{poll_id}/results": {
            "parameters": [POLL_ID],
            "get": {
                "operationId": "getPollResults",
                "tags": ["polls"],
                "summary": "Votes and percentages per option, and responses per area against homes",
                "responses": {
                    "200": json_response("the results so far", schema("PollResults")),
                    **refusals(404),
                },
            },
        },
        "/api/v1/polls/{poll_id}/votes": {
            "parameters": [POLL_ID],
            "post": {
                "operationId": "recordPollVote",
                "tags": ["polls"],
                "summary": "Record a paper or phone answer on a tenant's behalf (officer)",
                "description": (
                    "It counts as the tenant's vote (their household's, in a poll of one "
                    "vote per household) and replaces any earlier one; the tenant's own "
                    "later vote replaces it in turn. 409 once the poll has closed."
                ),
                "requestBody": json_body(schema("NewPollVote")),
                "responses": {
                    "201": json_response("recorded", schema("PollVote")),
                    **refusals(400, 403, 404, 409, 413, 422),
                },
            },
        },
        "/api/v1/polls/{poll_id}/close": {
            "parameters": [POLL_ID],
            "post": {
                "operationId": "closePoll",
                "tags": ["polls"],
                "summary": "Close an open poll now (officer); no vote counts after",
                "responses": {
                    "200": json_response("the closed poll", schema("Poll")),
                    **refusals(403, 404, 409),
                },
            },
        },
        "/api/v1/polls/{poll_id}/outcome": {
            "parameters": [POLL_ID],
            "post": {
                "operationId": "publishPollOutcome",
                "tags": ["polls"],
                "summary": "Publish what was done (officer); everyone who took part is told",
                "description": (
                    "Once, after the poll has closed (409 otherwise). The outcome and its "
                    "wording must fit 2 SMS in English and in each language given in "
                    "translations (422 otherwise). " + IN_ENGLISH
                ),
                "requestBody": json_body(schema("PollOutcome")),
                "responses": {
                    "200": json_response("the poll with its outcome", schema("PublishedOutcome")),
                    **refusals(400, 403, 404, 409, 413, 422),
                },
            },
        },
    }


def schemas() -> dict[str, Schema]:
    audience = audience_schema(polls.AUDIENCE_PARTS)
    poll: Schema = {
        "type": "object",
        "required": ["id", "question", "options", "audience", "closes_at", "open"],
        "properties": {
            "id": {"type": "integer"},
            "question": {"type": "string"},
            "options": {"type": "array", "items": {"type": "string"}},
            "translations": _by_language(_translation(False), "the poll in other languages"),
            "audience": audience_schema(polls.AUDIENCE_PARTS, shown=True),
            "closes_at": TIME,
            "open": {"type": "boolean", "description": "whether a vote now counts"},
            "per_household": {"type": "boolean"},
            "reminder_days": {"type": "integer"},
            "invited": {"type": "integer", "description": "invitations queued"},
            "reminder_sent_at": nullable(TIME),
            "closed_at": nullable(TIME),
            "outcome": nullable({"type": "string"}),
            "outcome_translations": _by_language(
                {"type": "string"}, "the outcome in other languages"
            ),
            "outcome_published_at": nullable(TIME),
            "created_at": TIME,
        },
    }
    return {
        "Poll": poll,
        "PollPage": page_of("Poll"),
        "PublishedOutcome": {
            **poll,
            "required": [*poll["required"], "told"],
            "properties": {**poll["properties"], "told": {"type": "integer"}},
        },
        "NewPoll": {
            "type": "object",
            "required": ["question", "options", "audience", "closes_at"],
            "additionalProperties": False,
            "properties": {
                "question": {"type": "string", "maxLength": limits.LONGEST_QUESTION},
                "options": {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": limits.MOST_OPTIONS,
                    "items": {"type": "string", "maxLength": limits.LONGEST_OPTION},
                },
                "audience": audience,
                "closes_at": {**TIME, "description": f"with its offset, {common.TIME_EXAMPLE}"},
                "per_household": {"type": "boolean", "default": False},
                "reminder_days": {"type": "integer", "minimum": 0, "maximum": 60, "default": 0},
                "translations": _by_language(
                    _translation(True), "optional: the question and options in other languages"
                ),
            },
        },
        "NewPollVote": {
            "type": "object",
            "required": ["tenant_id", "option", "source"],
            "additionalProperties": False,
            "properties": {
                "tenant_id": {"type": "integer", "minimum": 1},
                "option": {"type": "integer", "minimum": 1, "description": "numbered from 1"},
                "source": {"type": "string", "enum": list(polls.SOURCES)},
            },
        },
        "PollVote": {
            "type": "object",
            "required": ["poll_id", "tenant_id", "option", "source", "replaced"],
            "properties": {
                "poll_id": {"type": "integer"},
                "tenant_id": {"type": "integer"},
                "option": {"type": "integer"},
                "source": {"type": "string"},
                "replaced": {
                    "anyOf": [{"type": "string", "enum": ["own", "household"]}, {"type": "null"}],
                    "description": "the earlier vote replaced: the tenant's or their household's",
                },
            },
        },
        "PollOutcome": {
            "type": "object",
            "required": ["outcome"],
            "additionalProperties": False,
            "properties": {
                "outcome": {"type": "string", "maxLength": limits.LONGEST_OUTCOME},
                "translations": _by_language(
                    {"type": "string", "maxLength": limits.LONGEST_OUTCOME},
                    "optional: the outcome in other languages",
                ),
            },
        },
        "PollResults": {
            "type": "object",
            "required": ["poll_id", "votes", "took_part", "options", "coverage"],
            "properties": {
                "poll_id": {"type": "integer"},
                "votes": {"type": "integer"},
                "took_part": {"type": "integer", "description": "tenants who ever voted"},
                "options": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["number", "label", "votes", "percent"],
                        "properties": {
                            "number": {"type": "integer"},
                            "label": {"type": "string"},
                            "votes": {"type": "integer"},
                            "percent": {"type": "number"},
                        },
                    },
                },
                "coverage": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["area_id", "area", "homes", "responses", "percent"],
                        "properties": {
                            "area_id": nullable({"type": "integer"}),
                            "area": {"type": "string"},
                            "homes": {"type": "integer"},
                            "responses": {"type": "integer"},
                            "percent": nullable({"type": "number"}),
                        },
                    },
                },
            },
        },
    }
