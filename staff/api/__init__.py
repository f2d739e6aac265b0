"""The REST API under /api/v1, for the housing management system.

Every request carries ``Authorization: Bearer <token>`` (made by ``doorstep
staff add`` or an admin in the console); tokens are stored hashed and can be
revoked. Every error is ``{"error": reason, "status": code}``. Each resource is a
module with its own blueprint nested under this one. The OpenAPI document at
/api/v1/openapi.json and its interactive page at /api/v1/docs need no token.

The API is schema-first: one marshmallow schema per representation drives
parsing, validation, serialisation and the document, which APIFlask generates.
Resources move to that one at a time; ``areas`` is the pattern. To migrate one:

1. Schemas go in ``staff/api/<resource>_schemas.py`` (``area_schemas.py``), built
   from ``common``: ``Body`` for a request body (unknown fields refused),
   ``Query`` and ``Page`` for query arguments, ``Representation`` for an answer
   (every field documented as always there), ``page_of(Item)`` for a paged list,
   the fields ``Text`` (trimmed, no control characters) and ``Count``. A class's
   name is its name in the document: keep the hand-written names (``NewArea``,
   ``AreaChanges``, ``Area``, ``AreaPage``).
2. In ``staff/api/<resource>.py`` the blueprint becomes ``common.Resource``
   (its name is the tag) and each view reads, from the top::

       @blueprint.patch(f"/{AREA_ID}", endpoint="change")    # AREA_ID = path_id("area_id")
       @blueprint.doc(operation_id="changeArea", responses=refusals(400, 403, 404, 409))
       @api_role("officer")                  # 403 comes before any complaint about input
       @blueprint.input(AreaChanges)         # location="query" for arguments (Page)
       @blueprint.output(Area, description="the area as now")  # headers=Created on a 201
       def change_area(area_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
           # its docstring's first line is the summary: "Change the fields given (officer)"

   Keep each operation's hand-written operationId. The view returns what the
   output schema reads (a model, or a dict naming the models) and no longer
   calls ``json_object``, ``text_field``, ``page()`` or a ``*_json`` serialiser;
   what a schema cannot judge alone (a name taken: 409, a value well formed but
   not acceptable: 422) stays in the view with ``abort``.
3. Errors: a schema's refusal comes out through ``doorstep.app._explain_invalid``
   as 400 with a reason naming the field (``"name: must be at most 120
   characters"``); ``abort(code, reason)`` in a view, as before, through
   ``doorstep.app._explain``. A body that is not one JSON object is 400 "send a
   JSON object" (``Resource.input`` checks it before the schema reads it).
4. Delete the resource's paths, parameters and schemas from ``openapi.py`` (or
   its ``*_doc.py`` module, and that module from ``openapi.PARTS``), keeping
   what other hand-written parts still name (``AreaRef``); a path or schema
   documented both ways stops the document being served, so nothing is left behind.
   When ``openapi.py`` holds nothing more, it goes, with ``openapi_parts.py``,
   ``_merge_hand_written`` below and the hand validators in ``common``.
5. Tests: the resource's own tests, ``test_api_openapi.py`` and the resource's
   operations in ``test_api_schemathesis.py``, on both databases; assertions on
   hand-written wording move to the new wording. A test that lists operations
   from ``openapi.openapi_document()`` reads the generated document instead, as
   ``test_api_schemathesis.the_document()`` does.
"""

from __future__ import annotations

import copy
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
    messages,
    mystery_shopping,
    openapi,
    polls,
    repairs,
    tenants,
)
from staff.api.common import LARGEST_ID, REFUSALS, Error
from staff.context import clock, sessions

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
    for exempt in (blueprint, *(resource.blueprint for resource in RESOURCES)):
        app.extensions["csrf"].exempt(exempt)
    app.register_blueprint(blueprint)


def _complete(document: Any) -> Any:
    """What APIFlask does not say from the schemas: a token for all, the ids, bodies required."""
    document["security"] = [{"bearerAuth": []}]
    for operation in (op for item in document["paths"].values() for op in item.values()):
        _say_what_is_required(operation)
    return _merge_hand_written(document)


def _say_what_is_required(operation: dict[str, Any]) -> None:
    """Every path variable here is a ``path_id`` (APIFlask types only a bare ``<int:...>``),
    and a body a view reads is never optional (``Resource.input`` refuses none with 400)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            parameter.update(required=True, schema=dict(ID_IN_PATH))
    if "requestBody" in operation:
        operation["requestBody"]["required"] = True


def _merge_hand_written(document: dict[str, Any]) -> dict[str, Any]:
    """Add the resources still documented by hand (``openapi.py``) until none is left."""
    hand = copy.deepcopy(openapi.openapi_document())
    _add_once(document["paths"], hand["paths"])
    components = document.setdefault("components", {})
    for kind, named in hand["components"].items():
        _add_once(components.setdefault(kind, {}), named)
    generated_tags = document.get("tags", [])
    document["tags"] = [*hand["tags"], *(t for t in generated_tags if t not in hand["tags"])]
    return document


def _add_once(generated: dict[str, Any], by_hand: dict[str, Any]) -> None:
    """A path or component both generated and hand-written is a migration half done."""
    twice = sorted(generated.keys() & by_hand.keys())
    if twice:
        raise RuntimeError(f"{twice} documented both by schema and by hand: see staff.api")
    generated.update(by_hand)
