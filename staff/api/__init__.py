"""The REST API under /api/v1, for the housing management system.

Every request carries ``Authorization: Bearer <token>`` (made by ``doorstep
staff add`` or an admin in the console); tokens are stored hashed and can be
revoked. Every error is ``{"error": reason, "status": code}``. Each resource is a
module with its own blueprint nested under this one. The OpenAPI document at
/api/v1/openapi.json and its interactive page at /api/v1/docs need no token.

The API is schema-first: one marshmallow schema per representation drives
parsing, validation, serialisation and the document, which APIFlask generates;
nothing of the contract is written by hand. To add a resource (``areas`` is the
smallest example):

1. Schemas go in ``staff/api/<resource>_schemas.py`` (``area_schemas.py``), built
   from ``common``: ``Body`` for a request body (unknown fields refused),
   ``Query`` and ``Page`` for query arguments, ``Representation`` for an answer
   (every field documented as always there), ``page_of(Item)`` for a paged list,
   the fields ``Text`` (trimmed, no control characters), ``Count``, ``Moment``,
   ``Ids``, ``AreaRef``, ``TenantRef``. A class's name is its name in the document.
2. In ``staff/api/<resource>.py`` the blueprint is a ``common.Resource`` (its name
   is the tag), registered in ``RESOURCES`` below, and each view reads, from the top::

       @blueprint.patch(f"/{AREA_ID}", endpoint="change")    # AREA_ID = path_id("area_id")
       @blueprint.doc(operation_id="changeArea", responses=refusals(400, 403, 404, 409))
       @api_role("officer")                  # 403 comes before any complaint about input
       @blueprint.input(AreaChanges)         # location="query" for arguments (Page)
       @blueprint.output(Area, description="the area as now")  # headers=Created on a 201
       def change_area(area_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
           # its docstring's first line is the summary: "Change the fields given (officer)"

   The view returns what the output schema reads (a model, or a dict naming the
   models); what a schema cannot judge alone (a name taken: 409, a value well
   formed but not acceptable: 422) stays in the view with ``abort``.
3. Errors: a schema's refusal comes out through ``doorstep.app._explain_invalid``
   as 400 with a reason naming the field (``"name: must be at most 120
   characters"``); ``abort(code, reason)`` in a view through
   ``doorstep.app._explain``. A body that is not one JSON object is 400 "send a
   JSON object" (``Resource.input`` checks it before the schema reads it;
   ``optional=True`` lets a view take no body at all).
4. Tests: the resource's own, ``test_api_openapi.py`` (the document equals the
   routes) and ``test_api_schemathesis.py`` (generated requests to every
   operation: no 5xx, every answer shaped as documented), on both databases.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask
from flask import Blueprint, Flask, abort, g, request

from models.staff import use_token
from staff.api import (
    areas,
    audit,
    broadcasts,
    events,
    inbox,
    inspections,
    issue_reports,
    media,
    messages,
    mystery_shopping,
    polls,
    repairs,
    tenants,
)
from staff.api.common import BODIES_LEFT_OUT, REFUSALS, DictKeysDocumented, Error
from staff.context import clock, sessions
from staff.lookup import LARGEST_ID

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@blueprint.before_request
def _authenticate() -> None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, "send Authorization: Bearer <your API token>")
    with sessions().begin() as db:
        staff = use_token(db, token.strip(), now=clock()())
        if staff is None:
            abort(401, "that API token is not valid or has been revoked")
        g.api_staff_id, g.api_staff_role = staff.id, staff.role


RESOURCES = (
    tenants,
    areas,
    messages,
    inbox,
    mystery_shopping,
    inspections,
    issue_reports,
    media,
    events,
    broadcasts,
    polls,
    repairs,
    audit,
)
for resource in RESOURCES:
    blueprint.register_blueprint(resource.blueprint)

DOCUMENT_SETTINGS: dict[str, Any] = {
    "DESCRIPTION": (
        "Tenants, areas, their messages, the staff inbox, estate inspections and the issue "
        "reports tenants make for them, events, broadcasts, polls and repair surveys, for "
        "the housing management system. Send `Authorization: Bearer <token>` (made by "
        "`doorstep staff add`). Tokens of viewers may read; officers and admins may also "
        'write. Every error is JSON: `{"error": reason, "status": code}`.'
    ),
    "SERVERS": [{"url": "/"}],
    "SECURITY_SCHEMES": {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "an API token from `doorstep staff add` or an admin",
        },
    },
    "VALIDATION_ERROR_STATUS_CODE": 400,
    "VALIDATION_ERROR_DESCRIPTION": REFUSALS[400],
    "VALIDATION_ERROR_SCHEMA": Error,
    "HTTP_ERROR_SCHEMA": Error,
    "NOT_FOUND_DESCRIPTION": REFUSALS[404],
    "AUTO_200_RESPONSE": False,  # a view the API does not describe is not part of it
}
ID_IN_PATH = {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}


def init_app(app: Flask) -> None:
    """Register the API; tokens, not cookies, so CSRF does not apply to it."""
    if not isinstance(app, APIFlask):
        raise TypeError("the API's document is generated by APIFlask: make the app an APIFlask")
    app.config.update(DOCUMENT_SETTINGS)
    app.spec_processor(_complete)
    app.spec_plugins.append(DictKeysDocumented())
    for exempt in (blueprint, *(resource.blueprint for resource in RESOURCES)):
        app.extensions["csrf"].exempt(exempt)
    app.register_blueprint(blueprint)


def _complete(document: Any) -> Any:
    """What APIFlask does not say from the schemas: a token for all, the ids, bodies required."""
    document["security"] = [{"bearerAuth": []}]
    for operation in (op for item in document["paths"].values() for op in item.values()):
        _say_what_is_required(operation)
    return document


def _say_what_is_required(operation: dict[str, Any]) -> None:
    """Every path variable here is a ``path_id`` (APIFlask types only a bare ``<int:...>``),
    and a body a view reads is never optional (``Resource.input`` refuses none with 400)
    unless the view said ``optional=True``."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            parameter.update(required=True, schema=dict(ID_IN_PATH))
    if "requestBody" in operation:
        json_content = operation["requestBody"]["content"].get("application/json", {})  # or a file
        body = json_content.get("schema", {}).get("$ref", "")
        operation["requestBody"]["required"] = body.rsplit("/", 1)[-1] not in BODIES_LEFT_OUT
