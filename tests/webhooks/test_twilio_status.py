"""Twilio's delivery reports, signed as Twilio signs them, moving outbox rows on.

A report is matched by ``?ref=<outbox id>`` (TwiML replies, which have no sid
until Twilio reports) or by MessageSid; a final status is never overwritten.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from bot.messages import OutboundMessage as Outgoing
from bot.messages import SendReceipt
from channels.base import Channel
from models.consent import consent_history, opted_out
from models.messages import OutboundRecord, OutboxStatus
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from tests.factories import create_outbound, create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, new_sid

STATUS_PATH = "/webhooks/twilio/status"


def report(
    phone: Phone, sid: str, status: str, *, path: str = STATUS_PATH, **extra: str
) -> TestResponse:
    """A status callback as Twilio posts it for a message to ``phone``."""
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "From": "+447700900000",
        "To": phone.number,
        "ApiVersion": "2010-04-01",
        **extra,
    }
    return phone.post(path, params)


def fresh(db: Session, row: OutboundRecord) -> OutboundRecord:
    """The row as stored now; commits so no read transaction is left holding SQLite."""
    db.expire_all()
    db.refresh(row)
    db.commit()
    return row


@pytest.fixture
def tenant(db: Session, phone: Phone) -> Tenant:
    tenant = create_tenant(db, phone=phone.number)
    db.commit()
    return tenant


@pytest.fixture
def sent(db: Session, tenant: Tenant, dispatcher: Dispatcher) -> OutboundRecord:
    """A notice the dispatcher sent through Twilio: status "sent", with Twilio's sid."""
    row = create_outbound(db, tenant=tenant, body="Your repair is booked for Tuesday.")
    db.commit()
    dispatcher.run_once()
    fresh(db, row)
    assert row.status == OutboxStatus.SENT and row.provider_id
    return row


def test_a_signed_delivered_report_moves_a_sent_row_to_delivered(
    phone: Phone, sent: OutboundRecord, db: Session, clock: Clock
) -> None:
    clock.advance(seconds=5)
    response = report(phone, sent.provider_id or "", "delivered")

    assert response.status_code == 204
    fresh(db, sent)
    assert sent.status == OutboxStatus.DELIVERED and sent.final_at == clock()


def test_a_late_sent_report_does_not_overwrite_delivered(
    phone: Phone, sent: OutboundRecord, db: Session, clock: Clock
) -> None:
    sid = sent.provider_id or ""
    report(phone, sid, "delivered")
    delivered_at = clock()
    clock.advance(seconds=30)

    assert report(phone, sid, "sent").status_code == 204

    fresh(db, sent)
    assert sent.status == OutboxStatus.DELIVERED and sent.final_at == delivered_at


def test_undelivered_then_delivered_keeps_the_first_final_status(
    phone: Phone, sent: OutboundRecord, db: Session, clock: Clock
) -> None:
    sid = sent.provider_id or ""
    report(phone, sid, "undelivered", ErrorCode="30003")
    clock.advance(seconds=30)

    assert report(phone, sid, "delivered").status_code == 204

    fresh(db, sent)
    assert sent.status == OutboxStatus.UNDELIVERED and sent.error_code == "30003"


def test_a_report_with_ref_attaches_twilios_sid_to_a_twiml_reply(phone: Phone, db: Session) -> None:
    twiml = ET.fromstring(phone.send("Hello").get_data(as_text=True))  # noqa: S314 - our own TwiML
    [message] = twiml.iter("Message")
    reply = db.scalar(select(OutboundRecord))
    assert reply is not None and reply.provider_id is None
    db.commit()
    action = message.attrib["action"]
    assert action == f"{phone.public_url}{STATUS_PATH}?ref={reply.id}"

    sid = new_sid()
    assert report(phone, sid, "sent", path=action.removeprefix(phone.public_url)).status_code == 204
    assert fresh(db, reply).provider_id == sid

    assert report(phone, sid, "delivered").status_code == 204  # later reports carry only the sid
    assert fresh(db, reply).status == OutboxStatus.DELIVERED


def test_a_ref_cannot_move_a_report_onto_a_row_with_another_sid(
    phone: Phone, sent: OutboundRecord, db: Session
) -> None:
    original = sent.provider_id

    response = report(phone, new_sid(), "failed", path=f"{STATUS_PATH}?ref={sent.id}")

    assert response.status_code == 204
    fresh(db, sent)
    assert sent.status == OutboxStatus.SENT and sent.provider_id == original


def test_a_forged_or_re_pointed_signature_gets_403_and_changes_nothing(
    phone: Phone, tenant: Tenant, sent: OutboundRecord, db: Session
) -> None:
    params = {"MessageSid": sent.provider_id or "", "MessageStatus": "failed", "ErrorCode": "21610"}
    signed_for_no_ref = RequestValidator(phone.auth_token).compute_signature(
        phone.public_url + STATUS_PATH, params
    )

    forged = phone.post(STATUS_PATH, params, signature="forged")
    re_pointed = phone.post(f"{STATUS_PATH}?ref={sent.id}", params, signature=signed_for_no_ref)

    assert (forged.status_code, re_pointed.status_code) == (403, 403)
    assert fresh(db, sent).status == OutboxStatus.SENT
    assert consent_history(db, tenant.id) == []


def test_a_report_without_a_message_status_is_a_400(
    phone: Phone, sent: OutboundRecord, db: Session
) -> None:
    response = phone.post(STATUS_PATH, {"MessageSid": sent.provider_id or "", "ErrorCode": "30003"})

    assert response.status_code == 400
    assert fresh(db, sent).status == OutboxStatus.SENT


def test_a_report_for_an_unknown_sid_gets_204_and_changes_nothing(
    phone: Phone, tenant: Tenant, sent: OutboundRecord, db: Session
) -> None:
    before = {row.id: (row.status, row.provider_id) for row in db.scalars(select(OutboundRecord))}
    db.commit()

    response = report(phone, new_sid(), "failed", ErrorCode="21610")

    assert response.status_code == 204
    db.expire_all()
    after = {row.id: (row.status, row.provider_id) for row in db.scalars(select(OutboundRecord))}
    assert after == before
    assert not opted_out(db, tenant.id, "sms") and consent_history(db, tenant.id) == []


@pytest.mark.parametrize("status", ["failed", "undelivered"])
def test_error_21610_in_a_report_ends_the_row_and_opts_the_tenant_out(
    phone: Phone,
    tenant: Tenant,
    sent: OutboundRecord,
    db: Session,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    status: str,
) -> None:
    assert report(phone, sent.provider_id or "", status, ErrorCode="21610").status_code == 204

    fresh(db, sent)
    assert (sent.status, sent.error_code) == (status, "21610")
    assert opted_out(db, tenant.id, "sms")
    [change] = consent_history(db, tenant.id)
    assert (change.granted, change.source) == (False, "provider 21610")
    db.commit()

    held = create_outbound(db, tenant=tenant, body="Summer fun day on Saturday.")
    db.commit()
    dispatcher.run_once()
    assert fresh(db, held).status == OutboxStatus.OPTED_OUT
    assert fake_twilio.count_to(phone.number) == 1  # only the first notice ever went


class ReportOvertakesAnswer(Channel):
    """Twilio's "delivered" callback arriving before the dispatcher has recorded the sid,
    as it can when the API's answer is slow to come back or to be written down."""

    name = "sms"

    def __init__(self, twilio: Channel, fake: FakeTwilio, phone: Phone) -> None:
        self.twilio, self.fake, self.phone = twilio, fake, phone

    def _send(self, message: Outgoing) -> SendReceipt:
        receipt = self.twilio.send(message)
        callback = self.fake.sent_to(message.address)[-1]["status_callback"]
        response = report(
            self.phone,
            receipt.provider_id or "",
            "delivered",
            path=callback.removeprefix(self.phone.public_url),
        )
        assert response.status_code == 204
        return receipt


def test_a_report_that_overtakes_the_send_answer_is_not_lost(
    phone: Phone,
    tenant: Tenant,
    db: Session,
    sessions: sessionmaker[Session],
    channels: dict[str, Channel],
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    notice = create_outbound(db, tenant=tenant, body="Your repair is booked for Tuesday.")
    db.commit()
    racing = {"sms": ReportOvertakesAnswer(channels["sms"], fake_twilio, phone)}
    Dispatcher(session_factory=sessions, channels=racing, clock=clock, name="racing").run_once()

    fresh(db, notice)
    assert notice.provider_id == fake_twilio.sent_to(phone.number)[0]["sid"]
    assert notice.status == OutboxStatus.DELIVERED
