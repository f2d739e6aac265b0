"""The repair surveys resource of the API."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("repairs", __name__)
