"""Test helpers: a clock the test moves, a signed SMS phone, a Telegram chat."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from models.staff import StaffUser
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


# Every test staff account's authenticator app holds this secret (conftest's make_staff).
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def authenticator_code(app: Flask, email: str, secret: str = STAFF_TOTP_SECRET) -> str:
    """The code a staff member's app shows at the app's own clock (the test's, not the wall's).

    The server accepts one 30-second step either side of now, each once, so this is the
    earliest the account has not used yet: as a person signing in twice in a minute would
    wait for the next code.
    """
    now = app.extensions["doorstep.clock"]()
    with app.extensions["doorstep.sessions"]() as db:
        used = db.scalar(select(StaffUser.totp_last_step).where(StaffUser.email == email))
    totp = pyotp.TOTP(secret)
    for offset in (-1, 0, 1):
        if used is None or totp.timecode(now) + offset > used:
            return totp.at(now, counter_offset=offset)
    raise AssertionError("every code in the window is used: advance the clock 30 seconds")


@dataclass
class StaffBrowser:
    """A staff member's browser session against the console, CSRF tokens and all."""

    client: FlaskClient
    email: str
    password: str
    totp_secret: str = STAFF_TOTP_SECRET

    def sign_in(self, next_path: str | None = None) -> TestResponse:
        """Password, then the app's code when asked for it; the last response of the two."""
        login = "/staff/login" + (f"?next={next_path}" if next_path else "")
        token = csrf_token(self.client.get("/staff/login").get_data(as_text=True))
        given = self.client.post(
            login, data={"email": self.email, "password": self.password, "csrf_token": token}
        )
        if given.status_code != 302 or given.headers["Location"] != "/staff/login":
            return given
        asked = self.client.get("/staff/login")
        if "Type the code from your app" not in asked.text:
            return asked  # not the code step (setting up an app): the page says what instead
        code = authenticator_code(self.client.application, self.email, self.totp_secret)
        coded = self.give_code(code)
        sent_back = coded.status_code == 302 and coded.headers["Location"] == "/staff/login"
        return self.client.get("/staff/login") if sent_back else coded

    def give_code(self, code: str) -> TestResponse:
        """The second step of signing in: a code from the app, or a recovery code."""
        token = csrf_token(self.client.get("/staff/login").get_data(as_text=True))
        return self.client.post("/staff/login/code", data={"code": code, "csrf_token": token})

    def set_up_app(self) -> list[str]:
        """Sign in as someone with no authenticator app yet: password, then set one up (its
        secret read off the page, as a person would type it); the recovery codes shown."""
        token = csrf_token(self.client.get("/staff/login").get_data(as_text=True))
        given = self.client.post(
            "/staff/login",
            data={"email": self.email, "password": self.password, "csrf_token": token},
        )
        assert given.status_code == 302, given.text
        page = self.client.get("/staff/login").text
        self.totp_secret = secret_on(page)
        code = authenticator_code(self.client.application, self.email, self.totp_secret)
        confirmed = self.client.post(
            "/staff/login/enrol", data={"code": code, "csrf_token": csrf_token(page)}
        )
        assert confirmed.status_code == 201, confirmed.text
        return recovery_codes_on(confirmed.text)

    def token_for(self, path: str) -> str:
        return csrf_token(self.client.get(path).get_data(as_text=True))

    def submit(self, page: str, action: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
        """Post a form found on ``page`` to ``action`` with the page's CSRF token."""
        return self.client.post(action, data={**data, "csrf_token": self.token_for(page)}, **kwargs)


def secret_on(html: str) -> str:
    """The authenticator app's secret, as a set-up page shows it for typing."""
    found = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', html)
    assert found is not None, "the page shows no secret to type"
    return found.group(1).replace(" ", "")


def recovery_codes_on(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", html)


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
