"""An event's reminders and its news: only to those coming, on time in London, in the
sending window, and never for a time that no longer holds.

Scheduled steps run by calling ``run_due_tasks`` with the test's clock, and messages are
delivered by the dispatcher to the fake Twilio, never by waiting.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from models.events import Event, answer_rsvp, details_of, reminder_key
from models.messages import OutboundRecord
from models.schedule import ScheduledTask
from models.tenants import Area
from participation import event_steps
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_area, create_event, create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone

SETTINGS = Settings(landlord="Fife Housing Group")
# Sat 4 Jul 2026, 14:00 in London (BST)
FUN_DAY_AT = datetime(2026, 7, 4, 13, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def tenants_of(db: Session, client: FlaskClient, area: Area, *numbers: str) -> list[Phone]:
    for number in numbers:
        create_tenant(db, phone=number, area=area)
    db.commit()
    return [Phone(client, n, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL) for n in numbers]


def run_and_deliver(
    sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: Clock, moment: datetime
) -> None:
    clock.now = moment
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    dispatcher.run_once()


def received(fake_twilio: FakeTwilio, phone: Phone) -> list[str]:
    return [message["body"] for message in fake_twilio.sent_to(phone.number)]


def test_reminders_go_the_day_before_and_the_morning_of_to_those_coming_only(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    methil = create_area(db, name="Methil")
    coming, maybe, silent = tenants_of(
        db, client, methil, "+447700900131", "+447700900132", "+447700900133"
    )
    clock.now = datetime(2026, 6, 25, 10, 0, tzinfo=UTC)
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT)
    db.commit()
    for phone, answer in ((coming, "yes"), (maybe, "maybe")):
        phone.text("EVENTS")
        phone.text(answer)
    dispatcher.run_once()
    invited = {phone.number: len(received(fake_twilio, phone)) for phone in (coming, maybe, silent)}
    assert set(invited.values()) == {1}

    day_before = datetime(2026, 7, 3, 13, 0, tzinfo=UTC)  # Fri 3 Jul, 14:00 in London
    run_and_deliver(sessions, dispatcher, clock, day_before - MINUTE)
    assert len(received(fake_twilio, coming)) == 1
    run_and_deliver(sessions, dispatcher, clock, day_before)
    assert received(fake_twilio, coming)[1:] == [
        "Fife Housing Group: reminder, Summer fun day is tomorrow, Sat 4 Jul, 14:00 at Methil "
        "Community Hall. Reply EVENTS if you can no longer come."
    ]
    run_and_deliver(sessions, dispatcher, clock, datetime(2026, 7, 4, 8, 0, tzinfo=UTC))  # 09:00
    assert received(fake_twilio, coming)[2:] == [
        "Fife Housing Group: see you today at Summer fun day, Sat 4 Jul, 14:00 at Methil "
        "Community Hall. Reply EVENTS if you can no longer come."
    ]
    assert len(received(fake_twilio, maybe)) == 1 and len(received(fake_twilio, silent)) == 1


def test_a_moved_event_drops_the_old_reminder_and_its_new_one_fires_at_the_new_time(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    methil = create_area(db, name="Methil")
    (coming,) = tenants_of(db, client, methil, "+447700900131")
    clock.now = datetime(2026, 6, 25, 10, 0, tzinfo=UTC)
    event_id = create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT).id
    db.commit()
    coming.text("EVENTS")
    coming.text("yes")
    dispatcher.run_once()

    later = FUN_DAY_AT + timedelta(days=7)  # Sat 11 Jul, 14:00
    with sessions.begin() as session:
        event = session.get_one(Event, event_id)
        told = event_steps.change(
            session,
            event,
            replace(details_of(event), starts_at=later, ends_at=later + timedelta(hours=3)),
            now=clock(),
            settings=SETTINGS,
        )
    assert told == 1
    dispatcher.run_once()
    assert received(fake_twilio, coming)[-1] == (
        "Fife Housing Group: Summer fun day has moved to Sat 11 Jul, 14:00 at Methil Community "
        "Hall. Reply EVENTS to tell us if you can still come."
    )
    before = len(received(fake_twilio, coming))
    run_and_deliver(sessions, dispatcher, clock, FUN_DAY_AT - timedelta(days=1))
    run_and_deliver(sessions, dispatcher, clock, FUN_DAY_AT - timedelta(hours=4))
    assert len(received(fake_twilio, coming)) == before  # the old time's reminders never fire
    run_and_deliver(sessions, dispatcher, clock, later - timedelta(days=1))
    assert received(fake_twilio, coming)[before:] == [
        "Fife Housing Group: reminder, Summer fun day is tomorrow, Sat 11 Jul, 14:00 at Methil "
        "Community Hall. Reply EVENTS if you can no longer come."
    ]


def test_a_reminder_booked_for_the_old_time_does_nothing_if_it_runs(
    db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    """Even a task that escaped being replaced checks the time it was booked for."""
    methil = create_area(db, name="Methil")
    tenant = create_tenant(db, area=methil)
    db.commit()
    clock.now = datetime(2026, 6, 25, 10, 0, tzinfo=UTC)
    event_id = create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT).id
    db.commit()
    with sessions.begin() as session:
        event = session.get_one(Event, event_id)
        answer_rsvp(session, event, tenant.id, answer="yes", party=1, channel="sms", now=clock())
        task = session.scalars(
            select(ScheduledTask).where(ScheduledTask.key == reminder_key(event_id, "day-before"))
        ).one()
        task.payload = {**task.payload, "starts_at": (FUN_DAY_AT - timedelta(days=1)).isoformat()}
    queued = db.scalar(select(func.count(OutboundRecord.id)))
    clock.now = FUN_DAY_AT - timedelta(days=1)
    assert run_due_tasks(sessions, clock(), settings=SETTINGS) == 1
    assert db.scalar(select(func.count(OutboundRecord.id))) == queued


def test_a_cancelled_event_tells_those_coming_maybe_and_waiting_and_sends_no_reminder(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    methil = create_area(db, name="Methil")
    coming, maybe, no = tenants_of(
        db, client, methil, "+447700900131", "+447700900132", "+447700900133"
    )
    clock.now = datetime(2026, 6, 25, 10, 0, tzinfo=UTC)
    event_id = create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT).id
    db.commit()
    for phone, answer in ((coming, "yes"), (maybe, "maybe"), (no, "no")):
        phone.text("EVENTS")
        phone.text(answer)
    dispatcher.run_once()
    with sessions.begin() as session:
        assert (
            event_steps.cancel(
                session, session.get_one(Event, event_id), now=clock(), settings=SETTINGS
            )
            == 2
        )
    dispatcher.run_once()
    cancelled = (
        "Fife Housing Group: sorry, Summer fun day on Sat 4 Jul, 14:00 is cancelled. "
        "Reply EVENTS to see other events."
    )
    assert received(fake_twilio, coming)[-1] == cancelled
    assert received(fake_twilio, maybe)[-1] == cancelled
    assert cancelled not in received(fake_twilio, no)
    run_and_deliver(sessions, dispatcher, clock, FUN_DAY_AT - timedelta(hours=4))
    assert len(received(fake_twilio, coming)) == 2
