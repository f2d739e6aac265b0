"""API resource: inbox."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("inbox", __name__)
