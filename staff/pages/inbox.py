"""Console pages: inbox."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("inbox", __name__, url_prefix="/staff/inbox")


@blueprint.get("/")
def index() -> str:
    return ""
