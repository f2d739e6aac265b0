"""COMING and MORE, the tenant's side of an estate walk, through the signed Twilio webhook."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.conversations import Conversation
from models.inspections import (
    Inspection,
    InspectionRsvp,
    cancel_inspection,
    close_inspection,
)
from models.tenants import Area, Tenant
from tests.factories import create_area, create_inspection
from tests.helpers import Clock, Phone

# 10:30 in London, on the first Tuesday of British Summer Time's April
WALK_AT = datetime(2026, 4, 7, 9, 30, tzinfo=UTC)
WILL_YOU_COME = (
    "Estate walk in Methil on Tue 7 Apr, 10:30. Meet at the community flat. Can you come?\n"
    "1 Yes\n2 No\nReply 1 or 2"
)
SEE_YOU = (
    "Thank you, see you on Tue 7 Apr, 10:30 at the community flat. "
    "If something changes, reply COMING again."
)
NOT_COMING = (
    "Thank you for telling us. You can still reply REPORT to tell us about a problem on your "
    "estate."
)
NONE_PLANNED = "There is no estate walk planned for your area just now."
NOTHING_MORE = (
    "There is no estate walk summary for your area yet. Reply REPORT to tell us about a problem."
)


def rsvps(db: Session) -> list[tuple[int, int, bool, str, datetime]]:
    db.expire_all()
    rows = db.scalars(select(InspectionRsvp).order_by(InspectionRsvp.inspection_id))
    return [(r.inspection_id, r.tenant_id, r.coming, r.channel, r.answered_at) for r in rows]


def in_conversation(db: Session, tenant: Tenant) -> bool:
    db.expire_all()
    return db.get(Conversation, tenant.id) is not None


def test_coming_yes_then_coming_again_no_changes_the_answer(
    phone: Phone,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    walk_id = create_inspection(db, area=methil, now=clock(), starts_at=WALK_AT).id
    db.commit()
    assert phone.text("COMING") == [WILL_YOU_COME]
    assert phone.text("yes") == [SEE_YOU]
    assert rsvps(db) == [(walk_id, tenant.id, True, "sms", clock())]
    assert not in_conversation(db, tenant)

    clock.advance(days=1)
    assert phone.text("coming") == [WILL_YOU_COME]
    assert phone.text("2") == [NOT_COMING]
    assert rsvps(db) == [(walk_id, tenant.id, False, "sms", clock())]


def test_coming_with_no_walk_planned_says_so_and_asks_nothing(
    phone: Phone, db: Session, tenant: Tenant
) -> None:
    (reply,) = phone.text("COMING")
    assert reply.startswith(NONE_PLANNED)
    assert rsvps(db) == [] and not in_conversation(db, tenant)


def test_coming_about_a_walk_called_off_meanwhile_answers_for_no_walk(
    phone: Phone,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    walk_id = create_inspection(db, area=methil, now=clock(), starts_at=WALK_AT).id
    db.commit()
    phone.text("COMING")
    with sessions.begin() as session:
        cancel_inspection(session, session.get_one(Inspection, walk_id), now=clock())
    (reply,) = phone.text("1")
    assert reply.startswith(NONE_PLANNED)
    assert rsvps(db) == []


def test_the_menu_offers_the_walk_to_tenants_with_an_area_only(
    phone: Phone,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    create_inspection(db, area=methil, now=clock(), starts_at=WALK_AT)
    db.commit()
    (menu,) = phone.text("MENU")
    assert "5 Say if you're coming to the estate walk" in menu
    assert phone.text("5") == [WILL_YOU_COME]

    tenant.area_id = None
    db.commit()
    (menu,) = phone.text("MENU")
    assert "coming to the estate walk" not in menu and "4 Report a problem" in menu


@pytest.mark.parametrize("body", ["", "\U0001f600\U0001f44d", "c" * 2000, "\x00\x07\x1b"])
def test_odd_input_at_will_you_come_gets_a_reprompt(
    body: str,
    phone: Phone,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    create_inspection(db, area=methil, now=clock(), starts_at=WALK_AT)
    db.commit()
    phone.text("COMING")
    assert phone.text(body) == [
        "Sorry, I did not understand. Please reply 1 or 2. Text HELP for help."
    ]
    assert phone.text("yes") == [SEE_YOU]


def test_more_with_no_walk_closed_says_there_is_no_summary_yet(
    phone: Phone,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    create_inspection(db, area=methil, now=clock(), starts_at=WALK_AT)  # booked, not yet walked
    db.commit()
    assert phone.text("MORE") == [NOTHING_MORE]
    assert not in_conversation(db, tenant)


def test_more_from_another_area_does_not_see_this_areas_closed_walk(
    phone: Phone,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    tenant: Tenant,
) -> None:
    elsewhere = create_area(db, name="Buckhaven")
    db.commit()
    with sessions.begin() as session:
        walk = create_inspection(session, area=elsewhere, now=clock(), starts_at=WALK_AT)
        close_inspection(session, walk, now=WALK_AT)
    assert phone.text("MORE") == [NOTHING_MORE]


def test_more_after_a_walk_that_found_nothing_says_so(
    phone: Phone,
    sessions: sessionmaker[Session],
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    with sessions.begin() as session:
        walk = create_inspection(session, area=methil, now=clock(), starts_at=WALK_AT)
        close_inspection(session, walk, now=WALK_AT)
    [reply] = phone.text("MORE")
    assert "estate walk in Methil" in reply and "found nothing that needs fixing" in reply
