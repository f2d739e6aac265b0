"""Messages that arrive at the same instant: none lost, none answered twice."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.messages import InboundRecord, OutboundRecord
from models.tenants import Tenant
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.helpers import Phone, new_sid

NUMBER = "+447700900121"


def at_once(app: Flask, sends: list[Callable[[Phone], None]]) -> None:
    """Run each send on its own thread and client, all released together."""
    start = threading.Barrier(len(sends))
    errors: list[BaseException] = []

    def run(send: Callable[[Phone], None]) -> None:
        phone = Phone(app.test_client(), NUMBER, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
        start.wait()
        try:
            send(phone)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(send,)) for send in sends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def count(db: Session, model: type) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_two_first_messages_from_one_new_number_are_both_kept_and_answered(
    app: Flask, db: Session
) -> None:
    def send(text: str) -> Callable[[Phone], None]:
        return lambda phone: phone.text(text)

    at_once(app, [send("Hello"), send("Is anyone there?"), send("Hi")])
    assert count(db, Tenant) == 1
    assert count(db, InboundRecord) == 3
    answered = db.scalars(select(OutboundRecord.in_reply_to)).all()
    assert len(set(answered)) == 3


def test_the_same_message_delivered_twice_at_once_is_kept_and_answered_once(
    app: Flask, db: Session
) -> None:
    sid = new_sid()
    at_once(app, [lambda phone: phone.text("Hello", sid=sid)] * 3)
    assert count(db, InboundRecord) == 1
    assert count(db, OutboundRecord) == 1
