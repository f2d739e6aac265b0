"""API resource: openapi."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("openapi", __name__)
