"""The survey after a repair: registered through the API, sent the next day in the
sending window, and answered end to end by SMS (signed Twilio webhook) and Telegram.

Scheduled steps run by calling ``run_due_tasks`` with the test's clock; notices are
delivered by the dispatcher to the fake Twilio and the fake Bot API.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from models.consent import Topic, record_consent
from models.mystery_shopping import StaffAlert
from models.repairs import Repair
from models.tenants import Identity, Tenant
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.factories import create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, TelegramChat

SETTINGS = Settings(landlord="Fife Housing Group")
FINISHED = datetime(2026, 3, 3, 14, 30, tzinfo=UTC)  # Tue 3 Mar, 14:30 in London (GMT)
NEXT_MORNING = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # Wed 4 Mar, 09:00 in London
NOTICE = (
    "Fife Housing Group: your plumbing repair was finished on Tue 3 Mar. How did we do? "
    "Reply SURVEY to answer 3 quick questions."
)
SATISFACTION = (
    "How happy are you with your plumbing repair? 1 is very unhappy, 5 is very happy.\n"
    "1 Very unhappy\n2 Unhappy\n3 Neither\n4 Happy\n5 Very happy\nReply 1, 2, 3, 4 or 5"
)
FIRST_TIME = "Was it fixed the first time, with no need to come back?\n1 Yes\n2 No\nReply 1 or 2"
COMMENT = "Anything else to tell us about this repair? Send a few words, or SKIP."
THANKS = "Thank you. Your answers help us make repairs better."
SORRY = "Thank you. We are sorry it was not right. Our repairs team will look at what you told us."
NO_SURVEY = "There is no repair survey waiting for you just now. Text MENU to see what you can do."
PICK_1_TO_5 = "Sorry, I did not understand. Please reply 1, 2, 3, 4 or 5. Text HELP for help."
PICK_1_OR_2 = "Sorry, I did not understand. Please reply 1 or 2. Text HELP for help."
EMPTY = "Sorry, that was empty. Please reply with a few words. Text HELP for help."


def register(
    client: FlaskClient,
    headers: dict[str, str],
    tenant: Tenant,
    *,
    reference: str = "JOB-1001",
    job_type: str = "Plumbing",
    completed_at: datetime = FINISHED,
) -> Any:
    response = client.post(
        "/api/v1/repairs",
        json={
            "phone": tenant.phone,
            "job_reference": reference,
            "job_type": job_type,
            "completed_at": completed_at.isoformat(),
        },
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliver_at(
    sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: Clock, moment: datetime
) -> None:
    clock.now = moment
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    dispatcher.run_once()


def received(fake_twilio: FakeTwilio, tenant: Tenant) -> list[str]:
    return [message["body"] for message in fake_twilio.sent_to(tenant.phone or "")]


@pytest.fixture(autouse=True)
def repair_just_finished(clock: Clock) -> None:
    clock.now = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


@pytest.fixture
def tenant(db: Session, phone: Phone) -> Tenant:
    tenant = create_tenant(db, name="Ann Smith", phone=phone.number)
    db.commit()
    return tenant


@pytest.fixture
def officer(api_token: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return api_token("officer")


def answers(db: Session) -> list[tuple[int | None, bool | None, str | None, str | None]]:
    db.expire_all()
    return [
        (r.satisfaction, r.right_first_time, r.comment, r.channel)
        for r in db.scalars(select(Repair))
    ]


def test_the_survey_goes_the_next_morning_and_is_answered_by_sms_with_bad_input_at_each_step(
    client: FlaskClient,
    officer: dict[str, str],
    tenant: Tenant,
    phone: Phone,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    register(client, officer, tenant)

    deliver_at(sessions, dispatcher, clock, datetime(2026, 3, 3, 19, 59, tzinfo=UTC))
    deliver_at(sessions, dispatcher, clock, datetime(2026, 3, 4, 3, 0, tzinfo=UTC))
    assert received(fake_twilio, tenant) == []  # not the same evening, not at night
    deliver_at(sessions, dispatcher, clock, NEXT_MORNING)
    assert received(fake_twilio, tenant) == [NOTICE]

    assert phone.text("survey") == [SATISFACTION]
    assert phone.text("7") == [PICK_1_TO_5]
    assert phone.text("4") == [FIRST_TIME]
    assert phone.text("maybe") == [PICK_1_OR_2]
    assert phone.text("yes") == [COMMENT]
    assert phone.text("  ") == [EMPTY]
    assert phone.text("The plumber was quick and tidy") == [THANKS]
    assert answers(db) == [(4, True, "The plumber was quick and tidy", "sms")]
    assert db.scalars(select(StaffAlert)).all() == []

    assert phone.text("SURVEY") == [NO_SURVEY]  # answered: nothing waits


def test_a_low_score_with_skip_alerts_staff_without_naming_the_tenant(
    client: FlaskClient,
    officer: dict[str, str],
    tenant: Tenant,
    phone: Phone,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
) -> None:
    register(client, officer, tenant, reference="J-77", job_type="electrician")
    deliver_at(sessions, dispatcher, clock, NEXT_MORNING)

    assert phone.text("SURVEY")[0].startswith("How happy are you with your electrical repair?")
    assert phone.text("very unhappy") == [FIRST_TIME]
    assert phone.text("2") == [COMMENT]
    assert phone.text("skip") == [SORRY]
    assert answers(db) == [(1, False, None, "sms")]
    [alert] = db.scalars(select(StaffAlert)).all()
    assert alert.kind == "repair_survey"
    assert alert.summary == "Electrical repair J-77: satisfaction 1/5, not right first time."
    assert "Ann" not in alert.summary


def test_the_survey_waits_for_the_day_after_a_scottish_bank_holiday(
    client: FlaskClient,
    officer: dict[str, str],
    tenant: Tenant,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    clock.now = datetime(2026, 5, 3, 12, 0, tzinfo=UTC)  # Sunday; Monday 4 May is a holiday
    register(client, officer, tenant, completed_at=datetime(2026, 5, 3, 10, 0, tzinfo=UTC))

    deliver_at(sessions, dispatcher, clock, datetime(2026, 5, 4, 8, 0, tzinfo=UTC))
    deliver_at(sessions, dispatcher, clock, datetime(2026, 5, 4, 15, 0, tzinfo=UTC))
    assert received(fake_twilio, tenant) == []
    deliver_at(sessions, dispatcher, clock, datetime(2026, 5, 5, 8, 0, tzinfo=UTC))  # 09:00 BST
    assert received(fake_twilio, tenant) == [NOTICE.replace("Tue 3 Mar", "Sun 3 May")]


def test_a_tenant_who_opted_out_of_surveys_gets_no_survey(
    client: FlaskClient,
    officer: dict[str, str],
    tenant: Tenant,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    record_consent(
        db,
        tenant_id=tenant.id,
        channel="sms",
        topic=Topic.SURVEYS,
        granted=False,
        source="test",
        wording_version="v1",
        now=clock(),
    )
    db.commit()
    register(client, officer, tenant)
    deliver_at(sessions, dispatcher, clock, NEXT_MORNING)
    deliver_at(sessions, dispatcher, clock, datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    assert received(fake_twilio, tenant) == []


def test_a_tenant_without_a_survey_waiting_is_told_so(tenant: Tenant, phone: Phone) -> None:
    assert phone.text("SURVEY") == [NO_SURVEY]


def sent_texts(dispatcher: Dispatcher, bot_api: FakeBotApi, chat: TelegramChat) -> list[Any]:
    before = len(bot_api.sent_messages(chat.chat_id))
    dispatcher.run_once()
    return bot_api.sent_messages(chat.chat_id)[before:]


def test_a_telegram_tenant_answers_the_survey_with_buttons_and_words(
    client: FlaskClient,
    officer: dict[str, str],
    chat: TelegramChat,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
) -> None:
    tenant = create_tenant(db, name="Piotr Nowak", language="pl", channels=())
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    response = client.post(
        "/api/v1/repairs",
        json={
            "tenant_id": tenant.id,
            "job_reference": "HMS/2026/0042",
            "job_type": "heating",
            "completed_at": "2026-03-03T14:30:00Z",
        },
        headers=officer,
    )
    assert response.status_code == 201
    clock.now = NEXT_MORNING
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    [notice] = sent_texts(dispatcher, bot_api, chat)
    assert "naprawa (ogrzewanie) zakonczona" in notice["text"]
    assert "ANKIETA" in notice["text"]

    assert chat.say("ankieta").status_code == 200
    [question] = sent_texts(dispatcher, bot_api, chat)
    keyboard = question["reply_markup"]["inline_keyboard"]
    assert keyboard[0][0]["text"] == "Bardzo zle"
    assert chat.say("nie wiem").status_code == 200
    [again] = sent_texts(dispatcher, bot_api, chat)
    assert again["text"].startswith("Przepraszamy, nie rozumiemy. Odpowiedz 1, 2, 3, 4 lub 5.")
    assert chat.press(keyboard[4][0]["callback_data"]).status_code == 200
    [first_time] = sent_texts(dispatcher, bot_api, chat)
    buttons = first_time["reply_markup"]["inline_keyboard"]
    assert chat.press(buttons[0][0]["callback_data"]).status_code == 200
    [comment] = sent_texts(dispatcher, bot_api, chat)
    assert "POMIN" in comment["text"]
    assert chat.say("POMIN").status_code == 200
    [thanks] = sent_texts(dispatcher, bot_api, chat)
    assert thanks["text"].startswith("Dziekujemy.")
    assert answers(db) == [(5, True, None, "telegram")]
