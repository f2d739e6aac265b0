"""Console pages: repair surveys."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("repairs", __name__, url_prefix="/staff/repairs")
