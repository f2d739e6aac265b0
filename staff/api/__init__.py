"""The REST API under /api/v1, for the housing management system.

Every request carries ``Authorization: Bearer <token>`` (made by ``doorstep
staff add`` or an admin in the console); tokens are stored hashed and can be
revoked. Errors are JSON with a reason. The OpenAPI document at
/api/v1/openapi.json describes every route, and a test holds it to that.
Each resource is a module with its own blueprint nested under this one.
"""

from __future__ import annotations

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
from staff.context import clock, sessions

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = frozenset({"api.openapi.document"})


@blueprint.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
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
    openapi,
)
for resource in RESOURCES:
    blueprint.register_blueprint(resource.blueprint)


def init_app(app: Flask) -> None:
    """Register the API; tokens, not cookies, so CSRF does not apply to it."""
    for exempt in (blueprint, *(resource.blueprint for resource in RESOURCES)):
        app.extensions["csrf"].exempt(exempt)
    app.register_blueprint(blueprint)
