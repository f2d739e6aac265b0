"""Console pages: tenants."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("tenants", __name__, url_prefix="/staff/tenants")


@blueprint.get("/")
def index() -> str:
    return ""
