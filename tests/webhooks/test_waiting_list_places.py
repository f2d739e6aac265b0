"""Waiting-list places when many tenants say yes to a full event at the same instant.

Each tenant answers through the signed Twilio webhook on a thread and a test client of
its own. The clock moves on at every reading, as a real one does, so a request that
started earlier may take the event's lock later: the place a tenant is told must be
the one decided under the lock, and the one stored.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.events import Answer, EventRsvp
from models.tenants import Area
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_event, create_tenant
from tests.helpers import Clock, Phone

FUN_DAY_AT = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
CAPACITY = 2
TENANTS = 16
PLACE = re.compile(r"You are number (\d+) on the waiting list")


class MovingClock(Clock):
    """A clock a millisecond later at every reading: no two requests start at one time."""

    def __call__(self) -> datetime:
        return self.advance(milliseconds=1)


@pytest.fixture
def clock() -> Clock:
    return MovingClock(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))


def all_at_once(app: Flask, numbers: list[str], text: str) -> dict[str, list[str]]:
    """Each number texts ``text`` on its own thread and client, all released together."""
    start = threading.Barrier(len(numbers))
    replies: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def run(number: str) -> None:
        phone = Phone(app.test_client(), number, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
        start.wait()
        try:
            replies[number] = phone.text(text)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(number,)) for number in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return replies


def stored_places(db: Session) -> dict[int, int]:
    """Each waiting tenant's place as the event's list holds it, 1 for the first."""
    db.expire_all()
    waiting = db.scalars(
        select(EventRsvp)
        .where(EventRsvp.answer == Answer.WAITING)
        .order_by(EventRsvp.waiting_number)
    )
    return {rsvp.tenant_id: place for place, rsvp in enumerate(waiting, start=1)}


def test_tenants_saying_yes_at_once_to_a_full_event_are_each_told_their_own_stored_place(
    app: Flask, db: Session, clock: Clock, methil: Area, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one writing transaction at a time: there is no race to lose")
    tenants = {
        f"+4477009001{n:02d}": create_tenant(db, phone=f"+4477009001{n:02d}", area=methil).id
        for n in range(TENANTS)
    }
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT, capacity=CAPACITY)
    db.commit()
    numbers = list(tenants)
    all_at_once(app, numbers, "EVENTS")

    replies = all_at_once(app, numbers, "yes")

    told = {
        tenants[number]: int(found.group(1))
        for number, (reply,) in replies.items()
        if (found := PLACE.search(reply))
    }
    assert len(told) == TENANTS - CAPACITY
    assert sorted(told.values()) == list(range(1, TENANTS - CAPACITY + 1))
    assert told == stored_places(db)
