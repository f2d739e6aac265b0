"""The phone simulator: type as a tenant and see exactly what a basic phone would show,
or call as a landline-only tenant and answer with the keypad.

It goes through the same engine as SMS (channel ``sms``) and the same call handling as
Twilio Voice (channel ``voice``), so a demo or a training session is the real thing
without Twilio. Off on any https site.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from twilio.twiml.voice_response import VoiceResponse

from bot.messages import InboundMessage
from bot.sms import count_segments
from channels.presentations import SMS
from models.messages import OutboxStatus, thread
from models.tenants import InvalidPhoneNumber, normalise_phone
from webhooks.context import receiver, sessions, unavailable_when_database_is_down
from webhooks.voice_calls import BadCallRequest, CallRequest, answer

blueprint = Blueprint(
    "simulator",
    __name__,
    url_prefix="/simulator",
    template_folder="templates",
    static_folder="static",
)
LONGEST_MESSAGE = 1600  # what Twilio accepts in one inbound SMS
# A voice note left in the simulator: there is no sound, so staff see where it would be.
SIMULATED_VOICE_NOTE = "https://simulator.invalid/voice-note"


@blueprint.get("/")
def phone() -> str:
    return render_template("simulator.html")


def _phone_from(value: Any) -> str:
    try:
        return normalise_phone(str(value or ""))
    except InvalidPhoneNumber:
        abort(400, "enter a UK phone number, for example 07700 900123")


@blueprint.post("/send")
@unavailable_when_database_is_down
def send() -> ResponseReturnValue:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "send JSON with phone and text")
    address = _phone_from(data.get("phone"))
    text = str(data.get("text") or "")[:LONGEST_MESSAGE]
    message = InboundMessage(
        channel=SMS,
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
        seen = thread(session, SMS, address)
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


@blueprint.get("/call")
def landline() -> str:
    return render_template("simulator_call.html")


@blueprint.post("/call")
@unavailable_when_database_is_down
def call_step() -> ResponseReturnValue:
    """One step of a call: the keys pressed (or a voice note) in, what the call says out."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400, "send JSON with phone, call and query")
    call_id = str(data.get("call") or "")
    if not call_id.startswith("SIMCALL") or len(call_id) > 40:
        abort(400, "call: the id the page made when the call began")
    voice_note = f"{SIMULATED_VOICE_NOTE}/{uuid.uuid4().hex}" if data.get("voice_note") else ""
    step = CallRequest(
        call_id=call_id,
        number=_phone_from(data.get("phone")),
        args=dict(parse_qsl(str(data.get("query") or ""))),
        digits=str(data.get("digits") or "")[:8],
        recording_url=voice_note,
    )
    try:
        said = answer(step, url_for("simulator.call_step"))
    except BadCallRequest as problem:
        abort(400, str(problem))
    return heard(said)


def heard(said: VoiceResponse) -> dict[str, Any]:
    """What the caller hears until the call waits for them, and what it waits for.

    The rest of the TwiML (the question again after silence, goodbye) is what Twilio
    plays when nothing is pressed; the simulator's caller always answers.
    """
    words: list[str] = []
    for verb in said.verbs:
        words += [verb.value] if verb.name == "Say" else []
        if verb.name == "Gather":
            words += [spoken.value for spoken in verb.verbs if spoken.name == "Say"]
            wait = "key" if verb.attrs.get("numDigits") == 1 else "number"
            return {"said": words, "wait": wait, "query": _query(verb.attrs["action"])}
        if verb.name == "Record":
            skip = next(v.value for v in said.verbs if v.name == "Redirect")
            query, skip_query = _query(verb.attrs["action"]), _query(skip)
            return {"said": words, "wait": "voice", "query": query, "skip_query": skip_query}
        if verb.name == "Hangup":
            break
    return {"said": words, "wait": "end", "query": None}


def _query(action: str) -> str:
    return action.partition("?")[2]
