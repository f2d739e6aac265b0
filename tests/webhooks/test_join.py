"""JOIN, through the signed Twilio webhook and Telegram: the ways to get involved, asking
to join one, staff granting or declining it in the console, and the tenant hearing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from models.involvement import InvolvementRequest
from models.tenants import Identity, Tenant
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.factories import create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, StaffBrowser, TelegramChat
from tests.staff.shopper_leave import let_see_shoppers

Staff = Callable[[str], StaffBrowser]
SETTINGS = Settings(landlord="Fife Housing Group")
PAGE = "/staff/involvement/"
WAYS = (
    "Ways to get involved. Reply with a number to hear more:\n"
    "1 Mystery shopper\n2 Resident inspector\n3 Volunteer bank\n4 Resident Voices\n"
    "5 Tenants' group\n6 Shareholding member\n7 Board observer\n"
    "Reply 1, 2, 3, 4, 5, 6 or 7"
)
ABOUT_SHOPPER = (
    "Mystery shoppers tell us each month, in 5-10 minutes by text, how our services treated "
    "them. Would you like to join?\n1 Yes, ask to join\n2 No\nReply 1 or 2"
)
ASKED = (
    "Thank you. We have passed your name to our team and will text you when they have looked at it."
)
ALREADY_ASKED = (
    "You have already asked to join this. Our team will text you when they have looked at it."
)
NOT_NOW = "No problem. Text JOIN any time to see the ways to get involved."
GRANTED = (
    "Fife Housing Group: welcome! You have joined: Mystery shopper. "
    "Text MENU to see what you can do."
)
DECLINED = (
    "Fife Housing Group: thank you for offering to join (Board observer). We cannot take you "
    "on for this just now. Text JOIN to see other ways."
)


def requests(db: Session) -> list[tuple[int, str, str, str]]:
    db.expire_all()
    rows = db.scalars(select(InvolvementRequest).order_by(InvolvementRequest.id))
    return [(r.tenant_id, r.role, r.channel, r.status) for r in rows]


def decide(officer: StaffBrowser, db: Session, decision: str) -> Any:
    request_id = db.scalars(select(InvolvementRequest.id)).all()[-1]
    return officer.submit(PAGE, f"/staff/involvement/{request_id}/{decision}", {})


def received(fake_twilio: FakeTwilio, tenant: Tenant) -> list[str]:
    return [message["body"] for message in fake_twilio.sent_to(tenant.phone or "")]


def test_a_tenant_asks_by_sms_staff_grant_it_the_tenant_hears_and_gets_shop_in_the_menu(
    phone: Phone,
    tenant: Tenant,
    db: Session,
    staff_as: Staff,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    assert phone.text("MENU")[0].count("Mystery shopper check-in") == 0
    assert phone.text("join") == [WAYS]
    assert phone.text("9") == [
        "Sorry, I did not understand. Please reply 1, 2, 3, 4, 5, 6 or 7. Text HELP for help."
    ]
    assert phone.text("1") == [ABOUT_SHOPPER]
    assert phone.text("maybe") == [
        "Sorry, I did not understand. Please reply 1 or 2. Text HELP for help."
    ]
    assert phone.text("1") == [ASKED]
    assert requests(db) == [(tenant.id, "mystery_shopper", "sms", "new")]
    assert phone.text("JOIN") == [WAYS]
    phone.text("mystery shopper")
    assert phone.text("yes") == [ALREADY_ASKED]
    assert len(requests(db)) == 1

    blind = staff_as("officer")  # who asks to become a shopper is for permitted eyes only
    assert "<strong>0</strong> requests to get involved" in blind.client.get("/staff/").text
    assert "Ann Smith" not in blind.client.get(PAGE).text
    assert decide(blind, db, "grant").status_code == 404
    officer = staff_as("officer")
    let_see_shoppers(db, officer.email)
    dashboard = officer.client.get("/staff/").get_data(as_text=True)
    assert "<strong>1</strong> request to get involved" in dashboard
    page = officer.client.get(PAGE).get_data(as_text=True)
    assert 'id="new-requests">1</strong>' in page
    assert "Ann Smith" in page and "Methil" in page and "Mystery shopper" in page and "SMS" in page

    clock.now = datetime(2026, 3, 3, 21, 0, tzinfo=UTC)  # evening: the news waits for 09:00
    assert decide(officer, db, "grant").status_code == 302
    assert requests(db) == [(tenant.id, "mystery_shopper", "sms", "granted")]
    db.expire_all()
    assert db.get_one(Tenant, tenant.id).role_names == {"mystery_shopper"}
    dispatcher.run_once()
    assert received(fake_twilio, tenant) == []
    clock.now = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    dispatcher.run_once()
    assert received(fake_twilio, tenant) == [GRANTED]

    assert "Mystery shopper check-in" in phone.text("MENU")[0]
    assert "Mystery shopper (you are one)" in phone.text("JOIN")[0]
    assert phone.text("1") == [
        "You are already a mystery shopper. Thank you! Text JOIN to see the other ways."
    ]
    assert decide(officer, db, "decline").status_code == 409  # decided once


def test_a_declined_tenant_is_told_and_gets_no_role(
    phone: Phone,
    tenant: Tenant,
    db: Session,
    staff_as: Staff,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    phone.text("JOIN")
    assert phone.text("7")[0].startswith("Board observers sit in on Board meetings")
    assert phone.text("1") == [ASKED]
    assert decide(staff_as("viewer"), db, "decline").status_code == 403
    assert decide(staff_as("officer"), db, "decline").status_code == 302
    assert requests(db) == [(tenant.id, "board_observer", "sms", "declined")]
    db.expire_all()
    assert db.get_one(Tenant, tenant.id).role_names == set()
    dispatcher.run_once()
    assert received(fake_twilio, tenant) == [DECLINED]


def test_saying_no_records_nothing(phone: Phone, tenant: Tenant, db: Session) -> None:
    phone.text("JOIN")
    phone.text("3")
    assert phone.text("2") == [NOT_NOW]
    assert requests(db) == []


def test_join_describes_inspectors_voices_and_members_as_the_strategy_does(
    phone: Phone, tenant: Tenant
) -> None:
    said = {}
    for number, role in (("2", "inspector"), ("4", "voices"), ("6", "member")):
        phone.text("JOIN")
        said[role] = phone.text(number)[0]
        phone.text("2")  # not now
    assert said["inspector"].startswith(
        "Resident inspectors look round empty homes before new tenants move in"
    )
    assert "up to 12 who meet in person each month" in said["voices"]
    assert said["member"].startswith(
        "Shareholding members pay 1 pound and the Board must say yes. You get a share "
        "certificate, our rules and an invite to our yearly general meeting."
    )
    assert "vote" not in said["member"].lower()


def sent_texts(dispatcher: Dispatcher, bot_api: FakeBotApi, chat: TelegramChat) -> list[Any]:
    before = len(bot_api.sent_messages(chat.chat_id))
    dispatcher.run_once()
    return bot_api.sent_messages(chat.chat_id)[before:]


def test_a_telegram_tenant_asks_to_join_with_buttons(
    chat: TelegramChat,
    db: Session,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
) -> None:
    tenant = create_tenant(db, name="Piotr Nowak", channels=())
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    assert chat.say("JOIN").status_code == 200
    [ways] = sent_texts(dispatcher, bot_api, chat)
    keyboard = ways["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard][-1] == "Board observer"
    assert chat.press(keyboard[3][0]["callback_data"]).status_code == 200
    [about] = sent_texts(dispatcher, bot_api, chat)
    assert about["text"].startswith("Resident Voices is a group of up to 12 who meet in person")
    assert (
        chat.press(about["reply_markup"]["inline_keyboard"][0][0]["callback_data"]).status_code
        == 200
    )
    [asked] = sent_texts(dispatcher, bot_api, chat)
    assert asked["text"] == ASKED
    assert requests(db) == [(tenant.id, "voices", "telegram", "new")]
