"""The monthly mystery shop invitation and reminder: on time in London, once, to the right people.

Scheduled steps run by calling ``run_due_tasks`` with the test's clock, never by waiting.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from doorstep.config import Config, ConfigError
from models.consent import Topic, record_consent
from models.messages import OutboundRecord, OutboxStatus
from models.mystery_shopping import MysteryShopCheckIn, response_rate
from models.schedule import ScheduledTask, TaskStatus
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from scheduler.mystery_shop_tasks import MonthlyDay, MysteryShopPlan, invitation_key
from scheduler.process import SchedulerProcess
from scheduler.tasks import run_due_tasks
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone

INVITATION = (
    "Fife Housing Group: it's time for this month's mystery shopper check-in. "
    "It takes 5 minutes. Reply SHOP to start."
)
REMINDER = "Fife Housing Group: this month's mystery shopper check-in is still open."
BEFORE_MARCH = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
MARCH_INVITATION = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # first Tuesday, 10:00 GMT
APRIL_INVITATION = datetime(2026, 4, 7, 9, 0, tzinfo=UTC)  # first Tuesday, 10:00 BST


def shopper(
    db: Session,
    *,
    phone: str | None = None,
    channels: tuple[str, ...] = ("sms",),
    language: str = "en",
) -> Tenant:
    tenant = create_tenant(db, phone=phone, channels=channels, language=language)
    tenant.set_roles({"mystery_shopper"})
    db.flush()
    return tenant


def book_standing_tasks(sessions: sessionmaker[Session], clock: Clock) -> None:
    """What `doorstep scheduler` does when it starts, with the default settings."""
    SchedulerProcess(
        sessions,
        Dispatcher(sessions, {}, clock),
        clock,
        settings=Settings(),
        retention_days=365,
        mystery_shop=MysteryShopPlan(),
    ).book_standing_tasks()


def run_at(sessions: sessionmaker[Session], clock: Clock, moment: datetime) -> int:
    clock.now = moment
    return run_due_tasks(sessions, clock())


def notices(db: Session, containing: str = "") -> list[OutboundRecord]:
    db.expire_all()
    rows = db.scalars(
        select(OutboundRecord).where(OutboundRecord.kind == "notice").order_by(OutboundRecord.id)
    )
    return [row for row in rows if containing in row.body]


def task(db: Session, key: str) -> ScheduledTask:
    db.expire_all()
    found = db.scalar(select(ScheduledTask).where(ScheduledTask.key == key))
    assert found is not None, key
    return found


def phone_for(client: FlaskClient, tenant: Tenant) -> Phone:
    assert tenant.phone is not None
    return Phone(client, tenant.phone, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)


def test_the_scheduler_books_the_first_invitation_for_the_first_tuesday_at_ten_london_time(
    db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)
    book_standing_tasks(sessions, clock)
    march = task(db, invitation_key("2026-03"))
    assert (march.kind, march.status, march.due_at) == (
        "mystery_shop_invitation",
        TaskStatus.PENDING,
        MARCH_INVITATION,
    )
    invitations = db.scalars(
        select(ScheduledTask).where(ScheduledTask.kind == "mystery_shop_invitation")
    ).all()
    assert len(invitations) == 1


def test_the_invitation_goes_at_ten_london_time_in_gmt_and_in_bst_exactly_once(
    db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    shopper(db)
    db.commit()
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)

    run_at(sessions, clock, datetime(2026, 3, 3, 9, 59, tzinfo=UTC))
    assert notices(db) == []
    run_at(sessions, clock, MARCH_INVITATION)
    run_due_tasks(sessions, clock())
    assert [n.body for n in notices(db)] == [INVITATION]
    assert task(db, invitation_key("2026-04")).due_at == APRIL_INVITATION

    run_at(sessions, clock, datetime(2026, 4, 7, 8, 59, tzinfo=UTC))  # 09:59 BST
    assert len(notices(db, INVITATION)) == 1
    run_at(sessions, clock, APRIL_INVITATION)
    run_due_tasks(sessions, clock())
    assert len(notices(db, INVITATION)) == 2
    db.expire_all()
    months = db.scalars(select(MysteryShopCheckIn.month).order_by(MysteryShopCheckIn.month))
    assert list(months) == ["2026-03", "2026-04"]


def test_an_invitation_missed_while_the_scheduler_was_down_goes_once_when_it_catches_up(
    db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    shopper(db)
    shopper(db)
    db.commit()
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)

    later = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)  # the scheduler was down on Tuesday
    clock.now = later
    book_standing_tasks(sessions, clock)  # what it does first when it comes back
    run_due_tasks(sessions, clock())
    run_due_tasks(sessions, clock())
    assert len(notices(db, INVITATION)) == 2
    assert task(db, invitation_key("2026-03")).status == TaskStatus.DONE
    assert task(db, "mystery-shop-reminder-2026-03").due_at == datetime(
        2026, 3, 10, 10, 0, tzinfo=UTC
    )


def test_an_invitation_caught_up_after_its_month_is_over_is_not_sent(
    db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    shopper(db)
    db.commit()
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)

    run_at(sessions, clock, datetime(2026, 5, 8, 12, 0, tzinfo=UTC))  # down since February
    assert len(notices(db, INVITATION)) == 1  # May's, late; not March's or April's
    db.expire_all()
    assert list(db.scalars(select(MysteryShopCheckIn.month))) == ["2026-05"]
    assert task(db, invitation_key("2026-06")).status == TaskStatus.PENDING


def test_only_mystery_shoppers_who_may_hear_from_us_are_invited_on_sms_or_else_telegram(
    db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    on_sms = shopper(db)
    on_telegram = shopper(db, channels=("telegram",))
    on_both = shopper(db, channels=("telegram", "sms"))
    in_polish = shopper(db, language="pl")
    create_tenant(db)  # not a mystery shopper
    shopper(db, channels=())  # a landline: nothing we can text
    no_surveys = shopper(db)
    stopped = shopper(db)
    for tenant, topic in ((no_surveys, Topic.SURVEYS), (stopped, Topic.ALL)):
        record_consent(
            db,
            tenant_id=tenant.id,
            channel="sms",
            topic=topic,
            granted=False,
            source="test",
            wording_version="test",
            now=clock(),
        )
    db.commit()
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)
    run_at(sessions, clock, MARCH_INVITATION)

    sent = {(n.tenant_id, n.channel): n for n in notices(db)}
    assert set(sent) == {
        (on_sms.id, "sms"),
        (on_telegram.id, "telegram"),
        (on_both.id, "sms"),
        (in_polish.id, "sms"),
    }
    for notice in sent.values():
        assert (notice.kind, notice.topic, notice.status) == ("notice", "surveys", "queued")
    assert sent[on_sms.id, "sms"].body == INVITATION
    assert "Wyślij KLIENT, aby zacząć." in sent[in_polish.id, "sms"].body
    assert response_rate(db, "2026-03") == (0, 4)


def test_the_reminder_goes_five_days_later_only_to_shoppers_who_have_not_finished(
    db: Session, sessions: sessionmaker[Session], clock: Clock, client: FlaskClient
) -> None:
    finished, started, silent = shopper(db), shopper(db), shopper(db)
    db.commit()
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)
    run_at(sessions, clock, MARCH_INVITATION)
    assert len(notices(db, INVITATION)) == 3

    clock.advance(hours=2)
    assert "Which of our services" in phone_for(client, finished).text("SHOP")[0]
    assert "Thank you" in phone_for(client, finished).text("6")[0]
    phone_for(client, started).text("SHOP")
    phone_for(client, started).text("1")

    run_at(sessions, clock, datetime(2026, 3, 8, 9, 59, tzinfo=UTC))
    assert notices(db, REMINDER) == []
    run_at(sessions, clock, datetime(2026, 3, 8, 10, 0, tzinfo=UTC))
    run_due_tasks(sessions, clock())
    assert {n.tenant_id for n in notices(db, REMINDER)} == {started.id, silent.id}
    assert len(notices(db, REMINDER)) == 2
    assert "Reply SHOP to start or carry on." in notices(db, REMINDER)[0].body
    assert response_rate(db, "2026-03") == (1, 3)


def test_an_invitation_due_mid_conversation_does_not_break_it(
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    phone: Phone,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    shopper(db, phone=phone.number)
    db.commit()
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)

    clock.now = datetime(2026, 3, 3, 9, 58, tzinfo=UTC)
    assert "What would you like to do?" in phone.text("MENU")[0]
    run_at(sessions, clock, MARCH_INVITATION)
    dispatcher.run_once()
    assert [m["body"] for m in fake_twilio.sent_to(phone.number)] == [INVITATION]

    assert "Please reply with your message" in phone.text("1")[0]  # still answers the menu
    assert "passed your message" in phone.text("The lift is broken again")[0]
    assert "Which of our services" in phone.text("SHOP")[0]


def test_an_opted_out_shopper_gets_nothing(
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    client: FlaskClient,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    said_stop_before, says_stop_after, keeps_in_touch = shopper(db), shopper(db), shopper(db)
    db.commit()
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)
    phone_for(client, said_stop_before).text("STOP")

    run_at(sessions, clock, MARCH_INVITATION)
    assert {n.tenant_id for n in notices(db)} == {says_stop_after.id, keeps_in_touch.id}
    phone_for(client, says_stop_after).text("STOP")  # after the invitation was queued
    dispatcher.run_once()

    by_tenant = {n.tenant_id: n for n in notices(db)}
    assert by_tenant[says_stop_after.id].status == OutboxStatus.OPTED_OUT
    assert by_tenant[keeps_in_touch.id].status == OutboxStatus.SENT
    assert fake_twilio.sent_to(said_stop_before.phone or "") == []
    assert fake_twilio.sent_to(says_stop_after.phone or "") == []
    assert [m["body"] for m in fake_twilio.sent_to(keeps_in_touch.phone or "")] == [INVITATION]


@pytest.mark.parametrize(
    ("setting", "year", "month", "day"),
    [
        ("first tuesday", 2026, 3, 3),
        ("First  Tuesday", 2026, 9, 1),
        ("second monday", 2026, 3, 9),
        ("last friday", 2026, 10, 30),
        ("15", 2026, 2, 15),
    ],
)
def test_the_invitation_day_can_be_a_weekday_in_the_month_or_a_date(
    setting: str, year: int, month: int, day: int
) -> None:
    assert MonthlyDay.parse(setting).date_in(year, month).day == day


def test_the_settings_choose_the_day_hour_and_reminder() -> None:
    config = Config.from_env(
        {
            "MYSTERY_SHOP_DAY": "last friday",
            "MYSTERY_SHOP_HOUR": "18:30",
            "MYSTERY_SHOP_REMINDER_DAYS": "3",
        }
    )
    assert str(config.mystery_shop_day) == "last friday"
    assert config.mystery_shop_time == time(18, 30)
    assert config.mystery_shop_reminder_days == 3
    defaults = Config.from_env({})
    assert (str(defaults.mystery_shop_day), defaults.mystery_shop_time) == (
        "first tuesday",
        time(10, 0),
    )
    assert defaults.mystery_shop_reminder_days == 5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MYSTERY_SHOP_DAY", "31"),
        ("MYSTERY_SHOP_DAY", "first funday"),
        ("MYSTERY_SHOP_DAY", "every tuesday"),
        ("MYSTERY_SHOP_HOUR", "25"),
        ("MYSTERY_SHOP_HOUR", "ten"),
        ("MYSTERY_SHOP_REMINDER_DAYS", "-1"),
        ("MYSTERY_SHOP_REMINDER_DAYS", "2.5"),
    ],
)
def test_a_malformed_mystery_shop_setting_is_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Config.from_env({name: value})
