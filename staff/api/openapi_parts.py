"""The building blocks of the OpenAPI document, shared by every resource's part of it."""

from __future__ import annotations

from typing import Any

from staff.api import common

Schema = dict[str, Any]
CREATED = {"Location": {"description": "where to read it", "schema": {"type": "string"}}}


def ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def schema(name: str) -> Schema:
    return ref("schemas", name)


def nullable(of: Schema) -> Schema:
    return {"anyOf": [of, {"type": "null"}]}


def json_response(description: str, of: Schema, **extra: Any) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": of}}, **extra}


def json_body(of: Schema) -> Schema:
    return {"required": True, "content": {"application/json": {"schema": of}}}


def refusals(*codes: int) -> dict[str, Schema]:
    """The error responses an operation can give, each ``{"error": reason, "status": code}``."""
    names = {
        400: "BadRequest",
        401: "Unauthorized",
        403: "Forbidden",
        404: "NotFound",
        409: "Conflict",
        413: "TooLarge",
        415: "UnsupportedMediaType",
        422: "Unprocessable",
    }
    return {str(code): ref("responses", names[code]) for code in (401, *codes)}


def page_of(item: str) -> Schema:
    return {
        "type": "object",
        "required": ["items", "total", "limit", "offset"],
        "properties": {
            "items": {"type": "array", "items": schema(item)},
            "total": {"type": "integer", "minimum": 0, "description": "all that match"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
        },
    }


def id_parameter(name: str, what: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"the {what}'s id",
        "schema": {"type": "integer", "minimum": 1, "maximum": common.LARGEST_ID},
    }


def error(description: str) -> Schema:
    return json_response(description, schema("Error"))
