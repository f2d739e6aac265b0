"""Steps the broadcast tests share: write one through the API, deliver, read the report."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from scheduler.dispatcher import Dispatcher
from tests.helpers import Phone


def create(client: FlaskClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    """A draft through the API: English text and everyone, unless told otherwise."""
    body.setdefault("texts", {"en": "The lifts at Methil Court are serviced on Monday."})
    body.setdefault("audience", {"everyone": True})
    response = client.post("/api/v1/broadcasts", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def send(
    client: FlaskClient, headers: dict[str, str], broadcast_id: int, **body: Any
) -> dict[str, Any]:
    response = client.post(f"/api/v1/broadcasts/{broadcast_id}/send", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def report(client: FlaskClient, headers: dict[str, str], broadcast_id: int) -> dict[str, int]:
    response = client.get(f"/api/v1/broadcasts/{broadcast_id}/report", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def deliver_all(dispatcher: Dispatcher) -> int:
    """Run the dispatcher until nothing due is left; how many rows it handled."""
    handled = 0
    while rows := dispatcher.run_once():
        handled += rows
    return handled


def delivery_report_from_twilio(phone: Phone, sid: str, status: str) -> TestResponse:
    """Twilio's signed status callback for one message to ``phone``."""
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "From": "+447700900000",
        "To": phone.number,
        "ApiVersion": "2010-04-01",
    }
    return phone.post("/webhooks/twilio/status", params)
