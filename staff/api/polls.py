"""The polls resource of the API."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("polls", __name__)
