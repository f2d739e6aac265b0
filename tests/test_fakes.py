"""The provider fakes must behave like the real APIs as seen through the real client libraries."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
import requests
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, RetryAfter
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.telegram_updates import (
    callback_update,
    command_update,
    contact_update,
    location_update,
    photo_update,
    text_update,
)
from tests.fakes.twilio_api import FakeTwilio, num_segments

ACCOUNT = "AC" + "0" * 32
SENDER = "+447700900000"
TENANT = "+447700900123"
TOKEN = "123456:TEST-token"
T = TypeVar("T")


@pytest.fixture
def twilio() -> FakeTwilio:
    return FakeTwilio()


@pytest.fixture
def client(twilio: FakeTwilio) -> Client:
    return Client(ACCOUNT, "auth-token", http_client=twilio)


# -- Twilio ---------------------------------------------------------------------


def test_real_twilio_client_creates_a_message_through_the_fake(
    client: Client, twilio: FakeTwilio
) -> None:
    message = client.messages.create(to=TENANT, from_=SENDER, body="Repair booked")

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert message.num_segments == "1"
    assert message.date_created.tzinfo is not None
    assert twilio.count_to(TENANT) == 1
    assert twilio.sent_to(TENANT)[0]["body"] == "Repair booked"
    assert twilio.requests[0].method == "POST"
    assert twilio.requests[0].data["To"] == TENANT


def test_real_twilio_client_lists_newest_first_with_filters(
    client: Client, twilio: FakeTwilio
) -> None:
    for body in ("one", "two"):
        client.messages.create(to=TENANT, from_=SENDER, body=body)
    client.messages.create(to="+447700900999", from_=SENDER, body="other")

    listed = client.messages.list(to=TENANT, from_=SENDER, limit=20)
    assert [m.body for m in listed] == ["two", "one"]

    future = dtm.datetime.now(dtm.UTC) + dtm.timedelta(hours=1)
    assert client.messages.list(to=TENANT, date_sent_after=future, limit=20) == []
    assert twilio.requests[-1].params["PageSize"] == 20


def test_real_twilio_client_fetches_one_message_or_gets_a_404(client: Client) -> None:
    created = client.messages.create(to=TENANT, from_=SENDER, body="hello")

    assert client.messages(created.sid).fetch().body == "hello"
    with pytest.raises(TwilioRestException) as raised:
        client.messages("SM" + "f" * 32).fetch()
    assert raised.value.status == 404


def test_an_unsubscribed_number_raises_twilio_error_21610(
    client: Client, twilio: FakeTwilio
) -> None:
    twilio.always_fail(TENANT)

    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(to=TENANT, from_=SENDER, body="hi")

    assert raised.value.code == 21610
    assert raised.value.status == 400
    assert twilio.count_to(TENANT) == 0


def test_fail_next_fails_only_the_scripted_number_of_creates(
    client: Client, twilio: FakeTwilio
) -> None:
    twilio.fail_next(2, status=503, code=20503, message="Service unavailable")

    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            client.messages.create(to=TENANT, from_=SENDER, body="hi")
        assert (raised.value.status, raised.value.code) == (503, 20503)
    assert client.messages.create(to=TENANT, from_=SENDER, body="hi").status == "queued"


def test_accept_then_drop_stores_the_message_but_the_caller_sees_a_connection_error(
    client: Client, twilio: FakeTwilio
) -> None:
    twilio.accept_then_drop_next()

    with pytest.raises(requests.exceptions.ConnectionError):
        client.messages.create(to=TENANT, from_=SENDER, body="did it go?")

    assert twilio.count_to(TENANT) == 1
    assert [m.body for m in client.messages.list(to=TENANT, limit=20)] == ["did it go?"]


def test_segments_are_counted_like_twilio() -> None:
    assert num_segments("a" * 160) == 1
    assert num_segments("a" * 161) == 2
    assert num_segments("€" * 80) == 1  # extension chars take two septets
    assert num_segments("é" * 160) == 1  # é is in the GSM basic set
    assert num_segments("ł" * 71) == 2  # UCS-2


# -- Telegram Bot API -----------------------------------------------------------


def _with_bot(api: FakeBotApi, action: Callable[[Bot], Awaitable[T]]) -> T:
    async def run() -> T:
        async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
            return await action(bot)

    return asyncio.run(run())


def test_real_bot_sends_a_message_through_the_fake() -> None:
    with FakeBotApi() as api:
        assert api.base_url == f"{api.root_url}/bot"
        message = _with_bot(api, lambda bot: bot.send_message(chat_id=42, text="123"))

        assert isinstance(message, Message)
        assert message.chat.id == 42 and message.text == "123"
        assert api.sent_messages(42) == [{"chat_id": 42, "text": "123"}]
        assert api.sent_messages("42") == api.sent_messages(42)
        assert api.calls[0].method == "getMe"


def test_real_bot_learns_its_username_from_get_me() -> None:
    with FakeBotApi() as api:

        async def username(bot: Bot) -> str:
            return bot.username

        assert _with_bot(api, username) == "doorstep_test_bot"


def test_inline_keyboard_arrives_decoded_and_is_echoed() -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    with FakeBotApi() as api:
        message = _with_bot(
            api, lambda bot: bot.send_message(chat_id=7, text="Ok?", reply_markup=markup)
        )

        sent = api.sent_messages(7)[0]["reply_markup"]
        assert sent == {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
        assert message.reply_markup == markup


def test_a_blocked_chat_raises_forbidden() -> None:
    with FakeBotApi() as api:
        api.block(42)
        with pytest.raises(Forbidden, match="blocked by the user"):
            _with_bot(api, lambda bot: bot.send_message(chat_id=42, text="hi"))


def test_a_missing_chat_raises_bad_request() -> None:
    with FakeBotApi() as api:
        api.fail_chat(42)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            _with_bot(api, lambda bot: bot.send_message(chat_id=42, text="hi"))


def test_rate_limiting_raises_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # else reading retry_after warns (PTB 22.2+)
    with FakeBotApi() as api:
        api.rate_limit_next(1, retry_after=1)
        with pytest.raises(RetryAfter) as raised:
            _with_bot(api, lambda bot: bot.send_message(chat_id=42, text="hi"))
        assert _with_bot(api, lambda bot: bot.send_message(chat_id=42, text="hi")).text == "hi"

    retry_after = raised.value.retry_after
    seconds = retry_after.total_seconds() if isinstance(retry_after, dtm.timedelta) else retry_after
    assert seconds == 1


def test_callback_answers_webhooks_and_files_work() -> None:
    with FakeBotApi() as api:
        api.add_file("F1", b"jpeg-bytes")

        async def calls(bot: Bot) -> tuple[bool, bool, bytes]:
            answered = await bot.answer_callback_query("cbq-1")
            hooked = await bot.set_webhook("https://example.test/hook", secret_token="s")
            file = await bot.get_file("F1")
            return answered, hooked, bytes(await file.download_as_bytearray())

        assert _with_bot(api, calls) == (True, True, b"jpeg-bytes")
        assert api.webhook_url == "https://example.test/hook"
        assert api.calls_to("answerCallbackQuery") == [{"callback_query_id": "cbq-1"}]


def test_photos_upload_as_multipart() -> None:
    with FakeBotApi() as api:
        message = _with_bot(
            api, lambda bot: bot.send_photo(chat_id=5, photo=b"\x89PNG...", caption="Leak")
        )

        sent = api.calls_to("sendPhoto")[0]
        assert sent["chat_id"] == 5 and sent["caption"] == "Leak"
        assert sent["photo"].content == b"\x89PNG..."
        assert message.photo[-1].file_id in api.files


def test_unknown_methods_answer_404() -> None:
    with FakeBotApi() as api:
        status, body = asyncio.run(_raw_post(api.base_url + TOKEN + "/noSuchMethod"))
    assert (status, body["error_code"], body["ok"]) == (404, 404, False)


async def _raw_post(url: str) -> tuple[int, dict[str, object]]:
    import httpx

    async with httpx.AsyncClient() as http:
        response = await http.post(url, data={"a": "1"})
    return response.status_code, json.loads(response.content)


# -- Telegram updates -----------------------------------------------------------


def _parse(payload: dict[str, object]) -> tuple[Update, Message, int]:
    """Parse like the webhook will, returning the update, its message and the chat id."""
    update = Update.de_json(payload, None)
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    return update, message, update.effective_chat.id


def test_text_update_parses_with_the_real_library() -> None:
    update, message, chat_id = _parse(text_update(update_id=1, chat_id=42, text="hello"))

    assert chat_id == 42
    assert update.effective_user is not None and update.effective_user.id == 42
    assert message.text == "hello"


def test_command_update_carries_a_bot_command_entity() -> None:
    payload = command_update(update_id=2, chat_id=42, command="/start", payload="123456")
    _, message, _ = _parse(payload)

    assert message.text == "/start 123456"
    assert list(message.parse_entities(["bot_command"]).values()) == ["/start"]


def test_callback_update_parses_with_the_real_library() -> None:
    update, message, chat_id = _parse(callback_update(update_id=3, chat_id=42, data="yes"))

    assert update.callback_query is not None and update.callback_query.data == "yes"
    assert chat_id == 42
    assert message.message_id == 1


def test_contact_update_shares_the_senders_own_number() -> None:
    update, message, _ = _parse(
        contact_update(update_id=4, chat_id=42, phone_number="+447700900123")
    )

    assert message.contact is not None and update.effective_user is not None
    assert message.contact.phone_number == "+447700900123"
    assert message.contact.user_id == update.effective_user.id == 42


def test_photo_update_parses_with_the_largest_size_last() -> None:
    _, message, _ = _parse(photo_update(update_id=5, chat_id=42, file_id="F1", caption="x"))

    assert message.photo[-1].file_id == "F1"
    assert message.caption == "x"


def test_location_update_parses_with_the_real_library() -> None:
    payload = location_update(update_id=6, chat_id=42, latitude=51.5, longitude=-0.12)
    _, message, chat_id = _parse(payload)

    assert message.location is not None
    assert (message.location.latitude, message.location.longitude) == (51.5, -0.12)
    assert chat_id == 42
