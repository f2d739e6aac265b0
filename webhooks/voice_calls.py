"""A phone call, one request at a time: what the caller pressed in, what the call says out.

Each key press (or voice note) comes back as a new request, numbered by ``step`` so a
retry of the same request is recognised. A key becomes what the tenant would have
texted: 1-9 a choice, 0 STOP, star HELP, and any key once a conversation is over,
MENU. Questions that want words take a voice note (<Record>), kept for staff. A call
that hears nothing asks once more, then says goodbye. Twilio's webhook and the
simulator's landline both come through here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from twilio.twiml.voice_response import VoiceResponse

from bot import catalogue
from bot.flow import VOICE, Question
from bot.flows import FLOWS
from bot.messages import VOICE_NOTE, InboundMessage
from channels.twilio_voice import keys, record, say
from models.consent import opted_out
from models.conversations import Conversation
from models.messages import OutboundRecord, OutboxStatus
from models.tenants import InvalidPhoneNumber, find_tenant_by_phone, normalise_phone
from webhooks.context import receiver, sessions

LAST_STEP = 500  # no real call presses this many keys
KEY_WORDS = {"0": "STOP", "*": "HELP"}
KEYWORD = re.compile(r"[A-Z]{1,12}")
LONGEST_RECORDING_URL = 300


class BadCallRequest(ValueError):
    """A request no call would make: the caller answers it with a 400."""


@dataclass(frozen=True)
class CallRequest:
    """One request of a call, whoever carries it (Twilio, the simulator)."""

    call_id: str
    number: str  # the tenant's end of the line, as given
    args: Mapping[str, str]  # what the last answer's action asked to be sent back
    digits: str = ""
    recording_url: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def step(self) -> int:
        raw = self.args.get("step", "0")
        if not raw.isdigit() or int(raw) > LAST_STEP:
            raise BadCallRequest("step: a small whole number")
        return int(raw)


@dataclass(frozen=True)
class Caller:
    tenant_id: int
    language: str  # the language the call speaks: theirs where Twilio has a voice for it


def answer(request: CallRequest, action: str) -> VoiceResponse:
    """What the call says next; ``action`` is the address key presses are sent back to."""
    step = request.step
    caller = _caller(request.number)
    if caller is None:
        return _hang_up_after(None, "voice.unknown_caller")
    said = _what_was_said(request, step)
    if said is None:  # nothing pressed where a key was due: the call ends kindly
        return _hang_up_after(caller, "voice.no_answer")
    received = receiver().receive(
        InboundMessage(
            channel=VOICE,
            address=_phone(request.number) or "",
            provider_id=f"{request.call_id}:{step}",
            text=said,
            recording_url=_recording(request),
            raw=request.raw,
        ),
        inline_status=OutboxStatus.DELIVERED,
    )
    next_action = f"{action}?step={step + 1}"
    if received.duplicate:  # asked again: offer the menu rather than answer twice
        return _respond(caller, [], next_action, greet=False)
    return _respond(caller, received.inline, next_action, greet=step == 0)


def _phone(raw: str) -> str | None:
    try:
        return normalise_phone(raw)
    except InvalidPhoneNumber:
        return None


def _caller(number: str) -> Caller | None:
    """The tenant whose phone this is; a call cannot sign anybody up, so strangers get None."""
    phone = _phone(number)
    if phone is None:
        return None
    with sessions()() as session:
        tenant = find_tenant_by_phone(session, phone)
        if tenant is None or not tenant.registered:
            return None
        spoken = tenant.language in receiver().settings.spoken_languages
        return Caller(tenant.id, tenant.language if spoken else catalogue.DEFAULT_LANGUAGE)


def _what_was_said(request: CallRequest, step: int) -> str | None:
    """The text the engine gets for this request: a keyword, a choice, a voice note."""
    args = request.args
    if step == 0:
        return "MENU"
    if request.recording_url:
        return VOICE_NOTE
    if args.get("skipped"):
        return "SKIP"
    digits = request.digits.strip().rstrip("#")
    if not digits:
        return None
    on_1 = args.get("on1", "")
    if digits == "1" and KEYWORD.fullmatch(on_1):
        return on_1  # "press 1 to report" on a notice call
    if args.get("then") == "menu":
        return "MENU"
    return KEY_WORDS.get(digits, digits)


def _recording(request: CallRequest) -> str | None:
    url = request.recording_url
    return url[:LONGEST_RECORDING_URL] if url.startswith("https://") else None


def _respond(
    caller: Caller, replies: list[OutboundRecord], action: str, *, greet: bool
) -> VoiceResponse:
    """Say the replies, then wait for what the tenant's position asks for."""
    language, response = caller.language, VoiceResponse()
    if greet:
        say(response, _text(caller, "voice.greeting"), language)
        say(response, _text(caller, "voice.keys"), language)
    bodies = [row.body for row in replies]
    with sessions()() as session:
        stopped = opted_out(session, caller.tenant_id, VOICE)
        question = _question(session.get(Conversation, caller.tenant_id)) if replies else None
    if stopped and bodies:  # they have just pressed 0
        for body in bodies:
            say(response, body, language)
        response.hangup()
    elif stopped:  # they had asked us to stop calling, and now call us: 1 starts again
        gather = keys(f"{action}&on1=START")
        say(gather, _text(caller, "voice.stopped_caller"), language)
        response.append(gather)
        response.hangup()
    elif question is None:
        for body in bodies:
            say(response, body, language)
        gather = keys(f"{action}&then=menu")
        say(gather, _text(caller, "voice.anything_else"), language)
        response.append(gather)
        say(response, _text(caller, "voice.goodbye"), language)
        response.hangup()
    elif question.options or question.keypad:
        _ask_for_keys(response, caller, bodies, action, question, replies)
    else:
        for body in bodies:
            say(response, body, language)
        say(response, _text(caller, "voice.record"), language)
        record(response, action)
        response.redirect(f"{action}&skipped=1", method="POST")
    return response


def _ask_for_keys(
    response: VoiceResponse,
    caller: Caller,
    bodies: list[str],
    action: str,
    question: Question,
    replies: list[OutboundRecord],
) -> None:
    """The question, then the keys; asked once more if no key comes, then goodbye."""
    options = replies[-1].choices.get("options") if replies else None
    one_key = not question.keypad and (options is None or len(options) <= 9)
    for attempt, said in enumerate((bodies, bodies[-1:])):
        if attempt:
            say(response, _text(caller, "voice.again"), caller.language)
        gather = keys(action, digits=1 if one_key else None)
        for body in said:
            say(gather, body, caller.language)
        response.append(gather)
    say(response, _text(caller, "voice.no_answer"), caller.language)
    response.hangup()


def _question(conversation: Conversation | None) -> Question | None:
    if conversation is None:
        return None
    flow = FLOWS.get(conversation.flow)
    return flow.questions.get(conversation.state) if flow else None


def _text(caller: Caller | None, key: str) -> str:
    """A catalogue text in the caller's spoken language (English for a stranger)."""
    settings = receiver().settings
    language = caller.language if caller else catalogue.DEFAULT_LANGUAGE
    return catalogue.render(language, key, landlord=settings.landlord, contact=settings.contact)


def _hang_up_after(caller: Caller | None, key: str) -> VoiceResponse:
    response = VoiceResponse()
    say(response, _text(caller, key), caller.language if caller else catalogue.DEFAULT_LANGUAGE)
    response.hangup()
    return response
