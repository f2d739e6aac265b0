"""Notice calls nobody answered are placed again by the dispatcher, inside the window.

A notice is phoned to the demo's landline-only tenant through the dispatcher and the
real twilio client against the offline Twilio stand-in; Twilio's signed status report
says the line was busy or rang out, and the row goes back in the queue: two hours
later, then the next day, at most CALL_ATTEMPTS times in all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.messages import OutboundRecord, OutboxStatus
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, StaffBrowser
from tests.webhooks.landline import GRACE, Landline, demo_areas


def _phone_a_notice_to_grace(
    sessions: sessionmaker[Session], db: Session, officer: StaffBrowser
) -> None:
    leven = demo_areas(sessions, db)["Leven"]
    form = {
        "kind": "notice",
        "text_en": "The Leven lift is fixed.",
        "areas": [str(leven)],
        "topic": "news",
        "call_landlines": "y",
    }
    written = officer.submit("/staff/broadcasts/new", "/staff/broadcasts/new", form)
    page = written.headers["Location"]
    assert officer.submit(page, f"{page.rstrip('/')}/send", {}).status_code == 302


def _report(client: FlaskClient, call: dict[str, Any], status: str) -> None:
    ref = call["status_callback"].split("ref=")[1]
    response = Landline(client, GRACE).post(
        f"/webhooks/twilio/status?ref={ref}", {"CallSid": call["sid"], "CallStatus": status}
    )
    assert response.status_code == 204


def _call_row(db: Session) -> OutboundRecord:
    db.expire_all()
    return db.scalars(select(OutboundRecord).where(OutboundRecord.channel == "voice")).one()


def test_a_busy_call_is_tried_again_later_that_day_then_the_next_day_and_then_given_up(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    officer = staff_as("officer")
    _phone_a_notice_to_grace(sessions, db, officer)
    clock.advance(hours=1)  # Tue 3 Mar, 11:00: inside the window
    dispatcher.run_once()
    [first] = fake_twilio.calls_to(GRACE)
    _report(client, first, "busy")
    row = _call_row(db)
    assert (row.status, row.attempts, row.error_code) == (OutboxStatus.QUEUED, 1, "busy")
    assert row.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)

    dispatcher.run_once()  # not due yet: nobody is rung twice in a row
    assert len(fake_twilio.calls_to(GRACE)) == 1
    clock.advance(hours=2)
    dispatcher.run_once()
    second = fake_twilio.calls_to(GRACE)[-1]
    assert second["sid"] != first["sid"] and _call_row(db).attempts == 2
    _report(client, second, "no-answer")
    row = _call_row(db)
    assert row.status == OutboxStatus.QUEUED
    assert row.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 3, 4, 13, 0, tzinfo=UTC)

    clock.advance(days=1)
    dispatcher.run_once()
    third = fake_twilio.calls_to(GRACE)[-1]
    _report(client, third, "no-answer")
    row = _call_row(db)
    assert (row.status, row.attempts) == (OutboxStatus.UNDELIVERED, 3)  # CALL_ATTEMPTS: 3
    clock.advance(days=2)
    dispatcher.run_once()
    assert len(fake_twilio.calls_to(GRACE)) == 3

    grace = db.scalars(select(Tenant).where(Tenant.phone == GRACE)).one()
    page = officer.client.get(f"/staff/tenants/{grace.id}").text
    assert "not delivered, called 3 times" in page


def test_a_retry_due_after_the_window_closes_waits_for_the_morning(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    _phone_a_notice_to_grace(sessions, db, staff_as("officer"))
    clock.advance(hours=9)  # 19:00: two hours on is past 20:00
    dispatcher.run_once()
    [call] = fake_twilio.calls_to(GRACE)
    _report(client, call, "no-answer")
    row = _call_row(db)
    assert row.next_attempt_at.replace(tzinfo=UTC) == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def test_an_answered_call_and_a_stale_report_are_not_rung_again(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    _phone_a_notice_to_grace(sessions, db, staff_as("officer"))
    clock.advance(hours=1)
    dispatcher.run_once()
    [call] = fake_twilio.calls_to(GRACE)
    _report(client, call, "busy")
    _report(client, call, "busy")  # Twilio sends a report again: the row is already queued
    row = _call_row(db)
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 1)
    clock.advance(hours=2)
    dispatcher.run_once()
    answered = fake_twilio.calls_to(GRACE)[-1]
    _report(client, answered, "completed")
    assert _call_row(db).status == OutboxStatus.DELIVERED


def test_one_call_attempt_means_no_retry(
    client: FlaskClient,
    db: Session,
    app: Flask,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    app.config["CALL_ATTEMPTS"] = 1
    _phone_a_notice_to_grace(sessions, db, staff_as("officer"))
    clock.advance(hours=1)
    dispatcher.run_once()
    [call] = fake_twilio.calls_to(GRACE)
    _report(client, call, "busy")
    assert (_call_row(db).status, _call_row(db).error_code) == (OutboxStatus.UNDELIVERED, "busy")


def test_a_call_an_answering_machine_picks_up_leaves_a_short_message_to_call_back(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    _phone_a_notice_to_grace(sessions, db, staff_as("officer"))
    clock.advance(hours=1)
    dispatcher.run_once()
    [placed] = fake_twilio.calls_to(GRACE)
    assert placed["machine_detection"] == "DetectMessageEnd" and placed["twiml"] is None

    machine = Landline(client, GRACE, outbound=True).answer(placed, "machine_end_beep")
    assert machine.said == [
        "Hello, this is Fife Housing Group with a message for you. "
        "Please call us back on 0300 123 4567. Thank you."
    ]
    assert machine.hung_up and machine.gather is None
    person = Landline(client, GRACE, outbound=True).answer(placed, "human")
    assert person.text.count("The Leven lift is fixed.") == 2


def test_a_notice_answer_for_a_call_we_did_not_place_gets_a_400(
    client: FlaskClient, db: Session
) -> None:
    for notice in ("x", "99999999999999999999", "7"):
        placed = {"url": f"http://doorstep.test/webhooks/twilio/voice?notice={notice}"}
        response = Landline(client, GRACE, outbound=True).post(placed["url"], {})
        assert response.status_code == 400
