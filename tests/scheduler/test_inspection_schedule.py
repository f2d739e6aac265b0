"""An estate walk's notice and reminder: on time in London, in the sending window, once,
and never for a time that no longer holds.

Scheduled steps run by calling ``run_due_tasks`` with the test's clock, and messages
are delivered by the dispatcher to the fake Twilio, never by waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from models.consent import Topic, record_consent
from models.inspections import Inspection
from models.messages import OutboundRecord
from models.tenants import Area, Tenant
from participation import inspection_steps
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.factories import create_area, create_inspection, create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone

SETTINGS = Settings(landlord="Fife Housing Group")
AREA = "Kirkcaldy Central"
PLACE = "the community flat"
MINUTE = timedelta(minutes=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def notice(when: str) -> str:
    return (
        f"Fife Housing Group: estate walk in {AREA} on {when}. Meet at {PLACE}. Come and show us "
        "what needs fixing. Reply COMING if you can come, or REPORT to tell us about a problem now."
    )


def reminder(when: str) -> str:
    return (
        f"Fife Housing Group: reminder, estate walk in {AREA} on {when}. Meet at {PLACE}. "
        "Reply COMING if you can come, or REPORT to tell us about a problem."
    )


def neighbours(sessions: sessionmaker[Session], *phones: str) -> list[Tenant]:
    """Tenants of the area, one per phone number (a new number for each empty one)."""
    with sessions.begin() as session:
        area = create_area(session, name=AREA)
        tenants = [create_tenant(session, area=area, phone=number or None) for number in phones]
        session.expunge_all()
    return tenants


def book(sessions: sessionmaker[Session], clock: Clock, starts_at: datetime) -> int:
    """A walk in the neighbours' area, booked now."""
    with sessions.begin() as session:
        area = session.scalars(select(Area).where(Area.name == AREA)).one()
        return create_inspection(
            session, area=area, starts_at=starts_at, meeting_point=PLACE, now=clock()
        ).id


def run_at(sessions: sessionmaker[Session], clock: Clock, moment: datetime) -> int:
    clock.now = moment
    return run_due_tasks(sessions, clock(), settings=SETTINGS)


def deliver_at(dispatcher: Dispatcher, clock: Clock, moment: datetime) -> int:
    clock.now = moment
    return dispatcher.run_once()


def received(fake_twilio: FakeTwilio, tenant: Tenant) -> list[str]:
    return [message["body"] for message in fake_twilio.sent_to(tenant.phone or "")]


@pytest.mark.parametrize(
    ("starts_at", "when", "notice_at", "reminder_at"),
    [
        # each goes at the walk's own time of day on the London clock, across a change:
        # the clocks go back on Sunday 25 October: the notice goes in BST, the walk is in GMT
        (
            utc(2026, 10, 26, 10, 30),
            "Mon 26 Oct, 10:30",
            utc(2026, 10, 19, 9, 30),
            utc(2026, 10, 25, 10, 30),
        ),
        # and forward on Sunday 29 March: the notice goes in GMT, the walk is in BST
        (
            utc(2026, 4, 1, 9, 30),
            "Wed 1 Apr, 10:30",
            utc(2026, 3, 25, 10, 30),
            utc(2026, 3, 31, 9, 30),
        ),
    ],
    ids=["end of BST", "start of BST"],
)
def test_the_notice_goes_seven_days_before_and_the_reminder_one_day_before_in_london_time(
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    starts_at: datetime,
    when: str,
    notice_at: datetime,
    reminder_at: datetime,
) -> None:
    (tenant,) = neighbours(sessions, "")
    book(sessions, clock, starts_at)

    run_at(sessions, clock, notice_at - MINUTE)
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, tenant) == []
    run_at(sessions, clock, notice_at)
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, tenant) == [notice(when)]

    run_at(sessions, clock, reminder_at - MINUTE)
    deliver_at(dispatcher, clock, clock())
    assert len(received(fake_twilio, tenant)) == 1
    run_at(sessions, clock, reminder_at)
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, tenant) == [notice(when), reminder(when)]


@pytest.mark.parametrize(
    ("starts_at", "notice_due", "window_opens"),
    [
        # a walk at eight in the morning: its notice would wake people
        (utc(2026, 3, 17, 8, 0), utc(2026, 3, 10, 8, 0), utc(2026, 3, 10, 9, 0)),
        # St Andrew's Day, Monday 30 November 2026, a Scottish bank holiday
        (utc(2026, 12, 7, 10, 0), utc(2026, 11, 30, 10, 0), utc(2026, 12, 1, 9, 0)),
    ],
    ids=["before nine", "st andrews day"],
)
def test_a_notice_due_outside_the_sending_window_waits_in_the_outbox_until_it_opens(
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    starts_at: datetime,
    notice_due: datetime,
    window_opens: datetime,
) -> None:
    (tenant,) = neighbours(sessions, "")
    book(sessions, clock, starts_at)

    run_at(sessions, clock, notice_due)
    db.expire_all()
    (queued,) = db.scalars(select(OutboundRecord))
    assert (queued.kind, queued.topic, queued.next_attempt_at) == (
        "notice",
        "inspections",
        window_opens,
    )
    assert deliver_at(dispatcher, clock, window_opens - MINUTE) == 0
    assert received(fake_twilio, tenant) == []
    deliver_at(dispatcher, clock, window_opens)
    assert len(received(fake_twilio, tenant)) == 1


def test_a_scheduler_down_at_the_notice_time_catches_up_once(
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    first, second = neighbours(sessions, "", "")
    book(sessions, clock, utc(2026, 3, 17, 14, 0))  # notice due Tuesday 10 March, 14:00

    run_at(sessions, clock, utc(2026, 3, 12, 11, 0))  # back on Thursday
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, first) == [notice("Tue 17 Mar, 14:00")]
    assert received(fake_twilio, second) == [notice("Tue 17 Mar, 14:00")]

    run_at(sessions, clock, utc(2026, 3, 16, 14, 0))
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, first)[1:] == [reminder("Tue 17 Mar, 14:00")]
    assert len(received(fake_twilio, second)) == 2


def test_a_scheduler_down_past_the_reminder_time_too_sends_the_notice_alone(
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    (tenant,) = neighbours(sessions, "")
    book(sessions, clock, utc(2026, 3, 17, 14, 0))

    run_at(sessions, clock, utc(2026, 3, 16, 15, 0))  # both fell due while it was down
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, tenant) == [notice("Tue 17 Mar, 14:00")]


def test_a_walk_moved_after_the_notice_drops_the_old_reminder_and_tells_those_told(
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    (told,) = neighbours(sessions, "")
    walk_id = book(sessions, clock, utc(2026, 3, 17, 14, 0))
    run_at(sessions, clock, utc(2026, 3, 10, 14, 0))
    deliver_at(dispatcher, clock, clock())

    clock.now = utc(2026, 3, 12, 12, 0)
    with sessions.begin() as session:
        walk = session.get_one(Inspection, walk_id)
        moved = inspection_steps.change(
            session,
            walk,
            starts_at=utc(2026, 3, 19, 11, 0),
            meeting_point=PLACE,
            officer="",
            notes="",
            now=clock(),
            settings=SETTINGS,
        )
    assert moved == 1
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, told)[1:] == [
        f"Fife Housing Group: the estate walk in {AREA} has moved to Thu 19 Mar, 11:00. "
        f"Meet at {PLACE}. Reply COMING to tell us if you can still come."
    ]

    run_at(sessions, clock, utc(2026, 3, 16, 14, 0))  # the old reminder's time
    deliver_at(dispatcher, clock, clock())
    assert len(received(fake_twilio, told)) == 2
    run_at(sessions, clock, utc(2026, 3, 18, 11, 0))
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, told)[2:] == [reminder("Thu 19 Mar, 11:00")]


def test_a_cancelled_walk_is_told_to_those_told_and_its_reminder_never_fires(
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    told, moved_in_later = neighbours(sessions, "", "")
    walk_id = book(sessions, clock, utc(2026, 3, 17, 14, 0))
    with sessions.begin() as session:  # not in the area yet when the notice went
        session.get_one(Tenant, moved_in_later.id).area_id = None
    run_at(sessions, clock, utc(2026, 3, 10, 14, 0))
    deliver_at(dispatcher, clock, clock())
    with sessions.begin() as session:
        session.get_one(Tenant, moved_in_later.id).area_id = told.area_id

    clock.now = utc(2026, 3, 12, 12, 0)
    with sessions.begin() as session:
        cancelled = inspection_steps.cancel(
            session, session.get_one(Inspection, walk_id), now=clock(), settings=SETTINGS
        )
    assert cancelled == 1
    run_at(sessions, clock, utc(2026, 3, 16, 14, 0))
    run_at(sessions, clock, utc(2026, 3, 17, 14, 0))
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, told) == [
        notice("Tue 17 Mar, 14:00"),
        f"Fife Housing Group: sorry, the estate walk in {AREA} on Tue 17 Mar, 14:00 is "
        "cancelled. Any problem you reported will be looked at on the next walk.",
    ]
    assert received(fake_twilio, moved_in_later) == []


@pytest.mark.parametrize(
    ("cancelled_at", "delivered_at"),
    [
        # 21:00 the evening before a 10:00 walk: waiting for 09:00 would be too late
        (utc(2026, 3, 16, 21, 0), utc(2026, 3, 16, 21, 0)),
        # 06:30 on the morning of the walk: the same
        (utc(2026, 3, 17, 6, 30), utc(2026, 3, 17, 6, 30)),
        # 21:00 two days before: 09:00 tomorrow is soon enough, and nobody is woken
        (utc(2026, 3, 15, 21, 0), utc(2026, 3, 16, 9, 0)),
    ],
    ids=["evening before", "morning of", "two days before"],
)
def test_a_cancellation_shortly_before_the_walk_skips_the_sending_window(
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    cancelled_at: datetime,
    delivered_at: datetime,
) -> None:
    (told,) = neighbours(sessions, "")
    walk_id = book(sessions, clock, utc(2026, 3, 17, 10, 0))
    run_at(sessions, clock, utc(2026, 3, 10, 10, 0))
    deliver_at(dispatcher, clock, clock())

    clock.now = cancelled_at
    with sessions.begin() as session:
        walk = session.get_one(Inspection, walk_id)
        inspection_steps.cancel(session, walk, now=clock(), settings=SETTINGS)
    deliver_at(dispatcher, clock, cancelled_at)
    if delivered_at > cancelled_at:
        assert len(received(fake_twilio, told)) == 1
        deliver_at(dispatcher, clock, delivered_at)
    assert len(received(fake_twilio, told)) == 2
    assert "is cancelled" in received(fake_twilio, told)[1]


def test_a_walk_moved_late_in_the_evening_from_tomorrow_to_next_week_is_told_at_once(
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    """The old time is tomorrow morning: waiting for 09:00 would let tenants set out for it."""
    (told,) = neighbours(sessions, "")
    walk_id = book(sessions, clock, utc(2026, 3, 17, 10, 0))
    run_at(sessions, clock, utc(2026, 3, 10, 10, 0))
    deliver_at(dispatcher, clock, clock())

    clock.now = utc(2026, 3, 16, 21, 0)
    with sessions.begin() as session:
        inspection_steps.change(
            session,
            session.get_one(Inspection, walk_id),
            starts_at=utc(2026, 3, 24, 10, 0),
            meeting_point=PLACE,
            officer="",
            notes="",
            now=clock(),
            settings=SETTINGS,
        )
    deliver_at(dispatcher, clock, clock())
    assert "has moved to Tue 24 Mar, 10:00" in received(fake_twilio, told)[-1]


def test_a_notice_the_window_would_hold_until_the_walk_began_is_not_sent(
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    """Booked at 21:00 for 08:00 tomorrow: a notice at 09:00 would only confuse."""
    (tenant,) = neighbours(sessions, "")
    clock.now = utc(2026, 3, 16, 21, 0)
    book(sessions, clock, utc(2026, 3, 17, 8, 0))
    run_at(sessions, clock, clock())
    deliver_at(dispatcher, clock, utc(2026, 3, 17, 9, 0))
    assert received(fake_twilio, tenant) == []
    with sessions.begin() as session:
        assert session.scalars(select(OutboundRecord)).all() == []


def test_a_tenant_who_opted_out_of_inspection_messages_gets_nothing_while_a_neighbour_does(
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    opted_out, neighbour = neighbours(sessions, "", "")
    record_consent(
        db,
        tenant_id=opted_out.id,
        channel="sms",
        topic=Topic.INSPECTIONS,
        granted=False,
        source="test",
        wording_version="test",
        now=clock(),
    )
    db.commit()
    book(sessions, clock, utc(2026, 3, 17, 14, 0))

    run_at(sessions, clock, utc(2026, 3, 10, 14, 0))
    run_at(sessions, clock, utc(2026, 3, 16, 14, 0))
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, opted_out) == []
    assert received(fake_twilio, neighbour) == [
        notice("Tue 17 Mar, 14:00"),
        reminder("Tue 17 Mar, 14:00"),
    ]


def test_a_notice_during_a_mystery_shop_check_in_does_not_break_it(
    sessions: sessionmaker[Session],
    clock: Clock,
    phone: Phone,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    (shopper,) = neighbours(sessions, phone.number)
    with sessions.begin() as session:
        session.get_one(Tenant, shopper.id).set_roles({"mystery_shopper"})
    book(sessions, clock, utc(2026, 3, 17, 14, 0))

    clock.now = utc(2026, 3, 10, 13, 58)
    assert "Which of our services" in phone.text("SHOP")[0]
    run_at(sessions, clock, utc(2026, 3, 10, 14, 0))
    deliver_at(dispatcher, clock, clock())
    assert received(fake_twilio, shopper) == [notice("Tue 17 Mar, 14:00")]

    assert "When was that?" in phone.text("1")[0]  # the digit still answers the check-in
