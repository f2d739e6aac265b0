"""Console pages: events and RSVPs."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("events", __name__, url_prefix="/staff/events")
