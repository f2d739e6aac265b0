"""VOTE, the tenant's side of a poll, through the signed Twilio webhook and Telegram.

Polls are published by participation.poll_steps (as the console and the API do); the invitation,
reminders and outcome are delivered by the scheduler's due tasks and the dispatcher.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from models.audiences import Audience
from models.consent import Topic, record_consent
from models.polls import Poll, PollStatus, PollVote
from models.tenants import Area, Identity, Tenant
from participation import poll_steps
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_area, create_poll, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, TelegramChat

SETTINGS = Settings(landlord="Fife Housing Group")
CLOSES_AT = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # Tue 10 Mar, 17:00 in London
QUESTION = "Which rent rise do you prefer for 2027?"
OPTIONS = ("3% rise", "4% with new kitchens")
ASK = (
    "Which rent rise do you prefer for 2027? Vote by Tue 10 Mar, 17:00.\n"
    "1 3% rise\n2 4% with new kitchens\nReply 1 or 2"
)


def votes(db: Session) -> list[tuple[int | None, int, str]]:
    db.expire_all()
    return [
        (vote.tenant_id, vote.choice, vote.source)
        for vote in db.scalars(select(PollVote).order_by(PollVote.id))
    ]


def received(fake_twilio: FakeTwilio, tenant: Tenant) -> list[str]:
    return [message["body"] for message in fake_twilio.sent_to(tenant.phone or "")]


def test_vote_asks_the_one_open_poll_and_an_answer_by_number_is_counted(
    phone: Phone, tenant: Tenant, clock: Clock, db: Session
) -> None:
    create_poll(db, now=clock(), closes_at=CLOSES_AT)
    db.commit()
    assert phone.text("VOTE") == [ASK]
    assert phone.text("2") == [
        "Thank you. You voted 4% with new kitchens. Reply VOTE to change it before "
        "Tue 10 Mar, 17:00."
    ]
    assert votes(db) == [(tenant.id, 1, "sms")]


def test_a_vote_by_the_option_word_counts_and_voting_again_changes_it(
    phone: Phone, tenant: Tenant, clock: Clock, db: Session
) -> None:
    create_poll(db, now=clock(), closes_at=CLOSES_AT)
    db.commit()
    phone.text("vote")
    phone.text("3% rise")
    clock.advance(days=1)
    assert phone.text("VOTE") == [ASK]
    assert phone.text("2") == [
        "Thank you, your vote is now 4% with new kitchens. Reply VOTE to change it before "
        "Tue 10 Mar, 17:00."
    ]
    assert votes(db) == [(tenant.id, 1, "sms")]


def test_bad_input_at_the_vote_gets_a_short_reprompt_and_the_question_stays_open(
    phone: Phone, tenant: Tenant, clock: Clock, db: Session
) -> None:
    create_poll(db, now=clock(), closes_at=CLOSES_AT)
    db.commit()
    phone.text("VOTE")
    for nonsense in ("7", "maybe", "x" * 2000, "1 or 2", "🙂", "\x00\x07"):
        assert phone.text(nonsense) == [
            "Sorry, I did not understand. Please reply 1 or 2. Text HELP for help."
        ]
    assert votes(db) == []
    assert phone.text("1")[0].startswith("Thank you. You voted 3% rise.")


def test_with_two_open_polls_vote_lists_them_and_bad_input_there_is_reprompted(
    phone: Phone, tenant: Tenant, clock: Clock, db: Session
) -> None:
    create_poll(db, now=clock(), closes_at=CLOSES_AT)
    create_poll(
        db,
        now=clock(),
        closes_at=CLOSES_AT,
        question="Should the Methil office open on Saturdays?",
        options=("Yes", "No"),
    )
    db.commit()
    [listing] = phone.text("VOTE")
    assert listing.startswith("Which poll do you want to answer?\n1 Which rent rise")
    assert "\n2 Should the Methil office open on..." in listing
    assert phone.text("3") == [
        "Sorry, I did not understand. Please reply 1 or 2. Text HELP for help."
    ]
    [asked] = phone.text("2")
    assert asked.startswith("Should the Methil office open on Saturdays? Vote by Tue 10 Mar")
    assert asked.endswith("\n1 Yes\n2 No\nReply 1 or 2")
    phone.text("no")
    assert [choice for _, choice, _ in votes(db)] == [1]


def test_a_vote_after_the_close_is_refused_with_a_clear_answer(
    phone: Phone, tenant: Tenant, sessions: sessionmaker[Session], clock: Clock, db: Session
) -> None:
    create_poll(db, now=clock(), closes_at=CLOSES_AT)
    db.commit()
    clock.now = CLOSES_AT - timedelta(hours=1)
    phone.text("VOTE")
    clock.now = CLOSES_AT + timedelta(minutes=1)
    closed = (
        "Sorry, voting closed on Tue 10 Mar, 17:00. Everyone who voted will hear what we decided."
    )
    assert phone.text("1") == [closed]
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    assert phone.text("VOTE") == [closed]
    assert votes(db) == []
    assert db.scalars(select(Poll.status)).one() == PollStatus.CLOSED


def test_with_no_poll_vote_is_not_a_keyword_and_goes_to_the_team(
    phone: Phone, tenant: Tenant
) -> None:
    assert phone.text("VOTE") != [ASK]


def test_a_vote_on_sms_can_be_changed_on_telegram_and_only_the_latest_counts(
    phone: Phone,
    chat: TelegramChat,
    tenant: Tenant,
    db: Session,
    clock: Clock,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
) -> None:
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.merge(tenant)
    db.commit()
    create_poll(db, now=clock(), closes_at=CLOSES_AT)
    db.commit()
    phone.text("VOTE")
    phone.text("1")
    assert chat.say("VOTE").status_code == 200
    dispatcher.run_once()
    [asked] = bot_api.sent_messages(chat.chat_id)
    assert asked["text"] == f"{QUESTION} Vote by Tue 10 Mar, 17:00."  # the options are buttons
    keyboard = [button for row in asked["reply_markup"]["inline_keyboard"] for button in row]
    assert [(b["text"], b["callback_data"]) for b in keyboard] == [
        (OPTIONS[0], "1"),
        (OPTIONS[1], "2"),
    ]
    assert chat.press("2").status_code == 200
    dispatcher.run_once()
    assert bot_api.sent_messages(chat.chat_id)[-1]["text"].startswith(
        "Thank you, your vote is now 4% with new kitchens."
    )
    assert votes(db) == [(tenant.id, 1, "telegram")]


def test_in_a_household_poll_the_second_members_vote_replaces_the_first_and_says_so(
    db: Session, clock: Clock, client: FlaskClient, methil: Area
) -> None:
    first = create_tenant(db, name="Ann Smith", area=methil)
    second = create_tenant(db, name="Bob Smith", area=methil)
    first.tenancy = second.tenancy = "T-0042"
    db.commit()
    create_poll(db, now=clock(), closes_at=CLOSES_AT, per_household=True)
    db.commit()
    ann, bob = (
        Phone(client, t.phone or "", auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
        for t in (first, second)
    )
    ann.text("VOTE")
    ann.text("1")
    bob.text("VOTE")
    assert bob.text("2") == [
        "Thank you. You voted 4% with new kitchens. Your home has one vote, so this replaces "
        "the answer someone else in your household gave. Reply VOTE to change it."
    ]
    assert votes(db) == [(second.id, 1, "sms")]


def test_a_paper_vote_entered_by_staff_counts_and_the_tenants_own_later_vote_replaces_it(
    phone: Phone, tenant: Tenant, db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    poll_id = create_poll(db, now=clock(), closes_at=CLOSES_AT).id
    db.commit()
    with sessions.begin() as session:
        poll_steps.vote_for_tenant(
            session,
            session.get_one(Poll, poll_id),
            session.get_one(Tenant, tenant.id),
            choice=0,
            source="paper",
            staff_id=None,
            now=clock(),
            settings=SETTINGS,
        )
    assert votes(db) == [(tenant.id, 0, "paper")]
    phone.text("VOTE")
    assert phone.text("2")[0].startswith("Thank you, your vote is now 4% with new kitchens.")
    assert votes(db) == [(tenant.id, 1, "sms")]


def test_the_reminder_reaches_only_those_who_have_not_voted(
    phone: Phone,
    tenant: Tenant,
    methil: Area,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    neighbour = create_tenant(db, name="Cat Brown", area=methil)
    db.commit()
    create_poll(db, now=clock(), closes_at=CLOSES_AT, reminder_days=2)
    db.commit()
    dispatcher.run_once()
    assert received(fake_twilio, neighbour)[0].startswith(
        "Fife Housing Group wants your view: Which rent rise do you prefer for 2027? "
        "Reply VOTE to answer by Tue 10 Mar, 17:00."
    )
    phone.text("VOTE")
    phone.text("1")
    before = {t.id: len(received(fake_twilio, t)) for t in (tenant, neighbour)}
    clock.now = CLOSES_AT - timedelta(days=2)
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    dispatcher.run_once()
    assert received(fake_twilio, neighbour)[before[neighbour.id] :] == [
        "Reminder: Fife Housing Group wants your view: Which rent rise do you prefer for 2027? "
        "Reply VOTE to answer by Tue 10 Mar, 17:00."
    ]
    assert len(received(fake_twilio, tenant)) == before[tenant.id]


def test_the_closing_task_closes_the_poll_at_its_time_and_no_vote_counts_after(
    phone: Phone, tenant: Tenant, db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    create_poll(db, now=clock(), closes_at=CLOSES_AT)
    db.commit()
    clock.now = CLOSES_AT - timedelta(minutes=1)
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    assert db.scalars(select(Poll.status)).one() == PollStatus.OPEN
    clock.now = CLOSES_AT
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    db.expire_all()
    assert db.scalars(select(Poll.status)).one() == PollStatus.CLOSED
    phone.text("VOTE")
    assert votes(db) == []


def test_the_outcome_reaches_everyone_who_took_part_and_nobody_else(
    phone: Phone,
    tenant: Tenant,
    methil: Area,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    bystander = create_tenant(db, name="Dan Gray", area=methil)
    db.commit()
    poll_id = create_poll(db, now=clock(), closes_at=CLOSES_AT).id
    db.commit()
    phone.text("VOTE")
    phone.text("1")
    dispatcher.run_once()
    before = {t.id: len(received(fake_twilio, t)) for t in (tenant, bystander)}
    clock.now = CLOSES_AT + timedelta(hours=16)  # 09:00 the next morning
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    with sessions.begin() as session:
        told = poll_steps.publish_outcome(
            session,
            session.get_one(Poll, poll_id),
            outcome="Rents rise 3% in April.",
            staff_id=None,
            now=clock(),
            settings=SETTINGS,
        )
    assert told == 1
    dispatcher.run_once()
    assert received(fake_twilio, tenant)[before[tenant.id] :] == [
        "You said, we did: Rents rise 3% in April. Thank you for taking part. Fife Housing Group"
    ]
    assert len(received(fake_twilio, bystander)) == before[bystander.id]


def test_a_tenant_opted_out_of_surveys_gets_no_invitation_while_a_neighbour_does(
    tenant: Tenant,
    methil: Area,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    neighbour = create_tenant(db, name="Cat Brown", area=methil)
    record_consent(
        db,
        tenant_id=tenant.id,
        channel="sms",
        topic=Topic.SURVEYS,
        granted=False,
        source="test",
        wording_version="test",
        now=clock(),
    )
    db.commit()
    create_poll(db, now=clock(), closes_at=CLOSES_AT, reminder_days=1)
    db.commit()
    dispatcher.run_once()
    clock.now = CLOSES_AT - timedelta(days=1)
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    dispatcher.run_once()
    assert received(fake_twilio, tenant) == []
    assert len(received(fake_twilio, neighbour)) == 2


def test_an_area_poll_is_not_offered_to_a_tenant_of_another_area(
    phone: Phone, tenant: Tenant, db: Session, clock: Clock
) -> None:
    elsewhere = create_area(db, name="Leven")
    db.commit()
    create_poll(
        db, now=clock(), closes_at=CLOSES_AT, audience=Audience(area_ids=frozenset({elsewhere.id}))
    )
    db.commit()
    assert phone.text("VOTE") != [ASK]
    assert votes(db) == []
