"""Joining a Telegram chat to a tenant: share a verified contact, or type a one-time code.

A tenant we know by phone shares their number (Telegram vouches it is theirs)
or sends the code texted to them; a newcomer just sends their name and signs
up here, with the registration questions.

The chat may be a stranger's until it is linked, so no reply before then names
the tenant, codes are tried under the limits of models/link_codes.py, and the
tenant hears of every chat linked to them by SMS, with the word that undoes it
(UNLINK). A code comes however it is typed ("/start 123456", "Code: 123 456");
anything else with digits in it is neither a code nor a name, and is asked again.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from bot import catalogue
from bot.flow import Answer, Flow, Question, Turn
from bot.flows import registration
from bot.matching import normalise
from bot.notices import queue_notice
from bot.presentation import Trait, kind_with
from models.consent import Topic
from models.link_codes import CODE_LENGTH, redeem_link_code
from models.merging import merge_tenant_into
from models.tenants import (
    InvalidPhoneNumber,
    Tenant,
    ensure_identity,
    find_tenant_by_phone,
    normalise_phone,
)

TELEGRAM_START = re.compile(r"^/start(?:@\w+)?", re.IGNORECASE)
WORDS_AND_NUMBERS = re.compile(r"\d+|[^\W\d_]+")


def begin(turn: Turn) -> str | None:
    """Straight to linking when the first message already carries a code or a contact."""
    if turn.message.shared_phone:
        return _by_phone(turn, turn.message.shared_phone)
    code = typed_code(turn.message.text)
    if code is not None:
        return _by_code(turn, code)
    return "link"


def take_link(turn: Turn, answer: Answer) -> str | None:
    """A contact, a code or a newcomer's name; digits that are neither are asked again."""
    if answer.shared_phone:
        return _by_phone(turn, answer.shared_phone)
    code = typed_code(answer.text)
    if code is not None:
        return _by_code(turn, code)
    if TELEGRAM_START.match(answer.text.strip()):
        return "link"  # /start again: the welcome again, never a name
    if _has_digits(answer.text):
        return "link_again"
    return registration.take_name(turn, answer)


def take_name(turn: Turn, answer: Answer) -> str:
    """A name has no digits: "Flat 2" or a code typed late is asked again, never stored."""
    if _has_digits(answer.text):
        return "name_again"
    return registration.take_name(turn, answer)


def typed_code(text: str) -> str | None:
    """The digits of a message that is only a code, however decorated, else None.

    "123456", "Code: 123 456", "/start 123456" and "kod 123456" are codes (in
    ASCII digits, whatever digits were typed); "Flat 12" is not.
    """
    words = WORDS_AND_NUMBERS.findall(normalise(TELEGRAM_START.sub("", text.strip())))
    code_words = {form.casefold() for form in catalogue.keyword_forms("keyword.code")}
    digits = "".join(word for word in words if word not in code_words)
    if not digits.isdecimal():
        return None
    return "".join(str(unicodedata.decimal(digit)) for digit in digits)


def _has_digits(text: str) -> bool:
    return any(ch.isdecimal() for ch in text)


def _by_code(turn: Turn, code: str) -> str | None:
    if len(code) != CODE_LENGTH:  # cannot be anyone's code: not counted as a try
        turn.say("telegram.code_not_valid")
        return "link"
    tried = redeem_link_code(turn.session, code, chat=turn.identity.address, now=turn.now)
    if tried.wait_until is not None:
        turn.answers["wait_until"] = tried.wait_until.isoformat()
        return "wait"
    if tried.tenant is None:
        turn.say("telegram.code_not_valid")
        return "link"
    return _linked(turn, tried.tenant)


def _by_phone(turn: Turn, shared: str) -> str | None:
    try:  # Telegram often sends the number in international form without its "+"
        phone = normalise_phone(f"+{shared}" if shared.isdigit() else shared)
    except InvalidPhoneNumber:
        turn.say("telegram.not_your_contact")
        return "link"
    known = find_tenant_by_phone(turn.session, phone)
    if known is not None:
        return _linked(turn, known)
    turn.tenant.phone = phone
    ensure_identity(turn.session, turn.tenant, _texting(), phone)
    return "name"


def _linked(turn: Turn, known: Tenant) -> str | None:
    if known.id != turn.tenant.id:
        merge_tenant_into(turn.session, turn.tenant, known)
        turn.tenant = known
        _tell_by_sms(turn, known)
    if not known.registered:
        return "name"
    turn.say("telegram.linked")
    return None


def _tell_by_sms(turn: Turn, tenant: Tenant) -> None:
    """The tenant hears of a new chat on their own phone, with the word that undoes it.

    At once, like a reply: if it was not them, every hour counts.
    """
    texting = _texting()
    phone = next((i for i in tenant.identities if i.channel == texting and i.reachable), None)
    if phone is None:
        return
    text = catalogue.render(
        tenant.language, "telegram.link_notice", landlord=turn.settings.landlord
    )
    queue_notice(
        turn.session,
        tenant=tenant,
        identity=phone,
        text=text,
        topic=Topic.ALL,
        now=turn.now,
        settings=turn.settings,
        urgent=True,
    )


def _wait(turn: Turn) -> dict[str, object]:
    """When the chat may try a code again, to the minute it is true, in local time."""
    until = datetime.fromisoformat(turn.answers.get("wait_until") or turn.now.isoformat())
    if until.second or until.microsecond:
        until = until.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return {"time": f"{until.astimezone(turn.settings.timezone):%H:%M}"}


QUESTIONS = {
    **registration.QUESTIONS,
    "link": Question("telegram.welcome", take_link, asks_for_contact=True),
    "link_again": Question("telegram.link_again", take_link, asks_for_contact=True),
    "wait": Question(
        "telegram.too_many_tries", take_link, asks_for_contact=True, prompt_values=_wait
    ),
    "name": Question("registration.welcome", take_name),
    "name_again": Question("registration.ask_name_again", take_name),
}


def _texting() -> str:
    """The kind of channel that texts a phone number: where a linked chat is told of."""
    return kind_with(Trait.TYPES, Trait.PHONE)


FLOW = Flow(
    name="telegram_link",
    begin=begin,
    questions=QUESTIONS,
    needs=frozenset({Trait.ACCOUNT}),
)
