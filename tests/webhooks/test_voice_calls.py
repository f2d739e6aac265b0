"""Landline-only tenants by phone: the voice webhook drives the same engine and flows.

Calls are made the way Twilio makes them (signed posts, following the TwiML's
<Gather> and <Record> actions); notices go out as calls through the dispatcher and
the real twilio client, against the offline Twilio stand-in.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.broadcasts import BroadcastInterest
from models.consent import opted_out
from models.events import EventRsvp
from models.inspections import IssueReport
from models.messages import InboundRecord, OutboundRecord, OutboxStatus
from models.mystery_shopping import MysteryShopCheckIn
from models.tenants import Area, Tenant
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.broadcast_helpers import create, deliver_all, send
from tests.factories import create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, StaffBrowser, book_event
from tests.webhooks.landline import GRACE, VOICE_PATH, Landline, book_phoned_walk, demo_areas

RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0123"


def _key_for(heard_text: str, label: str) -> str:
    """The key the call offers for ``label`` ("For Events..., press 3.")."""
    said = heard_text.split(f"For {label}, press ", 1)
    assert len(said) == 2, f"{label!r} not offered in: {heard_text}"
    return said[1][0]


def test_a_landline_caller_says_they_are_coming_to_an_event_by_pressing_keys(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    areas = demo_areas(sessions, db)
    book_event(staff_as("officer"), [areas["Leven"]])
    grace = Landline(client, GRACE)

    menu = grace.call()
    assert menu.said[0] == "Hello, this is Fife Housing Group."
    assert "press star for help" in menu.text and set(menu.languages) == {"en-GB"}
    assert menu.gather is not None and menu.gather["numDigits"] == "1"
    event = grace.press(_key_for(menu.text, "events, to say if you are coming"))
    assert "Leven gala day" in event.text and "For Yes, press 1." in event.text
    party = grace.press("1")
    assert "How many people are coming" in party.text
    assert party.gather is not None and party.gather["finishOnKey"] == "#"
    done = grace.press("3#")
    assert "see you at Leven gala day" in done.text
    assert done.gather is not None and "then=menu" in done.gather["action"]

    rsvp = db.scalars(select(EventRsvp)).one()
    assert (rsvp.answer, rsvp.party, rsvp.channel) == ("yes", 3, "voice")
    goodbye = grace.press("9")  # any key after the end: the menu again
    assert "What would you like to do?" in goodbye.text


def test_a_shopper_on_a_landline_does_the_check_in_with_keys_and_a_voice_note(
    client: FlaskClient, db: Session, methil: Area
) -> None:
    shopper = create_tenant(db, name="Isla Kerr", phone="+441314960151", area=methil)
    shopper.landline_only = True
    shopper.set_roles({"mystery_shopper"})
    db.commit()
    call = Landline(client, "+441314960151")
    heard = call.call()
    heard = call.press(_key_for(heard.text, "the mystery shopper check-in"))
    assert "Which of our services" in heard.text
    for key in ("1", "1", "2", "4", "3"):  # phone, this week, hard, well, not sorted
        heard = call.press(key)
    assert heard.record_action is not None and "Speak after the tone" in heard.text
    heard = call.leave_voice_note(RECORDING)
    assert heard.record_action is not None  # what could we do better?
    heard = call.say_nothing()  # the hash key at once: nothing to add
    assert "Your answers help us" in heard.text

    check_in = db.scalars(select(MysteryShopCheckIn)).one()
    assert check_in.finished and check_in.channel == "voice"
    assert (check_in.service, check_in.ease, check_in.sorted_out) == ("phone", 2, "no")
    note = db.scalars(select(InboundRecord).where(InboundRecord.media.is_not(None))).all()
    assert [m.media.get("recording") for m in note if m.media.get("recording")] == [RECORDING]


def test_a_walk_notice_phoned_to_a_landline_takes_1_to_report_and_staff_hear_the_note(
    client: FlaskClient,
    db: Session,
    app: Flask,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    areas = demo_areas(sessions, db)
    officer = staff_as("officer")
    page, _walk = book_phoned_walk(officer, areas)
    clock.advance(days=10, hours=1)  # the notice is due a week before the walk
    run_due_tasks(sessions, clock(), settings=app.extensions["doorstep.settings"])
    dispatcher.run_once()
    [placed] = fake_twilio.calls_to(GRACE)
    notice = Landline(client, GRACE, outbound=True).answer(placed)
    assert "estate walk in Leven" in notice.text and "press 1" in notice.text
    assert "Reply" not in notice.text and "REPORT" not in notice.text  # worded for a call
    assert notice.gather is not None and "on1=REPORT" in notice.gather["action"]

    grace = Landline(client, GRACE, outbound=True, last=notice)
    asked = grace.press("1")
    assert "tell us what the problem is" in asked.text and asked.record_action
    thanks = grace.leave_voice_note(RECORDING)
    report = db.scalars(select(IssueReport)).one()
    assert report.voice_note == RECORDING and report.channel == "voice"
    assert " ".join(report.reference) in thanks.text  # read out a character at a time
    page = officer.client.get(f"/staff/inspections/{report.inspection_id}").text
    assert f'src="{RECORDING}.mp3"' in page  # on the walk it is to be looked at on


def test_star_is_help_and_0_stops_the_calls(client: FlaskClient, db: Session) -> None:
    tenant = create_tenant(db, name="Kay Moss", phone="+441314960153")
    db.commit()
    call = Landline(client, "+441314960153")
    call.call()
    helped = call.press("*")
    assert "To speak to a person, call" in helped.text
    call.press("0")  # asked to be sure
    stopped = call.press("0")
    assert "You will get no more calls from Fife Housing Group" in stopped.text
    assert stopped.hung_up and stopped.gather is None
    assert opted_out(db, tenant.id, "voice")


def test_a_stranger_is_told_kindly_and_nothing_is_stored(client: FlaskClient, db: Session) -> None:
    heard = Landline(client, "+441314960154").call()
    assert "We do not know this phone number" in heard.text and heard.record_action
    assert db.scalars(select(InboundRecord)).all() == []
    assert db.scalars(select(Tenant)).all() == []


def test_a_call_without_twilios_signature_is_refused(client: FlaskClient, db: Session) -> None:
    response = Landline(client, "+441314960155").post(VOICE_PATH, {}, signature="forged")
    assert response.status_code == 403


def test_bad_steps_and_missing_fields_get_a_4xx_never_a_500(client: FlaskClient) -> None:
    call = Landline(client, "+441314960156")
    for path in (f"{VOICE_PATH}?step=x", f"{VOICE_PATH}?step=99999999"):
        assert call.post(path, {}).status_code == 400
    assert call.post(VOICE_PATH, {"CallSid": ""}).status_code == 400


def test_silence_where_a_key_is_due_ends_the_call_kindly(client: FlaskClient, db: Session) -> None:
    create_tenant(db, name="Lena Ross", phone="+441314960157")
    db.commit()
    call = Landline(client, "+441314960157")
    menu = call.call()
    assert menu.gather is not None
    response = call.post(menu.gather["action"], {})  # Twilio posts no Digits
    heard = ET.fromstring(response.get_data(as_text=True))  # noqa: S314
    assert heard.find("Hangup") is not None and "Goodbye" in "".join(
        s.text or "" for s in heard.iter("Say")
    )


def test_a_polish_caller_hears_polish_and_a_gaelic_caller_hears_english(
    client: FlaskClient, db: Session
) -> None:
    create_tenant(db, name="Ola Nowak", phone="+441314960158", language="pl")
    create_tenant(db, name="Mairi Ross", phone="+441314960159", language="gd")
    db.commit()
    polish = Landline(client, "+441314960158").call()
    gaelic = Landline(client, "+441314960159").call()
    assert set(polish.languages) == {"pl-PL"}
    assert set(gaelic.languages) == {"en-GB"} and "Hello, this is" in gaelic.text


def test_a_latvian_caller_hears_the_menu_in_latvian_in_a_latvian_voice(
    client: FlaskClient, db: Session
) -> None:
    create_tenant(db, name="Inese Ozola", phone="+441314960160", language="lv")
    db.commit()
    menu = Landline(client, "+441314960160").call()
    assert set(menu.languages) == {"lv-LV"}
    assert menu.said[0] == "Labdien, šeit Fife Housing Group."
    assert "palīdzība: spiediet" in menu.text and "For " not in menu.text


def test_a_notice_to_a_landline_goes_as_a_call_when_staff_choose_and_its_outcome_is_counted(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    areas = demo_areas(sessions, db)
    officer = staff_as("officer")
    form = {
        "kind": "notice",
        "text_en": "The Leven lift is fixed.",
        "areas": [str(areas["Leven"])],
        "topic": "news",
        "call_landlines": "y",
    }
    written = officer.submit("/staff/broadcasts/new", "/staff/broadcasts/new", form)
    assert written.status_code == 302, written.text
    page_path = written.headers["Location"]
    assert 'id="recipients">2<' in officer.client.get(page_path).text  # Elaine, and Grace
    sent = officer.submit(page_path, f"{page_path.rstrip('/')}/send", {})
    assert sent.status_code == 302
    clock.advance(hours=1)  # into the sending window
    dispatcher.run_once()
    [placed] = fake_twilio.calls_to(GRACE)
    said = Landline(client, GRACE, outbound=True).answer(placed)
    assert said.text.count("Fife Housing Group: The Leven lift is fixed.") == 2  # said twice
    assert set(said.languages) == {"en-GB"} and said.gather is None  # nothing to press
    row = db.scalars(select(OutboundRecord).where(OutboundRecord.channel == "voice")).one()
    assert row.address == GRACE and row.status == OutboxStatus.SENT

    status = Landline(client, GRACE)
    ref = placed["status_callback"].split("ref=")[1]
    answer = status.post(
        f"/webhooks/twilio/status?ref={ref}", {"CallSid": placed["sid"], "CallStatus": "no-answer"}
    )
    assert answer.status_code == 204
    db.expire_all()
    row = db.get(OutboundRecord, row.id)
    assert row is not None
    assert (row.status, row.error_code) == (OutboxStatus.QUEUED, "no-answer")  # rung again later


def test_an_event_phoned_to_a_landline_is_answered_by_pressing_1_on_the_call(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    areas = demo_areas(sessions, db)
    book_event(staff_as("officer"), [areas["Leven"]], call_landlines="y")
    deliver_all(dispatcher)  # the invitation, booked for the sending window, goes now
    [placed] = fake_twilio.calls_to(GRACE)
    invitation = Landline(client, GRACE, outbound=True).answer(placed)
    assert invitation.text.startswith("Fife Housing Group: Leven gala day, Tue 10 Mar, 10:30")
    assert "Reply" not in invitation.text  # said for a call, not a text
    assert invitation.text.count("To say if you are coming, press 1.") == 2  # said twice
    assert invitation.gather is not None and "on1=EVENTS" in invitation.gather["action"]

    grace = Landline(client, GRACE, outbound=True, last=invitation)
    assert "Are you coming? For Yes, press 1." in grace.press("1").text
    grace.press("1")
    grace.press("2#")
    rsvp = db.scalars(select(EventRsvp)).one()
    assert (rsvp.answer, rsvp.party, rsvp.channel) == ("yes", 2, "voice")
    [elaine] = fake_twilio.sent_to("+447700900105")  # Leven's tenant with a mobile: a text
    assert elaine["body"].endswith("Reply EVENTS to say if you can come.")


def test_an_opportunity_phoned_to_a_landline_volunteer_takes_1_as_yes(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    api_token: Callable[[str], dict[str, str]],
) -> None:
    demo_areas(sessions, db)
    grace = db.scalars(select(Tenant).where(Tenant.phone == GRACE)).one()
    grace.set_roles({"volunteer_bank"})
    db.commit()
    headers = api_token("officer")
    wanted = "We need 2 helpers to set out chairs at Leven hall on Sat 12 Dec, 10am."
    draft = create(
        client,
        headers,
        kind="opportunity",
        texts={"en": wanted},
        audience={},
        call_landlines=True,
    )
    assert draft["call_landlines"] is True
    send(client, headers, draft["id"])
    deliver_all(dispatcher)
    [placed] = fake_twilio.calls_to(GRACE)
    offer = Landline(client, GRACE, outbound=True).answer(placed)
    assert wanted in offer.text and "If you can help, press 1." in offer.text
    thanks = Landline(client, GRACE, outbound=True, last=offer).press("1")
    assert "Thank you for offering to help" in thanks.text
    interest = db.scalars(select(BroadcastInterest)).one()
    assert (interest.tenant_id, interest.channel) == (grace.id, "voice")


def test_a_caller_who_stopped_our_calls_can_start_them_again_with_1(
    client: FlaskClient, db: Session
) -> None:
    tenant = create_tenant(db, name="Nan Bell", phone="+441314960160")
    db.commit()
    stopping = Landline(client, "+441314960160")
    stopping.call()
    stopping.press("0")
    stopping.press("0")
    again = Landline(client, "+441314960160")
    asked = again.call()
    assert "You asked us to stop calling you. To let us call you again, press 1." in asked.text
    welcome = again.press("1")
    assert "Welcome back. Fife Housing Group can call you again." in welcome.text
    assert not opted_out(db, tenant.id, "voice")
