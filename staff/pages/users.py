"""Console pages: users."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("users", __name__, url_prefix="/staff/users")


@blueprint.get("/")
def index() -> str:
    return ""
