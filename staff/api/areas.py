"""API resource: areas."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("areas", __name__)
