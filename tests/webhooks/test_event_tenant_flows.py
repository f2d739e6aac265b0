"""EVENTS, the tenant's side of an event, through the signed Twilio webhook.

Events are booked through participation.event_steps (as the console and API do); tenants answer
by text; notices for other tenants are delivered by the dispatcher to the fake Twilio.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.consent import Topic, record_consent
from models.conversations import Conversation
from models.events import Event, EventRsvp
from models.messages import OutboundRecord
from models.tenants import Area, Tenant
from scheduler.dispatcher import Dispatcher
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_area, create_event, create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone

FUN_DAY_AT = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # Sat 14 Mar, 12:00 in London (GMT)
HALL = "Methil Community Hall"
ARE_YOU_COMING = (
    "Summer fun day, Sat 14 Mar, 12:00 at Methil Community Hall. Are you coming?\n"
    "1 Yes\n2 No\n3 Maybe\nReply 1, 2 or 3"
)
SEE_YOU = (
    "Thank you, see you at Summer fun day on Sat 14 Mar, 12:00 at Methil Community Hall. "
    "If something changes, reply EVENTS."
)
NOT_COMING = "Thank you for telling us. If you change your mind, reply EVENTS."
INVITATION = (
    "Fife Housing Group: Summer fun day, Sat 14 Mar, 12:00 at Methil Community Hall. "
    "Reply EVENTS to say if you can come."
)
REPROMPT = "Sorry, I did not understand. Please reply 1, 2 or 3. Text HELP for help."


def neighbour(db: Session, client: FlaskClient, area: Area, number: str) -> tuple[Tenant, Phone]:
    tenant = create_tenant(db, name=f"Tenant {number[-3:]}", phone=number, area=area)
    db.commit()
    return tenant, Phone(client, number, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)


def answers(db: Session) -> dict[int, tuple[str, int]]:
    db.expire_all()
    return {r.tenant_id: (r.answer, r.party) for r in db.scalars(select(EventRsvp))}


def received(fake_twilio: FakeTwilio, number: str) -> list[str]:
    return [message["body"] for message in fake_twilio.sent_to(number)]


def test_one_event_is_asked_about_straight_away_and_yes_is_kept(
    phone: Phone,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT)
    db.commit()
    assert phone.text("EVENTS") == [ARE_YOU_COMING]
    assert phone.text("yes") == [SEE_YOU]
    assert answers(db) == {tenant.id: ("yes", 1)}
    db.expire_all()
    assert db.get(Conversation, tenant.id) is None


def test_saying_events_again_shows_the_answer_and_lets_the_tenant_change_it(
    phone: Phone,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT)
    db.commit()
    phone.text("EVENTS")
    phone.text("1")
    clock.advance(days=1)
    (again,) = phone.text("events")
    assert "Your answer now: coming. Are you coming?" in again
    assert phone.text("no") == [NOT_COMING]
    assert answers(db) == {tenant.id: ("no", 1)}
    phone.text("EVENTS")
    assert phone.text("maybe") == ["Thank you. Reply EVENTS when you know if you can come."]
    assert answers(db) == {tenant.id: ("maybe", 1)}


def test_with_several_events_the_list_shows_each_with_the_tenants_own_answer(
    phone: Phone,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT)
    db.commit()
    drop_in = create_event(
        db,
        now=clock(),
        area=methil,
        title="Monthly drop-in",
        starts_at=FUN_DAY_AT + timedelta(days=3),
    ).id
    db.commit()
    (listed,) = phone.text("EVENTS")
    assert listed == (
        "Events coming up. Which one do you want to answer?\n"
        "1 Summer fun day, Sat 14 Mar, 12:00\n"
        "2 Monthly drop-in, Tue 17 Mar, 12:00\n"
        "Reply 1 or 2"
    )
    (question,) = phone.text("2")
    assert question.startswith("Monthly drop-in, Tue 17 Mar, 12:00")
    phone.text("1")
    (listed,) = phone.text("EVENTS")
    assert "2 Monthly drop-in, Tue 17 Mar, 12:00 (coming)" in listed
    assert answers(db) == {tenant.id: ("yes", 1)}
    db.expire_all()
    assert db.scalars(select(EventRsvp.event_id)).one() == drop_in


def test_events_elsewhere_are_not_listed_and_no_events_gets_a_clear_answer(
    phone: Phone, db: Session, clock: Clock, tenant: Tenant
) -> None:
    elsewhere = create_area(db, name="Buckhaven")
    db.commit()
    create_event(db, now=clock(), area=elsewhere, starts_at=FUN_DAY_AT)
    db.commit()
    assert phone.text("EVENTS") == [
        "There are no events for you to answer just now. We will text you when there is one."
    ]


def test_when_full_a_yes_goes_on_the_waiting_list_and_hears_its_place(
    phone: Phone,
    client: FlaskClient,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT, capacity=1)
    db.commit()
    second, second_phone = neighbour(db, client, methil, "+447700900124")
    phone.text("EVENTS")
    assert phone.text("1") == [SEE_YOU]
    second_phone.text("EVENTS")
    assert second_phone.text("yes") == [
        "Sorry, Summer fun day is full. You are number 1 on the waiting list. We will text you "
        "if a place comes free. Reply EVENTS to change your answer."
    ]
    assert answers(db) == {tenant.id: ("yes", 1), second.id: ("waiting", 1)}


def test_a_drop_out_promotes_the_first_on_the_waiting_list_whose_party_fits_and_tells_them(
    phone: Phone,
    client: FlaskClient,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    big, big_phone = neighbour(db, client, methil, "+447700900124")
    small, small_phone = neighbour(db, client, methil, "+447700900125")
    create_event(
        db,
        now=clock(),
        area=methil,
        starts_at=FUN_DAY_AT,
        capacity=2,
        most_per_party=4,
    )
    db.commit()
    for sender, party in ((phone, "2"), (big_phone, "3"), (small_phone, "1")):
        sender.text("EVENTS")
        assert sender.text("yes") == ["How many of you, including you? Reply 1 to 4."]
        sender.text(party)
    assert answers(db) == {tenant.id: ("yes", 2), big.id: ("waiting", 3), small.id: ("waiting", 1)}
    dispatcher.run_once()
    before = len(received(fake_twilio, small_phone.number))

    phone.text("EVENTS")
    assert phone.text("no") == [NOT_COMING]
    assert answers(db) == {tenant.id: ("no", 1), big.id: ("waiting", 3), small.id: ("yes", 1)}
    dispatcher.run_once()
    assert received(fake_twilio, small_phone.number)[before:] == [
        "Fife Housing Group: good news, a place came free at Summer fun day, Sat 14 Mar, 12:00 "
        "at Methil Community Hall. You now have a place. Reply EVENTS if you can no longer come."
    ]
    assert received(fake_twilio, big_phone.number) == [INVITATION]  # a party of 3 does not fit


def test_after_the_rsvp_deadline_an_answer_gets_a_polite_refusal_with_a_contact(
    phone: Phone,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    create_event(
        db,
        now=clock(),
        area=methil,
        starts_at=FUN_DAY_AT,
        rsvp_by=clock() + timedelta(hours=1),
    )
    db.commit()
    phone.text("EVENTS")
    clock.advance(hours=2)  # the question is still open, but answers have closed
    assert phone.text("yes") == [
        "Sorry, answers for Summer fun day closed on Tue 3 Mar, 11:00. "
        "Please contact 0300 123 4567 to ask about it."
    ]
    assert phone.text("EVENTS")[0].startswith("Sorry, answers for Summer fun day closed")
    assert answers(db) == {}


@pytest.mark.parametrize("body", ["", "\U0001f600", "c" * 2000, "\x00\x07", "7", "perhaps not"])
def test_bad_input_at_every_question_gets_a_reprompt_and_the_question_stays_open(
    body: str,
    phone: Phone,
    db: Session,
    clock: Clock,
    methil: Area,
    tenant: Tenant,
) -> None:
    """Words that are no choice get a re-prompt; empty ones at a number, the engine's."""
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT, most_per_party=3)
    db.commit()
    create_event(
        db,
        now=clock(),
        area=methil,
        title="Monthly drop-in",
        starts_at=FUN_DAY_AT + timedelta(days=3),
    )
    db.commit()
    empty = "Sorry, that was empty. Please reply with a few words. Text HELP for help."
    phone.text("EVENTS")
    assert phone.text(body) == [
        "Sorry, I did not understand. Please reply 1 or 2. Text HELP for help."
    ]
    phone.text("1")
    assert phone.text(body) == [REPROMPT]
    assert phone.text("1") == ["How many of you, including you? Reply 1 to 3."]
    (reply,) = phone.text(body)
    assert reply in (
        empty,
        "Sorry, I did not understand. Please reply a number from 1 to 3. Text HELP for help.",
    )
    assert phone.text("3")[0].startswith("Thank you, see you at Summer fun day")
    assert answers(db) == {tenant.id: ("yes", 3)}


def test_a_tenant_opted_out_of_events_gets_no_invitation(
    db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    keen = create_tenant(db, area=methil)
    record_consent(
        db,
        tenant_id=tenant.id,
        channel="sms",
        topic=Topic.EVENTS,
        granted=False,
        source="test",
        wording_version="test",
        now=clock(),
    )
    db.commit()
    event_id = create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT).id
    db.commit()
    db.expire_all()
    invited = set(
        db.scalars(select(OutboundRecord.tenant_id).where(OutboundRecord.topic == "events"))
    )
    assert invited == {keen.id}
    assert db.get_one(Event, event_id).invited_at == clock()
