"""The phone simulator: type as a tenant and see exactly what a basic phone would show.

It goes through the same engine as SMS, as channel ``sms``, so a demo or a
training session is the real thing without Twilio. Off on any https site.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from bot.messages import InboundMessage
from bot.sms import count_segments
from models.messages import OutboxStatus, thread
from models.tenants import InvalidPhoneNumber, normalise_phone
from webhooks.context import receiver, sessions, unavailable_when_database_is_down

blueprint = Blueprint(
    "simulator",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
)
LONGEST_MESSAGE = 1600  # what Twilio accepts in one inbound SMS


@blueprint.get("/")
def phone() -> str:
    return render_template("simulator.html")


def _phone_from(value: Any) -> str:
    try:
        return normalise_phone(str(value or ""))
    except InvalidPhoneNumber:
        abort(400, "enter a UK mobile number, for example 07700 900123")


@blueprint.post("/send")
@unavailable_when_database_is_down
def send() -> ResponseReturnValue:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "send JSON with phone and text")
    address = _phone_from(data.get("phone"))
    text = str(data.get("text") or "")[:LONGEST_MESSAGE]
    message = InboundMessage(
        channel="sms",
        address=address,
        provider_id=f"SIM{uuid.uuid4().hex}",
        text=text,
    )
    receiver().receive(message, inline_status=OutboxStatus.DELIVERED)
    return {"messages": _thread(address)}


@blueprint.get("/thread")
@unavailable_when_database_is_down
def phone_thread() -> ResponseReturnValue:
    return {"messages": _thread(_phone_from(request.args.get("phone")))}


def _thread(address: str) -> list[dict[str, Any]]:
    with sessions()() as session:
        seen = thread(session, "sms", address)
    return [
        {
            "direction": direction,
            "text": text,
            "at": at.isoformat(),
            "segments": count_segments(text).segments,
            "encoding": count_segments(text).encoding,
        }
        for direction, text, at in seen
    ]
