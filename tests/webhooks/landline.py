"""A landline calling the voice webhook the way Twilio does, following the TwiML it gets back.

Twilio posts the call to the webhook, says the <Say> verbs, then posts the keys pressed
to the <Gather> action (or the voice note to the <Record> action). This does the same,
signed with twilio's RequestValidator, so the tests go in through the front door.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from doorstep.demo import load_demo
from models.tenants import Area
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.helpers import StaffBrowser

VOICE_PATH = "/webhooks/twilio/voice"
GRACE = "+441314960107"  # the demo's landline-only tenant, in Leven
_calls = count(1)


@dataclass
class Heard:
    """One TwiML answer: what was said, and where the next press or voice note goes."""

    said: list[str]
    languages: list[str]
    gather: dict[str, str] | None  # the first <Gather>'s attributes
    record_action: str | None
    redirect: str | None
    hung_up: bool

    @property
    def text(self) -> str:
        return " ".join(self.said)


def heard(xml: str) -> Heard:
    root = ET.fromstring(xml)  # noqa: S314 - our own TwiML
    assert root.tag == "Response", xml
    says = list(root.iter("Say"))
    gather = root.find("Gather")
    record = root.find("Record")
    redirect = root.find("Redirect")
    return Heard(
        said=[say.text or "" for say in says],
        languages=[say.get("language", "") for say in says],
        gather=dict(gather.attrib) if gather is not None else None,
        record_action=record.get("action") if record is not None else None,
        redirect=redirect.text if redirect is not None else None,
        hung_up=root.find("Hangup") is not None,
    )


@dataclass
class Landline:
    client: FlaskClient
    number: str
    outbound: bool = False  # a call we placed (a notice), answered by the tenant
    call_sid: str = field(default_factory=lambda: f"CA{next(_calls):032x}")
    last: Heard | None = None

    def post(self, url: str, params: dict[str, str], *, signature: str | None = None) -> Any:
        ours, theirs = "+447700900000", self.number
        base = {
            "CallSid": self.call_sid,
            "AccountSid": "AC" + "0" * 32,
            "From": ours if self.outbound else theirs,
            "To": theirs if self.outbound else ours,
            "Direction": "outbound-api" if self.outbound else "inbound",
            "CallStatus": "in-progress",
            **params,
        }
        if not url.startswith("http"):
            url = PUBLIC_URL + url
        if signature is None:
            signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, base)
        path = url.removeprefix(PUBLIC_URL)
        return self.client.post(path, data=base, headers={"X-Twilio-Signature": signature})

    def _follow(self, url: str, params: dict[str, str]) -> Heard:
        response = self.post(url, params)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "application/xml"
        self.last = heard(response.get_data(as_text=True))
        return self.last

    def call(self) -> Heard:
        return self._follow(VOICE_PATH, {})

    def answer(self, placed: dict[str, Any], answered_by: str = "human") -> Heard:
        """Pick up a call we placed: Twilio asks its url what to say, and says who answered."""
        return self._follow(placed["url"], {"AnsweredBy": answered_by})

    def press(self, digits: str) -> Heard:
        assert self.last is not None and self.last.gather is not None, "no keys asked for"
        return self._follow(self.last.gather["action"], {"Digits": digits})

    def leave_voice_note(self, recording_url: str, seconds: int = 12) -> Heard:
        assert self.last is not None and self.last.record_action, "no voice note asked for"
        params = {"RecordingUrl": recording_url, "RecordingDuration": str(seconds)}
        return self._follow(self.last.record_action, params)

    def say_nothing(self) -> Heard:
        """The hash key at once: Twilio makes no recording and follows the <Redirect>."""
        assert self.last is not None and self.last.redirect, "no redirect after the recording"
        return self._follow(self.last.redirect, {})


def demo_areas(sessions: sessionmaker[Session], db: Session) -> dict[str, int]:
    """The demo's estates and tenants, Grace among them; each area's id by its name."""
    with sessions.begin() as session:
        load_demo(session)
    return {area.name: area.id for area in db.scalars(select(Area))}


def book_phoned_walk(
    officer: StaffBrowser, areas: dict[str, int], day: str = "2026-03-20"
) -> tuple[str, dict[str, str]]:
    """An estate walk in Leven whose notices are phoned to landlines too: its page, and
    the form that booked it."""
    walk = {
        "area": str(areas["Leven"]),
        "day": day,
        "at": "10:30",
        "meeting_point": "Outside the Co-op",
        "officer": "Jean Brown",
        "notes": "",
        "call_landlines": "y",
    }
    booked = officer.submit("/staff/inspections/new", "/staff/inspections/new", walk)
    assert booked.status_code == 302
    return booked.headers["Location"], walk
