"""Joining a Telegram chat to a tenant: share a verified contact, or type a one-time code.

A tenant we know by phone shares their number (Telegram vouches it is theirs)
or sends the code texted to them; a newcomer just sends their name and signs
up here, with the registration questions.
"""

from __future__ import annotations

from bot.flow import Answer, Flow, Question, Turn
from bot.flows import registration
from models.merging import merge_tenant_into
from models.tenants import (
    Channel,
    InvalidPhoneNumber,
    Tenant,
    ensure_identity,
    find_tenant_by_phone,
    normalise_phone,
    redeem_link_code,
)

CODE_LENGTH = 6


def begin(turn: Turn) -> str | None:
    """Straight to linking when the first message already carries a code or a contact."""
    if turn.message.shared_phone:
        return _by_phone(turn, turn.message.shared_phone)
    payload = turn.message.text.strip().removeprefix("/start").strip()
    if _is_code(payload):
        return _by_code(turn, payload)
    return "link"


def take_link(turn: Turn, answer: Answer) -> str | None:
    if answer.shared_phone:
        return _by_phone(turn, answer.shared_phone)
    said = answer.text.strip()
    if _is_code(said):
        return _by_code(turn, said)
    return registration.take_name(turn, answer)


def _is_code(text: str) -> bool:
    return len(text) == CODE_LENGTH and text.isdigit()


def _by_code(turn: Turn, code: str) -> str | None:
    known = redeem_link_code(turn.session, code, turn.now)
    if known is None:
        turn.say("telegram.code_not_valid")
        return "link"
    return _linked(turn, known)


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
    ensure_identity(turn.session, turn.tenant, Channel.SMS, phone)
    return "name"


def _linked(turn: Turn, known: Tenant) -> str | None:
    if known.id != turn.tenant.id:
        merge_tenant_into(turn.session, turn.tenant, known)
        turn.tenant = known
    if not known.registered:
        return "name"
    turn.say("telegram.linked", name=known.name or "")
    return None


QUESTIONS = {
    "link": Question("telegram.welcome", take_link, asks_for_contact=True),
    **registration.QUESTIONS,
}

FLOW = Flow(
    name="telegram_link", begin=begin, questions=QUESTIONS, channels=frozenset({"telegram"})
)
