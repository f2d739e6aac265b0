"""A phone call, one request at a time: what the caller pressed in, what the call says out.

Each key press (or voice note) comes back as a new request, numbered by ``step`` so a
retry of the same request is recognised. A key becomes what the tenant would have
texted: 1-9 a choice, star HELP, and any key once a conversation is over, MENU;
0 asks first, and only 0 again is STOP. Where CALL_TRANSFER_NUMBER is set, 9 at the
menu puts the caller through to a person while the sending window is open (the
office's hours). Questions that want words take a voice note (<Record>), kept for
staff. A call that hears nothing asks once more, then says goodbye. A stranger hears
who we are and the number to call, and can leave a voice message for staff. Twilio's
webhook and the simulator's landline both come through here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select
from twilio.twiml.voice_response import VoiceResponse

from bot import catalogue
from bot.flow import Question
from bot.flows import FLOWS
from bot.messages import VOICE_NOTE, InboundMessage, OutboundMessage
from channels.presentations import VOICE, PhoneCalls
from channels.twilio_voice import answered_by_machine, keys, notice_call, record, say
from models.consent import opted_out
from models.conversations import Conversation
from models.messages import OutboundRecord, OutboxStatus
from models.tenants import InvalidPhoneNumber, find_tenant_by_phone, normalise_phone
from webhooks.context import receiver, sessions

LAST_STEP = 500  # no real call presses this many keys
LAST_OUTBOX_ID = 2**63 - 1  # the largest outbox row number a notice call can carry
KEY_WORDS = {"*": "HELP"}
STOP_KEY = "0"  # pressed twice: once to hear what it does, again to mean it
TRANSFER_KEY = "9"  # at the menu, where a person can take the call
# What a key asks of the call itself rather than of the engine.
ASKS_TO_STOP, GOES_BACK, WANTS_A_PERSON = "(asks to stop)", "(goes back)", "(wants a person)"
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
    answered_by: str = ""  # a notice call we placed: who picked up (Twilio's AnsweredBy)
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
    if "notice" in request.args:
        return _notice(request, action)
    caller = _caller(request.number)
    if caller is None:
        return _stranger(request, step, action)
    said = _what_was_said(request, step)
    next_action = f"{action}?step={step + 1}"
    if said is None:  # nothing pressed where a key was due: the call ends kindly
        return _hang_up_after(caller, "voice.no_answer")
    if said == ASKS_TO_STOP:
        return _confirm_stop(caller, next_action)
    if said == GOES_BACK:
        return _respond(caller, _last_said(caller), next_action, greet=False)
    if said == WANTS_A_PERSON:
        return _put_through(caller)
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
    if not digits and args.get("confirm") != "stop":
        return None
    if args.get("confirm") == "stop":  # 0 again stops; anything else, or nothing, goes back
        return "STOP" if digits == STOP_KEY else GOES_BACK
    if digits == STOP_KEY:
        return ASKS_TO_STOP
    if digits == TRANSFER_KEY and args.get("transfer") and _transfer_number():
        return WANTS_A_PERSON
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
    bodies = [row.body for row in replies]
    with sessions()() as session:
        stopped = opted_out(session, caller.tenant_id, VOICE)
        conversation = session.get(Conversation, caller.tenant_id)
        question = _question(conversation) if replies else None
        at_menu = conversation is not None and conversation.flow == "menu"
    if greet:  # a caller who stopped our calls first hears how to start them again
        say(response, _text(caller, "voice.greeting"), language)
        if not stopped:
            say(response, _text(caller, "voice.keys"), language)
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
        if at_menu and _transfer_number() and _office_open():
            action, bodies = f"{action}&transfer=1", [*bodies, _text(caller, "voice.transfer")]
        _ask_for_keys(response, caller, bodies, action, question, replies)
    else:
        for body in bodies:
            say(response, body, language)
        if not _says_how_to_answer(question):
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


def _says_how_to_answer(question: Question) -> bool:
    """A question spoken in words of its own says how to leave the voice note itself."""
    return catalogue.worded(question.prompt, PhoneCalls.wording) != question.prompt


def _confirm_stop(caller: Caller, action: str) -> VoiceResponse:
    """0 is "speak to someone" on many phone menus: stopping every call needs it twice."""
    response = VoiceResponse()
    gather = keys(f"{action}&confirm=stop")
    say(gather, _text(caller, "voice.stop.ask"), caller.language)
    response.append(gather)
    response.redirect(f"{action}&confirm=stop", method="POST")  # no key: back where they were
    return response


def _last_said(caller: Caller) -> list[OutboundRecord]:
    """What the call said last to this tenant, to say again when they go back to it."""
    with sessions()() as session:
        last = session.scalar(
            select(OutboundRecord)
            .where(OutboundRecord.tenant_id == caller.tenant_id, OutboundRecord.channel == VOICE)
            .order_by(OutboundRecord.id.desc())
            .limit(1)
        )
        if last is not None:
            session.expunge(last)
    return [last] if last is not None else []


def _transfer_number() -> str:
    return str(current_app.config.get("CALL_TRANSFER_NUMBER") or "")


def _office_open() -> bool:
    """A person answers the transfer line while the sending window is open."""
    now = receiver().clock()
    return receiver().settings.sending_window.first_moment(now) == now


def _put_through(caller: Caller) -> VoiceResponse:
    response = VoiceResponse()
    say(response, _text(caller, "voice.transfer.connecting"), caller.language)
    response.dial(normalise_phone(_transfer_number()))
    say(response, _text(caller, "voice.transfer.nobody"), caller.language)
    response.hangup()
    return response


def _notice(request: CallRequest, action: str) -> VoiceResponse:
    """A notice call just answered: read to a person; a machine is asked to have them call."""
    reference = request.args["notice"]
    if not reference.isdigit() or int(reference) > LAST_OUTBOX_ID:
        raise BadCallRequest("notice: the number of a call we placed")
    with sessions()() as session:
        row = session.get(OutboundRecord, int(reference))
        if row is None or row.channel != VOICE or row.address != _phone(request.number):
            raise BadCallRequest("notice: not a call we placed to this number")
        notice = OutboundMessage(
            channel=VOICE,
            address=row.address,
            text=row.body,
            reference=reference,
            language=row.choices.get("language", catalogue.DEFAULT_LANGUAGE),
            keyword_on_1=row.choices.get("keyword_on_1"),
        )
    if not answered_by_machine(request.answered_by):
        return notice_call(notice, action)
    response = VoiceResponse()
    settings = receiver().settings
    said = catalogue.render(
        notice.language, "voice.machine", landlord=settings.landlord, contact=settings.contact
    )
    say(response, said, notice.language)
    response.hangup()
    return response


def _stranger(request: CallRequest, step: int, action: str) -> VoiceResponse:
    """Who we are and whom to call; what a stranger says after the tone goes to staff."""
    response, english = VoiceResponse(), catalogue.DEFAULT_LANGUAGE
    phone = _phone(request.number)
    recording = _recording(request)
    if step == 0 or phone is None:
        say(response, _text(None, "voice.stranger"), english)
        if phone is None:  # a withheld number cannot be called back
            response.hangup()
            return response
        say(response, _text(None, "voice.stranger.record"), english)
        record(response, f"{action}?step=1")
        response.redirect(f"{action}?step=1&skipped=1", method="POST")
        return response
    if recording is None:
        return _hang_up_after(None, "voice.goodbye")
    received = receiver().receive(
        InboundMessage(
            channel=VOICE,
            address=phone,
            provider_id=f"{request.call_id}:{step}",
            text=VOICE_NOTE,
            recording_url=recording,
            raw=request.raw,
        ),
        inline_status=OutboxStatus.DELIVERED,
    )
    for row in received.inline:
        say(response, row.body, english)
    response.hangup()
    return response


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
