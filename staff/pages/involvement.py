"""Console pages: involvement requests."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("involvement", __name__, url_prefix="/staff/involvement")
