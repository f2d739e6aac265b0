"""Console pages: broadcasts."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("broadcasts", __name__, url_prefix="/staff/broadcasts")
