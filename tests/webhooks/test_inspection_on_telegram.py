"""An estate walk on Telegram: the notice arrives through the Bot API, COMING is answered
with a button, and MORE lists what the walk found, all through the Telegram webhook."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from models.inspections import Inspection, InspectionRsvp, record_finding
from models.tenants import Identity
from participation import inspection_steps
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.factories import create_area, create_inspection, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import Clock, TelegramChat

WALK_AT = datetime(2026, 4, 7, 9, 30, tzinfo=UTC)  # Tue 7 Apr, 10:30 in London
SETTINGS = Settings(landlord="Fife Housing Group")


def sent_texts(dispatcher: Dispatcher, bot_api: FakeBotApi, chat: TelegramChat) -> list[Any]:
    before = len(bot_api.sent_messages(chat.chat_id))
    dispatcher.run_once()
    return bot_api.sent_messages(chat.chat_id)[before:]


def test_a_telegram_tenant_gets_the_notice_says_yes_by_button_and_reads_the_findings(
    chat: TelegramChat,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
) -> None:
    methil = create_area(db, name="Methil")
    tenant = create_tenant(db, name="Ann Smith", area=methil, channels=())
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    with sessions.begin() as session:
        walk_id = create_inspection(session, area=methil, starts_at=WALK_AT, now=clock()).id

    clock.now = WALK_AT - timedelta(days=7)
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    [notice] = sent_texts(dispatcher, bot_api, chat)
    assert "estate walk in Methil on Tue 7 Apr, 10:30" in notice["text"]

    assert chat.say("COMING").status_code == 200
    [question] = sent_texts(dispatcher, bot_api, chat)
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Yes", "No"]
    assert chat.press(keyboard[0][0]["callback_data"]).status_code == 200
    [see_you] = sent_texts(dispatcher, bot_api, chat)
    assert see_you["text"].startswith("Thank you, see you on Tue 7 Apr, 10:30")
    rsvp = db.scalars(select(InspectionRsvp)).one()
    assert (rsvp.inspection_id, rsvp.tenant_id, rsvp.coming) == (walk_id, tenant.id, True)

    clock.now = WALK_AT + timedelta(hours=2)
    with sessions.begin() as session:
        walk = session.get_one(Inspection, walk_id)
        for found, action in (("Broken stair light", "Replace it"), ("Graffiti", "Clean it")):
            record_finding(
                session,
                walk,
                found=found,
                action=action,
                responsible="Repairs",
                due_on=date(2026, 4, 14),
                now=clock(),
            )
        inspection_steps.close(session, walk, now=clock(), settings=SETTINGS)
    [summary] = sent_texts(dispatcher, bot_api, chat)
    assert "Things to fix: 2." in summary["text"] and "Reply MORE" in summary["text"]

    assert chat.say("MORE").status_code == 200
    listed = [sent["text"] for sent in sent_texts(dispatcher, bot_api, chat)]
    assert listed == [
        "1/2: Broken stair light. Replace it, by Tue 14 Apr.",
        "2/2: Graffiti. Clean it, by Tue 14 Apr.",
    ]
