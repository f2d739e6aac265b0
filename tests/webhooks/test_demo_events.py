"""The events demo, end to end: with the demo data an officer books an event for two
places in the console, three tenants text yes, the third waits, one drops out, and the
third is promoted and told, by SMS through the dispatcher."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from doorstep.demo import load_demo
from models.events import Event, EventRsvp
from models.tenants import Area
from scheduler.dispatcher import Dispatcher
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Phone, StaffBrowser

NEW = "/staff/events/new"
ANN, BRIAN, CHLOE = "+447700900101", "+447700900102", "+447700900103"
INVITATION = (
    "Fife Housing Group: Coffee morning, Tue 10 Mar, 10:30 at Methil Community Hall. "
    "Reply EVENTS to say if you can come."
)


def test_the_demo_two_places_three_yeses_one_drop_out_and_the_waiting_tenant_is_told(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    with sessions.begin() as session:
        load_demo(session)
    areas = {area.name: area.id for area in db.scalars(select(Area))}
    officer = staff_as("officer")
    form = {
        "title": "Coffee morning",
        "kind": "community",
        "areas": [str(areas["Methil"]), str(areas["Kirkcaldy Templehall"])],
        "day": "2026-03-10",
        "at": "10:30",
        "until": "12:00",
        "venue": "Methil Community Hall",
        "capacity": "2",
        "most_per_party": "1",
        "repeat_months": "1",
    }
    assert officer.submit(NEW, NEW, form).status_code == 302
    dispatcher.run_once()
    phones = {
        number: Phone(client, number, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
        for number in (ANN, BRIAN, CHLOE)
    }
    for number in (ANN, BRIAN, CHLOE):
        assert [m["body"] for m in fake_twilio.sent_to(number)] == [INVITATION]

    for number in (ANN, BRIAN):
        assert phones[number].text("EVENTS")[0].startswith("Coffee morning, Tue 10 Mar, 10:30")
        assert phones[number].text("1")[0].startswith("Thank you, see you at Coffee morning")
    phones[CHLOE].text("EVENTS")
    assert phones[CHLOE].text("yes") == [
        "Sorry, Coffee morning is full. You are number 1 on the waiting list. We will text you "
        "if a place comes free. Reply EVENTS to change your answer."
    ]

    phones[ANN].text("EVENTS")
    assert phones[ANN].text("2") == [
        "Thank you for telling us. If you change your mind, reply EVENTS."
    ]
    dispatcher.run_once()
    assert [m["body"] for m in fake_twilio.sent_to(CHLOE)][1:] == [
        "Fife Housing Group: good news, a place came free at Coffee morning, Tue 10 Mar, 10:30 "
        "at Methil Community Hall. You now have a place. Reply EVENTS if you can no longer come."
    ]
    db.expire_all()
    event_id = db.scalars(select(Event.id)).one()
    said = {r.tenant.phone: r.answer for r in db.scalars(select(EventRsvp))}
    assert said == {ANN: "no", BRIAN: "yes", CHLOE: "yes"}
    page = officer.client.get(f"/staff/events/{event_id}").get_data(as_text=True)
    assert "<strong>2</strong> coming (2 people)" in page
