"""Strangers are welcomed, not signed up by accident; empty texts go nowhere.

From an unknown number "hello" once became a tenant named "hello" and "who is this?"
an estate. Now a greeting or a question is answered with who we are and how to join,
and a name is kept only once the stranger says it is theirs. A text with nothing in
it is told so and reaches neither a flow nor the staff inbox.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.conversations import Conversation
from models.messages import InboundRecord
from models.tenants import Area, Tenant
from tests.fakes import telegram_updates as updates
from tests.helpers import Phone, TelegramChat, twiml_messages
from tests.webhooks.test_telegram import WELCOME as TELEGRAM_WELCOME
from tests.webhooks.test_telegram import linked_tenant, post, say

WHO_WE_ARE = "This is Fife Housing Group. We text our tenants about events, votes and their estate."
HOW_TO_JOIN = "To join, reply with your name, for example Ann Smith."
WHY_WE_ASK = "This is Fife Housing Group. We ask where you live"
IS_YOUR_NAME = "Is your name Ann Smith?\n1 Yes\n2 No\nReply 1 or 2"
WHICH_ESTATE = "Thank you, Ann Smith. Which estate or street do you live on?"
EMPTY = (
    "Your message was empty. Please send it again with a few words. "
    "Text MENU to see what you can do."
)


def stranger(db: Session, phone: Phone) -> Tenant:
    db.expire_all()
    tenant = db.scalar(select(Tenant).where(Tenant.phone == phone.number))
    assert tenant is not None
    return tenant


def state_of(db: Session, tenant: Tenant) -> str | None:
    db.expire_all()
    conversation = db.get(Conversation, tenant.id)
    return conversation.state if conversation else None


def inbox(db: Session) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(InboundRecord.body).where(InboundRecord.inbox.is_not(None))))


def test_hello_then_hello_again_is_told_who_we_are_and_signs_nobody_up(
    phone: Phone, db: Session
) -> None:
    [welcome] = phone.text("hello")
    assert (
        welcome.startswith("Hello from Fife Housing Group.") and "reply with your name" in welcome
    )
    [about] = phone.text("hello")
    assert about.startswith(WHO_WE_ARE) and about.endswith(HOW_TO_JOIN)
    tenant = stranger(db, phone)
    assert (tenant.name, tenant.registered) == (None, False)
    assert db.scalar(select(Tenant).where(Tenant.name == "hello")) is None


@pytest.mark.parametrize(
    "said",
    [
        "who is this?",
        "Who are you ??",
        "Hi there!",
        "Good morning",
        "Dzień dobry",
        "你好",
        "REPORT",
    ],
)
def test_a_greeting_a_question_or_a_keyword_is_not_taken_for_a_name(
    said: str, phone: Phone, db: Session
) -> None:
    phone.text("Hi")
    [about] = phone.text(said)
    assert about.startswith(WHO_WE_ARE)
    tenant = stranger(db, phone)
    assert tenant.name is None and state_of(db, tenant) == "about"


def test_a_name_is_confirmed_before_it_is_kept(phone: Phone, db: Session) -> None:
    phone.text("Hi")
    assert phone.text("Ann Smith") == [IS_YOUR_NAME]
    assert stranger(db, phone).name is None
    assert phone.text("1")[0].startswith(WHICH_ESTATE)
    assert stranger(db, phone).name == "Ann Smith"


def test_a_name_said_not_to_be_theirs_is_asked_for_again_and_not_kept(
    phone: Phone, db: Session
) -> None:
    phone.text("Hi")
    phone.text("Good to hear from you")
    assert phone.text("2") == ["Please reply with your name, for example Ann Smith."]
    assert stranger(db, phone).name is None
    assert phone.text("Ann Smith") == [IS_YOUR_NAME]


def test_who_is_this_at_the_estate_question_is_answered_and_the_estate_asked_again(
    phone: Phone, db: Session, methil: Area
) -> None:
    for said in ("Hi", "Ann Smith", "1"):
        phone.text(said)
    [why] = phone.text("who is this?")
    assert why.startswith(WHY_WE_ASK) and "postcode" in why
    tenant = stranger(db, phone)
    assert (tenant.area_text, tenant.area_id, tenant.registered) == (None, None, False)
    assert "Do you live in Methil?" in phone.text("Methil")[0]


def test_a_stranger_on_telegram_is_still_asked_to_link_their_chat(
    chat: TelegramChat, db: Session
) -> None:
    [welcome] = say(chat, db, "hello")
    assert TELEGRAM_WELCOME in welcome


@pytest.mark.parametrize("body", ["", "   ", "\u00a0\u200b\n\t"])
def test_an_empty_text_from_a_tenant_is_told_so_and_goes_nowhere(
    body: str, phone: Phone, db: Session, tenant: Tenant
) -> None:
    assert twiml_messages(phone.send(body)) == [EMPTY]
    assert inbox(db) == []
    assert state_of(db, tenant) is None


def test_an_empty_text_from_a_stranger_is_told_so_and_starts_no_sign_up(
    phone: Phone, db: Session
) -> None:
    assert phone.text(" ") == [EMPTY]
    assert state_of(db, stranger(db, phone)) is None and inbox(db) == []


def test_an_empty_telegram_message_from_a_tenant_is_told_so_and_goes_nowhere(
    chat: TelegramChat, db: Session
) -> None:
    linked_tenant(db, chat)
    assert post(chat, db, updates.text_update, text="") == [EMPTY]
    assert inbox(db) == []


def test_a_photo_with_no_words_is_not_an_empty_message(
    phone: Phone, db: Session, tenant: Tenant
) -> None:
    photo = {
        "NumMedia": "1",
        "MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/AC0/Messages/MM1/Media/ME1",
        "MediaContentType0": "image/jpeg",
    }
    replies = twiml_messages(phone.send("", **photo))
    assert replies and EMPTY not in replies
