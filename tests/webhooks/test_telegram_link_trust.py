"""Telegram linking nobody can take over: guesses limited, the tenant told, the link undone.

Through the front door: Telegram updates posted to the webhook with the secret
header, the code asked for and UNLINK sent by signed Twilio SMS. The limits are
those of models/link_codes.py: 5 wrong codes a chat and 60 across all chats an
hour, a code dead after 30 minutes or 10 wrong tries made since it was issued.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.messages import OutboundRecord, OutboxStatus
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from tests.conftest import TELEGRAM_SECRET
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, TelegramChat
from tests.webhooks.test_telegram import (
    ANN_PHONE,
    CODE_DID_NOT_WORK,
    LINKED,
    WELCOME,
    answers,
    assert_linked,
    count,
    deliver,
    identities,
    known_tenant,
    say,
    texted_code,
)

TOO_MANY = "Too many wrong codes were tried. Please try again after"
LINK_NOTICE = "a Telegram chat was just linked to your account"
UNLINKED = "No Telegram chat is linked to your account now"
ASK_AGAIN = (
    "Please send only the 6-digit code we texted you, or your name in letters. "
    "Or tap Share my number."
)
NEW_CODE_OR_SHARE = "text TELEGRAM from your mobile for a new code. Or tap Share my number now."


def wrong_codes(right: str, how_many: int) -> list[str]:
    return [code for code in (f"{n:06d}" for n in range(how_many + 1)) if code != right][:how_many]


def chats(client: FlaskClient, how_many: int, *, first: int = 610_000) -> list[TelegramChat]:
    return [
        TelegramChat(client, chat_id=first + n, secret=TELEGRAM_SECRET) for n in range(how_many)
    ]


def linked_anyone(db: Session, tenant: Tenant) -> bool:
    return any(channel == "telegram" for channel, _ in identities(db)[tenant.id])


def chat_of(db: Session, tenant: Tenant, chat: TelegramChat) -> bool:
    """This chat is one of the tenant's (the guessers' chats are strangers of their own)."""
    return ("telegram", str(chat.chat_id)) in identities(db)[tenant.id]


def texts_to(db: Session, phone: str) -> list[str]:
    """Every SMS queued to this number that was not a reply in the TwiML."""
    db.expire_all()
    return list(
        db.scalars(
            select(OutboundRecord.body)
            .where(OutboundRecord.channel == "sms", OutboundRecord.address == phone)
            .where(OutboundRecord.in_reply_to.is_(None))
            .order_by(OutboundRecord.id)
        )
    )


def link_with(chat: TelegramChat, db: Session, code: str) -> None:
    replies = say(chat, db, code)
    assert replies == [f"Thank you. {LINKED}. Send MENU to see what you can do."], replies


def link_by_code(chat: TelegramChat, db: Session, phone: Phone) -> None:
    link_with(chat, db, texted_code(phone))


# -- guessing ------------------------------------------------------------------------------


def test_three_hundred_guesses_from_one_chat_are_cut_off_after_five_and_the_right_code_then_fails(
    chat: TelegramChat, db: Session, phone: Phone
) -> None:
    ann = known_tenant(db)
    code = texted_code(phone)
    say(chat, db, "/start")

    replies = [say(chat, db, guess) for guess in wrong_codes(code, 300)]

    assert all(CODE_DID_NOT_WORK in said[0] for said in replies[:5])
    assert all(said == [f"{TOO_MANY} 11:00: {NEW_CODE_OR_SHARE}"] for said in replies[5:])
    assert say(chat, db, code) == [f"{TOO_MANY} 11:00: {NEW_CODE_OR_SHARE}"]
    assert not linked_anyone(db, ann)
    assert not any("Ann" in text for said in replies for text in said)
    assert texts_to(db, ANN_PHONE) == []


def test_a_chat_told_to_wait_may_try_again_at_the_time_it_was_given(
    chat: TelegramChat, db: Session, phone: Phone, clock: Clock
) -> None:
    ann = known_tenant(db)
    say(chat, db, "/start")
    for guess in wrong_codes("", 5):
        clock.advance(minutes=1)  # the first wrong try at 10:01, so the wait ends at 11:01
        say(chat, db, guess)
    clock.advance(minutes=50)
    assert say(chat, db, "123456") == [f"{TOO_MANY} 11:01: {NEW_CODE_OR_SHARE}"]

    clock.advance(minutes=6)  # 11:01
    link_by_code(chat, db, phone)
    assert_linked(db, ann, chat)


def test_the_wait_is_told_in_uk_summer_time_when_the_clocks_have_gone_forward(
    chat: TelegramChat, db: Session, clock: Clock
) -> None:
    known_tenant(db)
    clock.advance(days=120)  # 1 July, 10:00 UTC: 11:00 in London
    for guess in wrong_codes("", 5):
        say(chat, db, guess)
    assert say(chat, db, "123456") == [f"{TOO_MANY} 12:00: {NEW_CODE_OR_SHARE}"]


def test_a_code_dies_after_ten_wrong_tries_from_any_chats_since_it_was_given(
    client: FlaskClient, db: Session, phone: Phone
) -> None:
    ann = known_tenant(db)
    code = texted_code(phone)
    wrong = wrong_codes(code, 10)
    for guesser, guesses in zip(chats(client, 2), (wrong[:5], wrong[5:]), strict=True):
        for guess in guesses:
            assert any(CODE_DID_NOT_WORK in reply for reply in say(guesser, db, guess))

    [owner] = chats(client, 1, first=620_000)
    assert any(CODE_DID_NOT_WORK in reply for reply in say(owner, db, code))
    assert not linked_anyone(db, ann)


def test_nine_wrong_tries_elsewhere_leave_a_code_working(
    client: FlaskClient, db: Session, phone: Phone
) -> None:
    ann = known_tenant(db)
    code = texted_code(phone)
    wrong = wrong_codes(code, 9)
    for guesser, guesses in zip(chats(client, 2), (wrong[:5], wrong[5:]), strict=True):
        for guess in guesses:
            say(guesser, db, guess)

    [owner] = chats(client, 1, first=620_000)
    link_by_code(owner, db, phone)
    assert chat_of(db, ann, owner)


def test_sixty_wrong_tries_an_hour_across_many_chats_make_every_chat_wait(
    client: FlaskClient, db: Session, phone: Phone, clock: Clock
) -> None:
    ann = known_tenant(db)
    for guesser in chats(client, 12):  # 5 each: none of them past its own limit
        for guess in wrong_codes("", 5):
            assert any(CODE_DID_NOT_WORK in reply for reply in say(guesser, db, guess))
        clock.advance(seconds=30)

    code = texted_code(phone)  # a fresh code, so no wrong try has been made against it
    [owner] = chats(client, 1, first=620_000)
    assert say(owner, db, code) == [f"{TOO_MANY} 11:00: {NEW_CODE_OR_SHARE}"]
    assert not linked_anyone(db, ann)

    clock.advance(minutes=55)  # 11:00:30: the first chat's tries are an hour old
    link_by_code(owner, db, phone)
    assert chat_of(db, ann, owner)


def test_a_tenant_holds_one_live_code_a_new_one_replaces_the_old(
    client: FlaskClient, db: Session, phone: Phone
) -> None:
    ann = known_tenant(db)
    first_code = texted_code(phone)
    second_code = texted_code(phone)
    first, second = chats(client, 2)

    assert any(CODE_DID_NOT_WORK in reply for reply in say(first, db, first_code))
    assert not linked_anyone(db, ann)
    link_with(second, db, second_code)
    assert chat_of(db, ann, second) and not chat_of(db, ann, first)


# -- what the chat may send ----------------------------------------------------------------


def test_a_decorated_code_sent_while_the_link_prompt_is_open_links_the_chat(
    client: FlaskClient, db: Session, phone: Phone
) -> None:
    ann = known_tenant(db)
    decorations = (
        "/start {code}",
        "/start@doorstep_test_bot {code}",
        "Code: {code}",
        "code {first} {last}",
        "CODE #{code}.",
        "{code_full_width}",
    )
    for n, decorated in enumerate(decorations):
        chat = TelegramChat(client, chat_id=630_000 + n, secret=TELEGRAM_SECRET)
        assert WELCOME in say(chat, db, "/start")[0]
        code = texted_code(phone)
        typed = decorated.format(
            code=code,
            first=code[:3],
            last=code[3:],
            code_full_width="".join(chr(ord(d) + 0xFEE0) for d in code),
        )
        replies = say(chat, db, typed)
        assert replies == [f"Thank you. {LINKED}. Send MENU to see what you can do."], typed
        assert ("telegram", str(chat.chat_id)) in identities(db)[ann.id]
    assert count(db, Tenant) == 1  # nobody signed up as "/start 123456"


def test_start_with_a_wrong_code_while_the_link_prompt_is_open_is_never_taken_as_a_name(
    chat: TelegramChat, db: Session
) -> None:
    say(chat, db, "/start")
    for sent in ("/start 751149", "Code: 751149", "/start 75114", "/start"):
        replies = say(chat, db, sent)
        assert replies and not any("Thank you" in reply for reply in replies), sent
    db.expire_all()
    [stranger] = db.scalars(select(Tenant))
    assert stranger.name is None and not stranger.registered


def test_a_name_with_digits_is_asked_again_and_a_name_in_letters_is_taken(
    chat: TelegramChat, db: Session
) -> None:
    say(chat, db, "/start")
    assert say(chat, db, "Ann 751149") == [ASK_AGAIN]
    assert say(chat, db, "Flat 2") == [ASK_AGAIN]
    db.expire_all()
    assert db.scalars(select(Tenant.name)).one() is None

    assert say(chat, db, "Ann Smith")[0].startswith("Is your name Ann Smith?")
    assert "Thank you, Ann Smith" in say(chat, db, "yes")[0]
    db.expire_all()
    assert db.scalars(select(Tenant.name)).one() == "Ann Smith"


# -- the tenant hears of it, and can undo it -----------------------------------------------


def test_linking_by_code_texts_the_tenant_at_once_with_how_to_undo_it(
    chat: TelegramChat,
    db: Session,
    phone: Phone,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
    fake_twilio: FakeTwilio,
) -> None:
    known_tenant(db)
    replies = say(chat, db, texted_code(phone))
    assert not any("Ann" in reply for reply in replies)

    expected = (
        f"Fife Housing Group: {LINK_NOTICE}. If this was not you, reply UNLINK and we will undo it."
    )
    assert texts_to(db, ANN_PHONE) == [expected]
    deliver(dispatcher, bot_api, chat)
    assert [m["body"] for m in fake_twilio.sent_to(ANN_PHONE)] == [expected]


def test_linking_by_sharing_a_contact_texts_the_tenant_too(chat: TelegramChat, db: Session) -> None:
    known_tenant(db)
    say(chat, db, "/start")
    ok_reply = chat.share_contact(ANN_PHONE)
    assert ok_reply.status_code == 200
    assert not any("Ann" in reply for reply in answers(db, chat))
    assert [LINK_NOTICE in text for text in texts_to(db, ANN_PHONE)] == [True]


def test_the_link_notice_is_in_the_tenants_language(
    chat: TelegramChat, db: Session, phone: Phone
) -> None:
    zofia = known_tenant(db, name="Zofia Nowak")
    zofia.language = "pl"
    db.commit()
    say(chat, db, texted_code(phone))
    [notice] = texts_to(db, ANN_PHONE)
    assert "ODLACZ" in notice and "UNLINK" not in notice


def test_unlink_by_sms_takes_the_chat_off_and_the_chat_is_a_stranger_again(
    chat: TelegramChat, db: Session, phone: Phone
) -> None:
    ann = known_tenant(db)
    link_by_code(chat, db, phone)

    [reply] = phone.text("UNLINK")
    assert reply.startswith(f"Done. {UNLINKED}")
    assert identities(db)[ann.id] == {("sms", ANN_PHONE)}

    [welcome] = say(chat, db, "/start")  # the chat writes next as a stranger
    assert WELCOME in welcome and "Ann" not in welcome


def test_unlink_wins_while_the_chat_holds_a_question_open(
    chat: TelegramChat, db: Session, phone: Phone
) -> None:
    ann = known_tenant(db)
    link_by_code(chat, db, phone)
    say(chat, db, "MENU")  # the conversation follows the tenant: a question is open on SMS too

    [reply] = phone.text("unlink")
    assert UNLINKED in reply
    assert identities(db)[ann.id] == {("sms", ANN_PHONE)}


def test_what_was_waiting_for_an_unlinked_chat_is_held_back(
    chat: TelegramChat, db: Session, phone: Phone
) -> None:
    known_tenant(db)
    link_by_code(chat, db, phone)
    say(chat, db, "HELP")  # queued to the chat, not yet sent

    phone.text("UNLINK")
    db.expire_all()
    waiting = db.scalars(
        select(OutboundRecord.status).where(OutboundRecord.address == str(chat.chat_id))
    )
    assert set(waiting) == {OutboxStatus.UNREACHABLE}


def test_unlink_with_no_chat_linked_says_there_is_nothing_to_undo(
    db: Session, phone: Phone
) -> None:
    known_tenant(db)
    assert phone.text("UNLINK") == [
        "No Telegram chat is linked to your account, so there is nothing to undo."
    ]


def test_unlink_sent_in_telegram_says_to_text_it_and_unlinks_nothing(
    chat: TelegramChat, db: Session, phone: Phone
) -> None:
    ann = known_tenant(db)
    link_by_code(chat, db, phone)
    assert say(chat, db, "UNLINK") == [
        "To unlink Telegram, text UNLINK to us from your mobile phone."
    ]
    assert_linked(db, ann, chat)


def test_a_polish_tenant_unlinks_with_their_own_word(
    chat: TelegramChat, db: Session, phone: Phone
) -> None:
    zofia = known_tenant(db, name="Zofia Nowak")
    zofia.language = "pl"
    db.commit()
    say(chat, db, texted_code(phone))
    assert chat_of(db, zofia, chat)
    [reply] = phone.text("Odlacz")
    assert reply.startswith("Gotowe.")
    assert identities(db)[zofia.id] == {("sms", ANN_PHONE)}


def test_no_reply_to_the_chat_up_to_and_at_linking_names_the_tenant(
    chat: TelegramChat, db: Session, phone: Phone
) -> None:
    """The welcome, a wrong code, the right one: the chat is proven only by the code."""
    known_tenant(db)
    said = [*say(chat, db, "/start"), *say(chat, db, "000000")]
    said += say(chat, db, texted_code(phone))
    assert said and not any(re.search(r"Ann|Smith", reply) for reply in said)
