"""API resource: tenants."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("tenants", __name__)
