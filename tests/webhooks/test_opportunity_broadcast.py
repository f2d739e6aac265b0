"""Volunteer-bank opportunities: the offer goes to the volunteer bank, a member answers
YES by SMS or Telegram and is thanked, and staff see who offered, on the broadcast's page
and in the inbox. A YES that answers another question is left to that question."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.broadcasts import BroadcastInterest
from models.inspections import InspectionRsvp
from models.messages import InboundRecord
from models.tenants import Identity, Role, Tenant
from scheduler.dispatcher import Dispatcher
from tests.broadcast_helpers import create, deliver_all, send
from tests.factories import create_area, create_inspection, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, StaffBrowser, TelegramChat

Headers = Callable[[str], dict[str, str]]
HELPERS_WANTED = "We need 2 helpers to set out chairs at Methil hall on Sat 12 Dec, 10am."


def volunteer(db: Session, **fields: object) -> Tenant:
    tenant = create_tenant(db, **fields)  # type: ignore[arg-type]
    tenant.set_roles({Role.VOLUNTEER_BANK.value})
    db.commit()
    return tenant


def offer(client: FlaskClient, headers: dict[str, str], dispatcher: Dispatcher) -> int:
    """An opportunity with no audience chosen (so: the volunteer bank), sent and delivered."""
    broadcast = create(
        client, headers, kind="opportunity", texts={"en": HELPERS_WANTED}, audience={}
    )
    assert broadcast["audience"]["roles"] == ["volunteer_bank"]
    send(client, headers, broadcast["id"])
    deliver_all(dispatcher)
    return int(broadcast["id"])


def test_a_volunteer_answers_an_opportunity_yes_by_sms_and_staff_see_who_offered(
    client: FlaskClient,
    db: Session,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    phone: Phone,
    api_token: Headers,
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    member = volunteer(db, name="Ann Smith", phone=phone.number)
    bystander = create_tenant(db)
    db.commit()
    officer = api_token("officer")
    broadcast_id = offer(client, officer, dispatcher)
    [sms] = fake_twilio.sent_to(phone.number)
    assert sms["body"] == f"Fife Housing Group: {HELPERS_WANTED} Reply YES if you can help."
    assert fake_twilio.count_to(bystander.phone or "") == 0

    [thanks] = phone.text("Yes")
    assert thanks.startswith("Thank you for offering to help.")
    shown = client.get(f"/api/v1/broadcasts/{broadcast_id}", headers=officer).get_json()
    assert [v["tenant_id"] for v in shown["volunteers"]] == [member.id]
    yes = db.scalar(select(InboundRecord).where(InboundRecord.inbox == "open"))
    assert yes is not None and yes.broadcast_id == broadcast_id
    page = staff_as("viewer").client.get(f"/staff/broadcasts/{broadcast_id}")
    assert "Ann Smith" in page.get_data(as_text=True).split("Who said YES")[1]


def test_a_volunteer_answers_an_opportunity_yes_on_telegram(
    client: FlaskClient,
    db: Session,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
    chat: TelegramChat,
    api_token: Headers,
) -> None:
    member = volunteer(db, name="Dariusz Nowak", channels=())
    member.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    broadcast_id = offer(client, api_token("officer"), dispatcher)
    [notice] = bot_api.sent_messages(chat.chat_id)
    assert notice["text"].endswith("Reply YES if you can help.")

    assert chat.say("YES").status_code == 200
    deliver_all(dispatcher)
    assert bot_api.sent_messages(chat.chat_id)[-1]["text"].startswith("Thank you for offering")
    interest = db.scalar(select(BroadcastInterest))
    assert interest is not None
    assert (interest.broadcast_id, interest.tenant_id, interest.channel) == (
        broadcast_id,
        member.id,
        "telegram",
    )


def test_a_second_yes_is_not_counted_twice(
    client: FlaskClient, db: Session, dispatcher: Dispatcher, phone: Phone, api_token: Headers
) -> None:
    volunteer(db, phone=phone.number)
    offer(client, api_token("officer"), dispatcher)
    assert phone.text("YES")[0].startswith("Thank you for offering")
    assert phone.text("YES")[0].startswith("Thank you. We have passed your message")
    assert len(db.scalars(select(BroadcastInterest)).all()) == 1


def test_yes_more_than_fourteen_days_after_the_opportunity_is_only_an_inbox_message(
    client: FlaskClient,
    db: Session,
    clock: Clock,
    dispatcher: Dispatcher,
    phone: Phone,
    api_token: Headers,
) -> None:
    volunteer(db, phone=phone.number)
    offer(client, api_token("officer"), dispatcher)
    clock.advance(days=15)
    assert phone.text("YES")[0].startswith("Thank you. We have passed your message")
    assert db.scalars(select(BroadcastInterest)).all() == []


def test_yes_from_a_tenant_no_opportunity_reached_goes_to_the_inbox(
    db: Session, phone: Phone
) -> None:
    volunteer(db, phone=phone.number)
    assert phone.text("YES")[0].startswith("Thank you. We have passed your message")
    assert db.scalars(select(BroadcastInterest)).all() == []


def test_yes_answering_another_question_is_that_questions_answer_not_an_offer(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    phone: Phone,
    api_token: Headers,
) -> None:
    methil = create_area(db, name="Methil")
    member = volunteer(db, phone=phone.number, area=methil)
    with sessions.begin() as session:
        create_inspection(
            session, area=methil, starts_at=datetime(2026, 3, 20, 10, 0, tzinfo=UTC), now=clock()
        )
    offer(client, api_token("officer"), dispatcher)
    assert "Can you come?" in phone.text("COMING")[0]
    assert phone.text("YES")[0].startswith("Thank you, see you on Fri 20 Mar")
    rsvp = db.scalar(select(InspectionRsvp).where(InspectionRsvp.tenant_id == member.id))
    assert rsvp is not None and rsvp.coming
    assert db.scalars(select(BroadcastInterest)).all() == []
