"""Test helpers: a clock the test moves, a signed SMS phone, a Telegram chat."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, event
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from tests.fakes import telegram_updates as updates

_sids = itertools.count(1)
_update_ids = itertools.count(1000)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def new_sid() -> str:
    return f"SM{next(_sids):032x}"


@dataclass
class Phone:
    """A tenant's phone texting the Twilio webhook, signed as Twilio signs."""

    client: FlaskClient
    number: str
    auth_token: str
    public_url: str

    def post(
        self, path: str, params: dict[str, str], *, signature: str | None = None
    ) -> TestResponse:
        url = self.public_url + path
        if signature is None:
            signature = RequestValidator(self.auth_token).compute_signature(url, params)
        return self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})

    def send(self, body: str, *, sid: str | None = None, **extra: str) -> TestResponse:
        params = {
            "MessageSid": sid or new_sid(),
            "AccountSid": "AC" + "0" * 32,
            "From": self.number,
            "To": "+447700900000",
            "Body": body,
            "NumMedia": "0",
            **extra,
        }
        return self.post("/webhooks/twilio/sms", params)

    def text(self, body: str, **kwargs: Any) -> list[str]:
        """Send a text; the replies Twilio would deliver from the TwiML."""
        response = self.send(body, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        return twiml_messages(response)


def twiml_messages(response: TestResponse) -> list[str]:
    root = ET.fromstring(response.get_data(as_text=True))  # noqa: S314 - our own TwiML
    assert root.tag == "Response"
    return [message.text or "" for message in root.iter("Message")]


@dataclass
class TelegramChat:
    """A tenant's Telegram chat posting updates to the webhook with the secret header."""

    client: FlaskClient
    chat_id: int
    secret: str
    sent_update_ids: list[int] = field(default_factory=list)

    def post(self, payload: dict[str, Any], *, secret: str | None = None) -> TestResponse:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.secret if secret is None else secret}
        return self.client.post("/webhooks/telegram", json=payload, headers=headers)

    def next_id(self) -> int:
        update_id = next(_update_ids)
        self.sent_update_ids.append(update_id)
        return update_id

    def say(self, text: str) -> TestResponse:
        if text.startswith("/"):
            command, _, payload = text.partition(" ")
            return self.post(
                updates.command_update(
                    update_id=self.next_id(),
                    chat_id=self.chat_id,
                    command=command,
                    payload=payload or None,
                )
            )
        return self.post(
            updates.text_update(update_id=self.next_id(), chat_id=self.chat_id, text=text)
        )

    def press(self, data: str) -> TestResponse:
        return self.post(
            updates.callback_update(update_id=self.next_id(), chat_id=self.chat_id, data=data)
        )

    def share_contact(self, phone_number: str, *, own: bool = True) -> TestResponse:
        return self.post(
            updates.contact_update(
                update_id=self.next_id(),
                chat_id=self.chat_id,
                phone_number=phone_number,
                user_id=None if own else self.chat_id + 1,
            )
        )


def csrf_token(html: str) -> str:
    """The CSRF token a console page embeds in its forms."""
    marker = 'name="csrf_token" type="hidden" value="'
    if marker not in html:
        marker = 'name="csrf_token" value="'
    return html.split(marker, 1)[1].split('"', 1)[0]


@dataclass
class StaffBrowser:
    """A staff member's browser session against the console, CSRF tokens and all."""

    client: FlaskClient
    email: str
    password: str

    def sign_in(self) -> TestResponse:
        token = csrf_token(self.client.get("/staff/login").get_data(as_text=True))
        return self.client.post(
            "/staff/login",
            data={"email": self.email, "password": self.password, "csrf_token": token},
        )

    def token_for(self, path: str) -> str:
        return csrf_token(self.client.get(path).get_data(as_text=True))

    def submit(self, page: str, action: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
        """Post a form found on ``page`` to ``action`` with the page's CSRF token."""
        return self.client.post(action, data={**data, "csrf_token": self.token_for(page)}, **kwargs)


@contextmanager
def statements_on(engine: Engine) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block, BEGIN included."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def book_event(officer: StaffBrowser, area_ids: list[int], **changes: str) -> None:
    """An officer books an event in the console: a gala day in March, guests welcome."""
    form = {
        "title": "Leven gala day",
        "kind": "community",
        "areas": [str(area_id) for area_id in area_ids],
        "day": "2026-03-10",
        "at": "10:30",
        "until": "12:00",
        "venue": "Leven Community Centre",
        "capacity": "40",
        "most_per_party": "4",
        "repeat_months": "1",
        **changes,
    }
    booked = officer.submit("/staff/events/new", "/staff/events/new", form)
    assert booked.status_code == 302, booked.text
