"""A broadcast from the API to the phone: the sending window, urgency, opt-outs at send
time, failures sent again, Twilio's delivery reports, and replies linked back to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.messages import InboundRecord
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.broadcast_helpers import (
    create,
    deliver_all,
    delivery_report_from_twilio,
    report,
    send,
)
from tests.factories import create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, StaffBrowser

Headers = Callable[[str], dict[str, str]]


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def officer(api_token: Headers) -> dict[str, str]:
    return api_token("officer")


def run_tasks(app: Flask, sessions: sessionmaker[Session], clock: Clock) -> None:
    run_due_tasks(sessions, clock(), settings=app.extensions["doorstep.settings"])


def test_a_broadcast_scheduled_into_quiet_hours_is_held_until_nine(
    app: Flask,
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    phone: Phone,
    officer: dict[str, str],
) -> None:
    create_tenant(db, phone=phone.number)
    db.commit()
    broadcast = create(client, officer)
    scheduled = send(client, officer, broadcast["id"], send_at="2026-03-03T21:30:00Z")
    assert scheduled["status"] == "scheduled"

    clock.now = utc(2026, 3, 3, 21, 30)
    run_tasks(app, sessions, clock)
    assert report(client, officer, broadcast["id"])["queued"] == 1
    deliver_all(dispatcher)
    clock.now = utc(2026, 3, 4, 8, 59)
    deliver_all(dispatcher)
    assert fake_twilio.count_to(phone.number) == 0

    clock.now = utc(2026, 3, 4, 9, 0)
    deliver_all(dispatcher)
    [sms] = fake_twilio.sent_to(phone.number)
    assert sms["body"] == "Fife Housing Group: The lifts at Methil Court are serviced on Monday."
    assert report(client, officer, broadcast["id"])["sent"] == 1


def test_a_broadcast_due_the_night_before_good_friday_waits_for_saturday(
    app: Flask,
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    phone: Phone,
    officer: dict[str, str],
) -> None:
    create_tenant(db, phone=phone.number)
    db.commit()
    broadcast = create(client, officer)
    send(client, officer, broadcast["id"], send_at="2026-04-02T21:00:00+01:00")
    clock.now = utc(2026, 4, 2, 20, 0)
    run_tasks(app, sessions, clock)
    clock.now = utc(2026, 4, 3, 12, 0)  # Good Friday, a Scottish bank holiday
    deliver_all(dispatcher)
    assert fake_twilio.count_to(phone.number) == 0
    clock.now = utc(2026, 4, 4, 8, 0)  # Saturday, 09:00 in London
    deliver_all(dispatcher)
    assert fake_twilio.count_to(phone.number) == 1


def test_an_urgent_broadcast_from_an_admin_goes_at_night(
    client: FlaskClient,
    db: Session,
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    phone: Phone,
    api_token: Headers,
) -> None:
    create_tenant(db, phone=phone.number)
    db.commit()
    admin = api_token("admin")
    clock.now = utc(2026, 3, 3, 23, 15)
    broadcast = create(
        client, admin, urgent=True, texts={"en": "Water is off in Methil tonight: a burst main."}
    )
    send(client, admin, broadcast["id"])
    deliver_all(dispatcher)
    assert fake_twilio.count_to(phone.number) == 1


def test_an_officer_may_not_make_or_send_an_urgent_broadcast(
    client: FlaskClient, db: Session, phone: Phone, api_token: Headers, officer: dict[str, str]
) -> None:
    create_tenant(db, phone=phone.number)
    db.commit()
    body = {"texts": {"en": "Water is off."}, "audience": {"everyone": True}, "urgent": True}
    assert client.post("/api/v1/broadcasts", json=body, headers=officer).status_code == 403
    urgent = create(client, api_token("admin"), **body)
    refused = client.post(f"/api/v1/broadcasts/{urgent['id']}/send", json={}, headers=officer)
    assert refused.status_code == 403


def test_a_tenant_who_opts_out_after_the_queueing_is_skipped_and_counted_as_opted_out(
    client: FlaskClient,
    db: Session,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    phone: Phone,
    officer: dict[str, str],
) -> None:
    create_tenant(db, phone=phone.number)
    other = create_tenant(db)
    db.commit()
    broadcast = create(client, officer)
    send(client, officer, broadcast["id"])
    assert phone.text("STOP")
    deliver_all(dispatcher)
    counts = report(client, officer, broadcast["id"])
    assert (counts["opted_out"], counts["sent"]) == (1, 1)
    assert fake_twilio.count_to(phone.number) == 0
    assert fake_twilio.count_to(other.phone or "") == 1


def test_a_failed_message_is_sent_again_by_resend_failed_and_no_other_is(
    client: FlaskClient,
    db: Session,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    officer: dict[str, str],
) -> None:
    first, second = create_tenant(db), create_tenant(db)
    db.commit()
    broadcast = create(client, officer)
    send(client, officer, broadcast["id"])
    fake_twilio.fail_next(1, status=400, code=21211, message="Invalid 'To' Phone Number")
    deliver_all(dispatcher)
    assert report(client, officer, broadcast["id"])["failed"] == 1
    assert fake_twilio.count_to(first.phone or "") == 0

    resent = client.post(f"/api/v1/broadcasts/{broadcast['id']}/resend-failed", headers=officer)
    assert resent.status_code == 200
    assert resent.get_json()["queued"] == 1
    deliver_all(dispatcher)
    assert fake_twilio.count_to(first.phone or "") == 1
    assert fake_twilio.count_to(second.phone or "") == 1
    counts = report(client, officer, broadcast["id"])
    assert (counts["failed"], counts["sent"]) == (0, 2)


def test_twilio_delivery_reports_move_the_counts_to_delivered(
    client: FlaskClient,
    db: Session,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    phone: Phone,
    officer: dict[str, str],
) -> None:
    create_tenant(db, phone=phone.number)
    create_tenant(db)
    db.commit()
    broadcast = create(client, officer)
    send(client, officer, broadcast["id"])
    deliver_all(dispatcher)
    assert report(client, officer, broadcast["id"])["sent"] == 2
    [sms] = fake_twilio.sent_to(phone.number)
    assert delivery_report_from_twilio(phone, sms["sid"], "delivered").status_code == 204
    counts = report(client, officer, broadcast["id"])
    assert (counts["delivered"], counts["sent"]) == (1, 1)


def test_a_reply_to_a_broadcast_lands_in_the_inbox_linked_to_it(
    client: FlaskClient,
    db: Session,
    dispatcher: Dispatcher,
    phone: Phone,
    officer: dict[str, str],
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    create_tenant(db, name="Ann Smith", phone=phone.number)
    db.commit()
    broadcast = create(client, officer)
    send(client, officer, broadcast["id"])
    deliver_all(dispatcher)
    assert phone.text("Will the lifts be off all day?")

    linked = db.scalar(select(InboundRecord.broadcast_id).where(InboundRecord.inbox == "open"))
    assert linked == broadcast["id"]
    browser = staff_as("viewer")
    inbox = browser.client.get("/staff/inbox/").get_data(as_text=True)
    assert f'href="/staff/broadcasts/{broadcast["id"]}"' in inbox
    page = browser.client.get(f"/staff/broadcasts/{broadcast['id']}").get_data(as_text=True)
    assert "Will the lifts be off all day?" in page


def test_a_message_long_after_a_broadcast_is_not_linked_to_it(
    client: FlaskClient,
    db: Session,
    clock: Clock,
    dispatcher: Dispatcher,
    phone: Phone,
    officer: dict[str, str],
) -> None:
    create_tenant(db, phone=phone.number)
    db.commit()
    send(client, officer, create(client, officer)["id"])
    deliver_all(dispatcher)
    clock.advance(days=8)
    assert phone.text("My boiler is broken")
    assert (
        db.scalar(select(InboundRecord.broadcast_id).where(InboundRecord.inbox == "open")) is None
    )
