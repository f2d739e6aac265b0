"""API resource: messages."""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("messages", __name__)
