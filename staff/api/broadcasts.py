"""The broadcasts resource of the API."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("broadcasts", __name__)
