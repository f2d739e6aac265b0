"""Console pages: areas."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("areas", __name__, url_prefix="/staff/areas")


@blueprint.get("/")
def index() -> str:
    return ""
