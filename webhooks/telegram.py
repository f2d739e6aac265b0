"""Telegram's webhook: the secret header checked in constant time, then the update answered.

A button press is acknowledged in the webhook's own response (Telegram lets a
webhook answer with one method call), so the tenant's spinner stops without an
extra request; the replies themselves go through the outbox.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from channels.telegram import NotAnUpdate, parse_update
from webhooks.context import receiver, unavailable_when_database_is_down

blueprint = Blueprint("telegram", __name__, url_prefix="/webhooks")


@blueprint.post("/telegram")
@unavailable_when_database_is_down
def inbound_update() -> ResponseReturnValue:
    expected = current_app.config["TELEGRAM_WEBHOOK_SECRET"]
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(403, "missing or bad X-Telegram-Bot-Api-Secret-Token")
    try:
        data: Any = request.get_json(silent=True)
    except RecursionError:
        abort(400, "the body is nested too deeply")
    if not isinstance(data, dict):
        abort(400, "the body must be a JSON object")
    try:
        message = parse_update(data)
    except NotAnUpdate:
        abort(400, "the body is not a Telegram update")
    if message is not None:
        receiver().receive(message)
    query = data.get("callback_query")
    if isinstance(query, dict) and query.get("id"):
        return jsonify(method="answerCallbackQuery", callback_query_id=str(query["id"]))
    return jsonify({})
