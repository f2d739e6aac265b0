"""The Telegram webhook, through the front door: real update JSON with the secret header.

Replies are not sent in the request: they are written to the outbox and the real
dispatcher sends them through python-telegram-bot to the local fake Bot API, so
what a test reads from ``bot_api`` is what the tenant's chat would show.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from models.messages import InboundRecord, OutboundRecord, OutboxStatus, find_inbound
from models.tenants import Identity, Tenant
from scheduler.dispatcher import Dispatcher
from tests.conftest import TELEGRAM_SECRET
from tests.factories import create_tenant
from tests.fakes import telegram_updates as updates
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import Phone, TelegramChat

WEBHOOK = "/webhooks/telegram"
ANN_PHONE = "+447700900123"  # the `phone` fixture's number
WELCOME = "To link your account"
LINKED = "Your Telegram is now linked"
CODE_DID_NOT_WORK = "That code did not work"
HELP = "Text MENU to see what you can do"
MENU = "What would you like to do?"
MENU_LABELS = [
    "Send us a message",
    "Events: say if you're coming",
    "Vote in a poll",
    "Report a problem on your estate",
    "Get involved",
    "Change language",
    "Help",
]


# -- helpers -------------------------------------------------------------------------------


def count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def nothing_stored(db: Session) -> bool:
    return count(db, InboundRecord) == count(db, OutboundRecord) == count(db, Tenant) == 0


def answers(db: Session, chat: TelegramChat) -> list[str]:
    """What the bot queued in answer to the chat's last update, in order."""
    db.expire_all()
    inbound = find_inbound(db, "telegram", str(chat.sent_update_ids[-1]))
    assert inbound is not None, "the update was not stored"
    bodies = db.scalars(
        select(OutboundRecord.body)
        .where(OutboundRecord.in_reply_to == inbound.id)
        .order_by(OutboundRecord.id)
    )
    return list(bodies)


def ok(response: TestResponse) -> TestResponse:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def say(chat: TelegramChat, db: Session, text: str) -> list[str]:
    """Send a text (or a /command) and return the answers queued for it."""
    ok(chat.say(text))
    return answers(db, chat)


def post(chat: TelegramChat, db: Session, build: Any, **fields: Any) -> list[str]:
    """Post an update made by ``build`` (a telegram_updates builder) for this chat."""
    ok(chat.post(build(update_id=chat.next_id(), chat_id=chat.chat_id, **fields)))
    return answers(db, chat)


def deliver(
    dispatcher: Dispatcher, bot_api: FakeBotApi, chat: TelegramChat
) -> list[dict[str, Any]]:
    """Run the dispatcher once; the sendMessage calls it made to this chat."""
    before = len(bot_api.sent_messages(chat.chat_id))
    dispatcher.run_once()
    return bot_api.sent_messages(chat.chat_id)[before:]


def buttons(sent: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button of a sent message's keyboard (inline or reply), row by row."""
    markup = sent.get("reply_markup") or {}
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [button for row in rows for button in row]


def known_tenant(db: Session, *, name: str = "Ann Smith", phone: str = ANN_PHONE) -> Tenant:
    tenant = create_tenant(db, name=name, phone=phone)
    db.commit()
    return tenant


def linked_tenant(db: Session, chat: TelegramChat, *, name: str = "Ann Smith") -> Tenant:
    """A registered tenant whose Telegram chat is already linked."""
    tenant = create_tenant(db, name=name, phone=ANN_PHONE)
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    return tenant


def identities(db: Session) -> dict[int, set[tuple[str, str]]]:
    """Every tenant's identities as (channel, address), by tenant id."""
    db.expire_all()
    found: dict[int, set[tuple[str, str]]] = {}
    for identity in db.scalars(select(Identity)):
        found.setdefault(identity.tenant_id, set()).add((identity.channel, identity.address))
    return found


def assert_linked(db: Session, tenant: Tenant, chat: TelegramChat) -> None:
    """One tenant left, reachable by SMS and by this chat."""
    assert count(db, Tenant) == 1
    assert identities(db) == {
        tenant.id: {("sms", tenant.phone or ""), ("telegram", str(chat.chat_id))}
    }


def texted_code(phone: Phone) -> str:
    """Text TELEGRAM by SMS; the 6-digit code in the answer."""
    [reply] = phone.text("TELEGRAM")
    found = re.search(r"\b(\d{6})\b", reply)
    assert found is not None, reply
    return found.group(1)


# -- the door: secret, body, duplicates ------------------------------------------------------


def test_a_wrong_secret_gets_403_and_stores_nothing(chat: TelegramChat, db: Session) -> None:
    payload = updates.text_update(update_id=chat.next_id(), chat_id=chat.chat_id, text="HELP")
    assert chat.post(payload, secret="not-the-secret").status_code == 403
    assert chat.post(payload, secret=TELEGRAM_SECRET[:-1]).status_code == 403
    assert nothing_stored(db)


def test_a_missing_secret_header_gets_403_and_stores_nothing(
    client: FlaskClient, db: Session
) -> None:
    payload = updates.text_update(update_id=1, chat_id=555001, text="HELP")
    assert client.post(WEBHOOK, json=payload).status_code == 403
    assert nothing_stored(db)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("this is not json", id="not-json"),
        pytest.param('{"update_id": 1, "message":', id="truncated-json"),
        pytest.param("[1, 2, 3]", id="json-array"),
        pytest.param('"a string"', id="json-string"),
        pytest.param("null", id="json-null"),
        pytest.param("", id="empty-body"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="nested-too-deep-for-the-parser"),
    ],
)
def test_a_body_that_is_not_a_json_object_gets_400(
    client: FlaskClient, db: Session, body: str
) -> None:
    response = client.post(
        WEBHOOK,
        data=body,
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )
    assert response.status_code == 400
    assert nothing_stored(db)


def _message(**fields: Any) -> dict[str, Any]:
    chat = {"id": 555001, "type": "private", "first_name": "Ann"}
    return {"message_id": 1, "date": 1_772_532_000, "chat": chat, **fields}


def _query(**fields: Any) -> dict[str, Any]:
    return {"id": "cbq-1", "chat_instance": "ci-1", "data": "1", **fields}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty-object"),
        pytest.param({"hello": "world"}, id="no-update-id"),
        pytest.param({"update_id": 1, "message": "hello"}, id="message-is-a-string"),
        pytest.param({"update_id": 1, "message": {"text": "hello"}}, id="message-without-chat"),
        pytest.param(
            {"update_id": 1, "message": {**_message(), "date": "today"}}, id="date-not-a-number"
        ),
        pytest.param({"update_id": 1, "callback_query": {"id": "q"}}, id="query-without-from"),
        pytest.param(
            {"update_id": 1, "message": _message(text=42)},
            id="text-is-a-number",
        ),
        pytest.param(
            {"update_id": 1, "message": {**_message(text="hi"), "date": 10**20}},
            id="date-out-of-range",
        ),
        pytest.param(
            {"update_id": 1, "callback_query": _query()},
            id="query-without-sender",
        ),
    ],
)
def test_a_json_object_that_is_not_an_update_gets_400_never_500(
    chat: TelegramChat, db: Session, body: dict[str, Any]
) -> None:
    assert chat.post(body).status_code == 400
    assert nothing_stored(db)


def test_a_repeated_update_is_stored_once_and_answered_once(
    chat: TelegramChat, db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi
) -> None:
    payload = updates.text_update(update_id=chat.next_id(), chat_id=chat.chat_id, text="Hello")
    for _ in range(3):
        ok(chat.post(payload))
    assert count(db, InboundRecord) == 1
    assert count(db, OutboundRecord) == 1
    assert len(deliver(dispatcher, bot_api, chat)) == 1
    assert deliver(dispatcher, bot_api, chat) == []


def test_the_webhook_queues_replies_and_sends_nothing_itself(
    chat: TelegramChat, db: Session, bot_api: FakeBotApi
) -> None:
    response = ok(chat.say("HELP"))
    assert response.get_json() == {}
    db.expire_all()
    [row] = db.scalars(select(OutboundRecord))
    assert row.status == OutboxStatus.QUEUED
    assert (row.channel, row.address) == ("telegram", str(chat.chat_id))
    assert bot_api.calls_to("sendMessage") == []


def _edited(update_id: int, chat_id: int) -> dict[str, Any]:
    payload = updates.text_update(update_id=update_id, chat_id=chat_id, text="HELP")
    message = payload.pop("message")
    return {**payload, "edited_message": {**message, "edit_date": message["date"] + 5}}


def _in_a_group(update_id: int, chat_id: int) -> dict[str, Any]:
    payload = updates.text_update(update_id=update_id, chat_id=chat_id, text="HELP")
    payload["message"]["chat"] = {"id": -100_123_456, "type": "group", "title": "Estate TRA"}
    return payload


@pytest.mark.parametrize("build", [_edited, _in_a_group], ids=["edited-message", "group-chat"])
def test_an_edit_or_a_group_message_gets_200_and_no_answer(
    chat: TelegramChat, db: Session, build: Any
) -> None:
    response = ok(chat.post(build(chat.next_id(), chat.chat_id)))
    assert response.get_json() == {}
    assert count(db, OutboundRecord) == 0
    assert count(db, InboundRecord) == 0


# -- joining a chat to a tenant ------------------------------------------------------------


def test_start_from_a_new_chat_gets_one_welcome_with_a_share_my_number_button(
    chat: TelegramChat, db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi
) -> None:
    [welcome] = say(chat, db, "/start")
    assert WELCOME in welcome
    db.expire_all()
    [row] = db.scalars(select(OutboundRecord))
    assert row.status == OutboxStatus.QUEUED

    [sent] = deliver(dispatcher, bot_api, chat)
    assert sent["text"] == welcome
    assert buttons(sent) == [{"text": "Share my number", "request_contact": True}]
    assert sent["reply_markup"]["one_time_keyboard"] is True
    db.expire_all()
    assert db.get(OutboundRecord, row.id).status == OutboxStatus.SENT  # type: ignore[union-attr]


@pytest.mark.parametrize("shared", [ANN_PHONE, "447700900123", "07700 900123"])
def test_sharing_my_own_contact_links_the_chat_to_me(
    chat: TelegramChat,
    db: Session,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
    shared: str,
) -> None:
    ann = known_tenant(db)
    say(chat, db, "/start")
    ok(chat.share_contact(shared))
    [reply] = answers(db, chat)

    assert LINKED in reply and "Ann" not in reply  # the chat is not told whose number it was
    assert_linked(db, ann, chat)
    assert reply in [m["text"] for m in deliver(dispatcher, bot_api, chat)]


def test_sharing_my_contact_as_the_first_message_links_the_chat(
    chat: TelegramChat, db: Session
) -> None:
    ann = known_tenant(db)
    ok(chat.share_contact(ANN_PHONE))
    assert any(LINKED in reply for reply in answers(db, chat))
    assert_linked(db, ann, chat)


def test_sharing_a_contact_telegram_sends_without_a_plus_links_a_non_uk_number(
    chat: TelegramChat, db: Session
) -> None:
    tenant = known_tenant(db, name="Zofia Nowak", phone="+48501234567")
    say(chat, db, "/start")
    ok(chat.share_contact("48501234567"))
    assert any(LINKED in reply for reply in answers(db, chat))
    assert_linked(db, tenant, chat)


def test_sharing_someone_elses_contact_does_not_link_the_chat(
    chat: TelegramChat, db: Session
) -> None:
    ann = known_tenant(db)
    say(chat, db, "/start")
    ok(chat.share_contact(ANN_PHONE, own=False))
    replies = answers(db, chat)

    assert replies and not any(LINKED in reply for reply in replies)
    assert count(db, Tenant) == 2
    assert identities(db)[ann.id] == {("sms", ANN_PHONE)}


def test_sharing_someone_elses_contact_is_asked_for_my_own_number(
    chat: TelegramChat, db: Session
) -> None:
    known_tenant(db)
    say(chat, db, "/start")
    ok(chat.share_contact(ANN_PHONE, own=False))
    assert any("share your own number" in reply for reply in answers(db, chat))


def _code_as_text(chat: TelegramChat, db: Session, code: str) -> list[str]:
    return say(chat, db, code)


def _code_after_start(chat: TelegramChat, db: Session, code: str) -> list[str]:
    say(chat, db, "/start")
    return say(chat, db, code)


def _code_as_deep_link(chat: TelegramChat, db: Session, code: str) -> list[str]:
    return say(chat, db, f"/start {code}")


LINK_BY_CODE = pytest.mark.parametrize(
    "send_code",
    [_code_as_text, _code_after_start, _code_as_deep_link],
    ids=["code-as-text", "code-after-start", "start-with-code"],
)


@LINK_BY_CODE
def test_the_code_texted_for_telegram_links_the_chat(
    chat: TelegramChat,
    db: Session,
    phone: Phone,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
    send_code: Any,
) -> None:
    ann = known_tenant(db)
    replies = send_code(chat, db, texted_code(phone))

    assert replies == [f"Thank you. {LINKED}. Send MENU to see what you can do."]  # no name
    assert_linked(db, ann, chat)
    assert replies[0] in [m["text"] for m in deliver(dispatcher, bot_api, chat)]


@LINK_BY_CODE
def test_a_wrong_code_says_it_did_not_work_and_links_nothing(
    chat: TelegramChat, db: Session, send_code: Any
) -> None:
    ann = known_tenant(db)
    replies = send_code(chat, db, "000000")

    assert any(CODE_DID_NOT_WORK in reply for reply in replies)
    assert not any(LINKED in reply for reply in replies)
    assert identities(db)[ann.id] == {("sms", ANN_PHONE)}


def test_a_code_works_once_only(client: FlaskClient, db: Session, phone: Phone) -> None:
    ann = known_tenant(db)
    code = texted_code(phone)
    first = TelegramChat(client, chat_id=555001, secret=TELEGRAM_SECRET)
    second = TelegramChat(client, chat_id=555002, secret=TELEGRAM_SECRET)

    assert any(LINKED in reply for reply in say(first, db, code))
    assert any(CODE_DID_NOT_WORK in reply for reply in say(second, db, code))
    assert identities(db)[ann.id] == {("sms", ANN_PHONE), ("telegram", str(first.chat_id))}


# -- the global words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("HELP", HELP),
        ("help", HELP),
        ("/help", HELP),
        ("MENU", MENU),
        ("/menu", MENU),
        ("/menu@doorstep_test_bot", MENU),
        ("LANG", "Which language do you want?"),
        ("/lang", "Which language do you want?"),
        ("STOP", "You will get no more texts"),
        ("/stop", "You will get no more texts"),
        ("START", "Welcome back. You will get texts"),
        ("/start", MENU),
    ],
)
def test_a_global_word_typed_or_as_a_command_gets_its_answer(
    chat: TelegramChat,
    db: Session,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
    said: str,
    expected: str,
) -> None:
    linked_tenant(db, chat)
    [reply] = say(chat, db, said)
    assert expected in reply
    assert [m["text"] for m in deliver(dispatcher, bot_api, chat)] == [reply]


def test_after_stop_only_help_and_start_are_answered(chat: TelegramChat, db: Session) -> None:
    linked_tenant(db, chat)
    say(chat, db, "/stop")
    assert say(chat, db, "MENU") == []
    assert HELP in say(chat, db, "/help")[0]
    assert "Welcome back" in say(chat, db, "/start")[0]
    assert MENU in say(chat, db, "/menu")[0]


def test_the_menu_comes_as_buttons_and_a_press_answers_the_callback_and_follows_on(
    chat: TelegramChat, db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi
) -> None:
    linked_tenant(db, chat)
    [menu] = say(chat, db, "MENU")
    assert menu == MENU  # the options are buttons, not numbered lines
    [sent] = deliver(dispatcher, bot_api, chat)
    keyboard = buttons(sent)
    assert [b["text"] for b in keyboard] == MENU_LABELS
    assert [b["callback_data"] for b in keyboard] == ["1", "2", "3", "4", "5", "6", "7"]

    help_button = next(b for b in keyboard if b["text"] == "Help")
    response = ok(chat.press(help_button["callback_data"]))
    assert response.get_json() == {
        "method": "answerCallbackQuery",
        "callback_query_id": f"cbq-{chat.sent_update_ids[-1]}",
    }
    [follow_up] = answers(db, chat)
    assert HELP in follow_up
    assert [m["text"] for m in deliver(dispatcher, bot_api, chat)] == [follow_up]


def test_a_repeated_button_press_is_acknowledged_again_but_answered_once(
    chat: TelegramChat, db: Session
) -> None:
    linked_tenant(db, chat)
    say(chat, db, "MENU")
    press = updates.callback_update(update_id=chat.next_id(), chat_id=chat.chat_id, data="1")
    for _ in range(2):
        assert ok(chat.post(press)).get_json()["method"] == "answerCallbackQuery"
    assert answers(db, chat) == ["Please reply with your message to our team."]
    assert count(db, OutboundRecord) == 2  # the menu and one follow-up


# -- what tenants actually send ------------------------------------------------------------


def test_a_photo_when_words_were_expected_gets_a_polite_text_only_answer(
    chat: TelegramChat, db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi
) -> None:
    say(chat, db, "/start")
    deliver(dispatcher, bot_api, chat)
    [reply] = post(chat, db, updates.photo_update, file_id="AgADphoto1")
    assert reply == "Sorry, we can only read words here. Please send your answer as text."
    assert [m["text"] for m in deliver(dispatcher, bot_api, chat)] == [reply]


UNUSUAL_TEXTS = [
    pytest.param("The bins were missed again. " * 74 + "Please help", id="2000-characters"),
    pytest.param("🏠🔧😀👍🏽", id="emoji-only"),
    pytest.param("مرحبا، المصعد معطل منذ يومين", id="arabic"),
    pytest.param("\u200fשלום, המעלית לא עובדת", id="hebrew-with-rtl-mark"),  # noqa: RUF001
    pytest.param("The\x00 lift\x07 is\x1b broken\x7f", id="control-characters"),
]


@pytest.mark.parametrize("text", UNUSUAL_TEXTS)
def test_an_unusual_message_from_a_tenant_is_kept_and_answered_never_500(
    chat: TelegramChat, db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi, text: str
) -> None:
    linked_tenant(db, chat)
    replies = post(chat, db, updates.text_update, text=text)

    assert replies == [
        "Thank you. We have passed your message to our team. Text MENU to see what else you can do."
    ]
    assert [m["text"] for m in deliver(dispatcher, bot_api, chat)] == replies
    stored = find_inbound(db, "telegram", str(chat.sent_update_ids[-1]))
    assert stored is not None and stored.body == text.replace("\x00", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Ann " * 500, "Is your name Ann Ann", id="2000-characters"),
        pytest.param("🏠🔧😀👍🏽", "Please reply with a few words", id="emoji-only"),
        pytest.param("فاطمة الزهراء", "Is your name فاطمة الزهراء?", id="arabic"),
        pytest.param("\u200fדנה כהן", "Is your name דנה כהן?", id="hebrew-with-rtl-mark"),
        pytest.param(
            "\x00Ann\x07 \x1bSmith\x7f", "Is your name Ann Smith?", id="control-characters"
        ),
        pytest.param("", "Sorry, that was empty", id="empty-text"),
        pytest.param("   \n\t ", "Sorry, that was empty", id="only-whitespace"),
    ],
)
def test_an_unusual_answer_to_the_welcome_gets_a_sensible_reply_never_500(
    chat: TelegramChat,
    db: Session,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
    text: str,
    expected: str,
) -> None:
    say(chat, db, "/start")
    deliver(dispatcher, bot_api, chat)
    replies = post(chat, db, updates.text_update, text=text)

    assert replies and expected in replies[0]
    sent = deliver(dispatcher, bot_api, chat)
    assert [m["text"] for m in sent] == replies
    db.expire_all()
    stored = find_inbound(db, "telegram", str(chat.sent_update_ids[-1]))
    assert stored is not None and stored.flow != "error"
