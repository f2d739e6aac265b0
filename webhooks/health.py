"""GET /healthz: 200 while the database answers, for load balancers and uptime checks."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from webhooks.context import sessions

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> ResponseReturnValue:
    try:
        with sessions()() as session:
            session.execute(text("SELECT 1"))
    except DBAPIError:
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="ok")
