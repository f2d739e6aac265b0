"""Topics in the tenant's hands: STOP EVENTS, START EVENTS and PREFS, through signed webhooks.

STOP alone still stops everything; STOP with a topic stops only that topic, on every
channel, and every change is in the consent log with the wording the tenant was told.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.consent import ConsentChange, topics_of
from models.messages import OutboundRecord
from models.tenants import Area, Identity, Tenant
from scheduler.dispatcher import Dispatcher
from tests.factories import create_event, create_poll, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, TelegramChat

FUN_DAY_AT = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
POLL_CLOSES_AT = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
STOPPED_EVENTS = (
    "OK. You will get no more texts about events. Text START EVENTS to get them again, "
    "or PREFS to choose what you get."
)


def received(fake_twilio: FakeTwilio, tenant: Tenant) -> list[str]:
    return [message["body"] for message in fake_twilio.sent_to(tenant.phone or "")]


def test_a_tenant_who_texts_stop_events_gets_no_event_invitation_but_still_gets_a_poll(
    phone: Phone,
    tenant: Tenant,
    methil: Area,
    clock: Clock,
    db: Session,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    assert phone.text("Stop events") == [STOPPED_EVENTS]
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT)
    create_poll(db, now=clock(), closes_at=POLL_CLOSES_AT)
    db.commit()
    dispatcher.run_once()
    got = received(fake_twilio, tenant)
    assert not any("Summer fun day" in body for body in got)
    assert any("Which rent rise do you prefer for 2027?" in body for body in got)


def test_stop_events_does_not_go_to_the_staff_inbox_and_start_events_brings_them_back(
    phone: Phone, tenant: Tenant, methil: Area, clock: Clock, db: Session
) -> None:
    phone.text("STOP EVENTS")
    assert phone.text("START EVENTS") == [
        "OK. You will get texts about events again. Text PREFS to choose what you get."
    ]
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT)
    db.commit()
    invited = db.scalars(select(OutboundRecord.tenant_id).where(OutboundRecord.topic == "events"))
    assert list(invited) == [tenant.id]
    assert topics_of(db, tenant.id)["events"] is True


def test_each_topic_word_stops_its_own_topic_and_leaves_the_others_on(
    phone: Phone, tenant: Tenant, db: Session
) -> None:
    for words in ("STOP POLLS", "stop walks", "STOP NEWS"):
        assert phone.text(words)[0].startswith("OK. You will get no more")
    assert topics_of(db, tenant.id) == {
        "events": True,
        "surveys": False,
        "news": False,
        "inspections": False,
    }


def test_stop_alone_still_stops_everything_and_a_topic_stop_is_not_a_channel_stop(
    phone: Phone, tenant: Tenant, db: Session
) -> None:
    phone.text("STOP NEWS")
    assert phone.text("MENU")[0].startswith("What would you like to do?")
    assert phone.text("STOP") == [
        "You will get no more texts from Fife Housing Group. Text START to get them again."
    ]


def test_every_topic_change_is_in_the_consent_log_with_its_wording_and_source(
    phone: Phone, tenant: Tenant, db: Session
) -> None:
    phone.text("STOP EVENTS")
    logged = db.scalars(select(ConsentChange).where(ConsentChange.tenant_id == tenant.id)).all()
    assert {(row.channel, row.topic, row.granted, row.source) for row in logged} == {
        (channel, "events", False, "keyword STOP EVENTS")
        for channel in ("sms", "telegram", "voice")
    }
    assert all(row.wording_version not in ("", "test") for row in logged)


def test_a_topic_stopped_in_polish_is_answered_in_polish(
    db: Session, phone: Phone, methil: Area
) -> None:
    polish = create_tenant(db, phone=phone.number, area=methil, language="pl")
    db.commit()
    assert phone.text("STOP POLLS")[0].startswith("OK. Nie będziesz już dostawać ankiet")
    assert topics_of(db, polish.id)["surveys"] is False


PREFS_ALL_ON = (
    "Which texts do you want? Pick one to switch it on or off.\n"
    "1 Events: on\n2 Polls and surveys: on\n3 News: on\n4 Estate walks: on\n"
    "Reply 1, 2, 3 or 4"
)


def test_prefs_lists_each_topic_on_or_off_and_a_digit_switches_it(
    phone: Phone, tenant: Tenant, db: Session
) -> None:
    assert phone.text("PREFS") == [PREFS_ALL_ON]
    assert phone.text("3") == [
        "OK. You will get no more news texts. Text START NEWS to get them again, "
        "or PREFS to choose what you get."
    ]
    assert "3 News: off" in phone.text("prefs")[0]
    assert phone.text("3")[0].startswith("OK. You will get news texts again.")
    assert topics_of(db, tenant.id)["news"] is True


def test_prefs_on_telegram_comes_as_buttons_that_switch_a_topic(
    db: Session, chat: TelegramChat, dispatcher: Dispatcher, bot_api: FakeBotApi
) -> None:
    tenant = create_tenant(db, channels=())
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    assert chat.say("PREFS").status_code == 200
    dispatcher.run_once()
    [asked] = bot_api.sent_messages(chat.chat_id)
    keyboard = asked["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == [
        "Events: on",
        "Polls and surveys: on",
        "News: on",
        "Estate walks: on",
    ]
    assert chat.press(keyboard[0][0]["callback_data"]).status_code == 200
    assert topics_of(db, tenant.id)["events"] is False
