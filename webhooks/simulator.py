"""The phone simulator: type as a tenant and see exactly what a basic phone would show,
or call as a landline-only tenant and answer with the keypad.

It goes through the same engine as SMS (channel ``sms``) and the same call handling as
Twilio Voice (channel ``voice``), so a demo or a training session is the real thing
without Twilio. Off on any https site.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from twilio.twiml.voice_response import Say, VoiceResponse

from bot.catalogue import DEFAULT_LANGUAGE
from bot.messages import InboundMessage
from bot.sms import count_segments
from channels.presentations import SMS
from channels.twilio_voice import VOICES
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
# Where one spoken sentence ends: a full stop, question or exclamation mark (the Arabic
# one too, for Urdu), maybe a closing quote, then a space; or the full stops of Chinese,
# Urdu and Punjabi, and the full-width marks, which need no space after them.
_ENDS = r"[.?!\u2026\u061f]"
SENTENCE_END = re.compile(
    rf"(?:(?<={_ENDS})|(?<={_ENDS}[\"'\u201d\u2019)]))\s+|(?<=[\u3002\uff1f\uff01\u06d4\u0964])\s*"
)
SPOKEN_AS = {twilio: ours for ours, (twilio, _voice) in VOICES.items()}  # "cmn-CN": "zh"


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
    spoken: list[Say] = []
    waits: dict[str, Any] = {"wait": "end", "query": None}
    for verb in said.verbs:
        spoken += [verb] if isinstance(verb, Say) else []
        if verb.name == "Gather":
            spoken += [say for say in verb.verbs if isinstance(say, Say)]
            wait = "key" if verb.attrs.get("numDigits") == 1 else "number"
            waits = {"wait": wait, "query": _query(verb.attrs["action"])}
            break
        if verb.name == "Record":
            skip = next(v.value for v in said.verbs if v.name == "Redirect")
            query, skip_query = _query(verb.attrs["action"]), _query(skip)
            waits = {"wait": "voice", "query": query, "skip_query": skip_query}
            break
        if verb.name == "Hangup":
            break
    return {"said": _sentences(spoken), "language": _language(spoken), **waits}


def _sentences(spoken: list[Say]) -> list[str]:
    """Each sentence on a line of its own, so the question and each "For X, press N." can
    be read, or listened to with a screen reader, one at a time, in the order said."""
    return [line for say in spoken for line in SENTENCE_END.split(say.value) if line]


def _language(spoken: list[Say]) -> str:
    """The language the call speaks (one call speaks one), as a page's ``lang`` names it."""
    said_in = spoken[0].attrs.get("language") if spoken else None
    return SPOKEN_AS.get(str(said_in), DEFAULT_LANGUAGE)


def _query(action: str) -> str:
    return action.partition("?")[2]
