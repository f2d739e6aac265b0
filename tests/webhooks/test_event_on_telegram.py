"""An event on Telegram: the invitation arrives through the Bot API, and EVENTS is answered,
and answered again, with the Yes / No / Maybe buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.events import EventRsvp
from models.tenants import Identity
from scheduler.dispatcher import Dispatcher
from tests.factories import create_area, create_event, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import Clock, TelegramChat

FUN_DAY_AT = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # Sat 14 Mar, 12:00 in London


def sent_texts(dispatcher: Dispatcher, bot_api: FakeBotApi, chat: TelegramChat) -> list[Any]:
    before = len(bot_api.sent_messages(chat.chat_id))
    dispatcher.run_once()
    return bot_api.sent_messages(chat.chat_id)[before:]


def telegram_tenant(db: Session, chat: TelegramChat) -> int:
    tenant = create_tenant(db, name="Ann Smith", area=create_area(db, name="Methil"), channels=())
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    return tenant.id


def test_a_telegram_tenant_is_invited_answers_by_button_and_can_change_to_maybe(
    chat: TelegramChat,
    db: Session,
    clock: Clock,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
) -> None:
    tenant_id = telegram_tenant(db, chat)
    create_event(db, now=clock(), starts_at=FUN_DAY_AT, capacity=30)
    db.commit()

    [invitation] = sent_texts(dispatcher, bot_api, chat)
    assert invitation["text"] == (
        "Fife Housing Group: Summer fun day, Sat 14 Mar, 12:00 at Methil Community Hall. "
        "Reply EVENTS to say if you can come."
    )
    assert chat.say("EVENTS").status_code == 200
    [question] = sent_texts(dispatcher, bot_api, chat)
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Yes", "No", "Maybe"]
    assert chat.press(keyboard[0][0]["callback_data"]).status_code == 200
    [see_you] = sent_texts(dispatcher, bot_api, chat)
    assert see_you["text"].startswith("Thank you, see you at Summer fun day on Sat 14 Mar, 12:00")
    rsvp = db.scalars(select(EventRsvp)).one()
    assert (rsvp.tenant_id, rsvp.answer, rsvp.channel) == (tenant_id, "yes", "telegram")

    chat.say("EVENTS")
    [question] = sent_texts(dispatcher, bot_api, chat)
    assert "Your answer now: coming." in question["text"]
    chat.press(question["reply_markup"]["inline_keyboard"][2][0]["callback_data"])
    sent_texts(dispatcher, bot_api, chat)
    db.expire_all()
    assert db.scalars(select(EventRsvp.answer)).one() == "maybe"


def test_with_two_events_the_list_comes_as_buttons_that_choose_the_event(
    chat: TelegramChat,
    db: Session,
    clock: Clock,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
) -> None:
    telegram_tenant(db, chat)
    create_event(db, now=clock(), starts_at=FUN_DAY_AT, capacity=30)
    days_later = FUN_DAY_AT + timedelta(days=3)
    create_event(db, now=clock(), title="Monthly drop-in", starts_at=days_later, capacity=30)
    db.commit()
    sent_texts(dispatcher, bot_api, chat)  # the two invitations

    chat.say("EVENTS")
    [listing] = sent_texts(dispatcher, bot_api, chat)
    assert listing["text"] == "Events coming up. Which one do you want to answer?"
    keyboard = listing["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == [
        "Summer fun day, Sat 14 Mar, 12:00",
        "Monthly drop-in, Tue 17 Mar, 12:00",
    ]
    chat.press(keyboard[1][0]["callback_data"])
    [question] = sent_texts(dispatcher, bot_api, chat)
    assert question["text"].startswith("Monthly drop-in, Tue 17 Mar, 12:00")
