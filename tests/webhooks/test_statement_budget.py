"""What one inbound SMS costs the database, pinned so the count cannot silently grow back.

A registered tenant choosing from the menu took 15 statements before the inbound path
was trimmed (a lookup of the message, the identity, the tenant's row lock, the tenant,
their roles, the opt-out twice, the identity again, an UPDATE for each inline reply)
and takes 9 now on SQLite (BEGIN IMMEDIATE included), 8 on PostgreSQL. The budgets
leave a little headroom; a count, not a time, so a busy machine cannot fail it.
One more statement since: the revision of staff's wording, so a change made in the
console is used at once by every process.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tests.factories import create_area, create_tenant
from tests.helpers import Phone, new_sid, statements_on

MID_CONVERSATION_BUDGET = 11
RETRY_BUDGET = 6


def registered_and_in_the_menu(db: Session, phone: Phone) -> None:
    create_tenant(db, phone=phone.number, area=create_area(db, name="Methil"))
    db.commit()
    assert phone.text("MENU")


def test_a_registered_tenant_choosing_from_the_menu_costs_at_most_eleven_statements(
    app: Flask, db: Session, phone: Phone
) -> None:
    registered_and_in_the_menu(db, phone)
    with statements_on(app.extensions["doorstep.engine"]) as sent:
        assert phone.text("1")
    assert len(sent) <= MID_CONVERSATION_BUDGET, sent


def test_a_provider_retry_costs_at_most_six_statements_and_gets_no_reply(
    app: Flask, db: Session, phone: Phone
) -> None:
    registered_and_in_the_menu(db, phone)
    sid = new_sid()
    assert phone.text("1", sid=sid)
    with statements_on(app.extensions["doorstep.engine"]) as sent:
        assert phone.text("1", sid=sid) == []
    assert len(sent) <= RETRY_BUDGET, sent
