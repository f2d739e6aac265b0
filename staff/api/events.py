"""The events and RSVPs resource of the API."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("events", __name__)
