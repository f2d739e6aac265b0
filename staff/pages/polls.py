"""Console pages: polls."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("polls", __name__, url_prefix="/staff/polls")
