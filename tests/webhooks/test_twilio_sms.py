"""The Twilio SMS webhook, through the front door with requests signed as Twilio signs them."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.messages import InboundRecord, OutboundRecord, OutboxStatus
from models.tenants import Tenant
from tests.helpers import Phone, new_sid, twiml_messages


def count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_an_unknown_number_is_welcomed_and_asked_for_a_name(phone: Phone, db: Session) -> None:
    replies = phone.text("Hello")
    assert len(replies) == 1
    assert "reply with your name" in replies[0]
    tenant = db.scalar(select(Tenant).where(Tenant.phone == phone.number))
    assert tenant is not None and not tenant.registered and not tenant.verified


def test_a_forged_signature_gets_403_and_stores_nothing(phone: Phone, db: Session) -> None:
    params = {"MessageSid": new_sid(), "From": phone.number, "Body": "HELP"}
    response = phone.post("/webhooks/twilio/sms", params, signature="forged")
    assert response.status_code == 403
    assert count(db, InboundRecord) == 0 and count(db, Tenant) == 0


def test_a_missing_signature_gets_403_and_stores_nothing(client: FlaskClient, db: Session) -> None:
    response = client.post(
        "/webhooks/twilio/sms", data={"MessageSid": new_sid(), "From": "+447700900123"}
    )
    assert response.status_code == 403
    assert count(db, InboundRecord) == 0


def test_a_request_signed_for_other_parameters_is_refused(phone: Phone, db: Session) -> None:
    from twilio.request_validator import RequestValidator

    signed = {"MessageSid": new_sid(), "From": phone.number, "Body": "HELP"}
    signature = RequestValidator(phone.auth_token).compute_signature(
        phone.public_url + "/webhooks/twilio/sms", signed
    )
    tampered = {**signed, "Body": "STOP"}
    assert phone.post("/webhooks/twilio/sms", tampered, signature=signature).status_code == 403
    assert count(db, InboundRecord) == 0


def test_a_retried_message_sid_is_stored_once_and_answered_once(phone: Phone, db: Session) -> None:
    sid = new_sid()
    first = phone.text("Hello", sid=sid)
    again = phone.text("Hello", sid=sid)
    assert len(first) == 1 and again == []
    assert count(db, InboundRecord) == 1
    assert count(db, OutboundRecord) == 1


def test_every_field_twilio_sends_is_kept(phone: Phone, db: Session) -> None:
    phone.text("Hello", FromCity="KIRKCALDY", SmsStatus="received", ApiVersion="2010-04-01")
    stored = db.scalar(select(InboundRecord))
    assert stored is not None
    assert stored.raw["FromCity"] == "KIRKCALDY" and stored.raw["ApiVersion"] == "2010-04-01"
    assert stored.address == phone.number


def test_replies_sent_as_twiml_are_recorded_as_sent_with_a_status_link(
    phone: Phone, db: Session
) -> None:
    response = phone.send("Hello")
    assert "ref=" in response.get_data(as_text=True)
    row = db.scalar(select(OutboundRecord))
    assert row is not None and row.status == OutboxStatus.SENT
    assert twiml_messages(response) == [row.body]


def test_a_signed_request_without_message_sid_is_a_400(phone: Phone) -> None:
    assert (
        phone.post("/webhooks/twilio/sms", {"From": phone.number, "Body": "x"}).status_code == 400
    )
