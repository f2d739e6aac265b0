"""Calls that behave like calls: strangers can leave a message, 0 asks before it stops
our calls, 9 puts a caller through to a person, and nothing is said twice.

Every call goes in through the signed voice webhook, as Twilio makes it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import catalogue
from bot.flows import MENU_ENTRIES
from bot.presentation import Trait, presentation_of
from channels.presentations import VOICE
from models.consent import opted_out
from models.messages import InboundRecord
from models.tenants import Area
from tests.factories import create_tenant
from tests.helpers import Clock, StaffBrowser
from tests.webhooks.landline import Landline

STRANGER = "+447700900321"
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0999"


def test_a_stranger_hears_who_we_are_and_leaves_a_message_staff_see_with_their_number(
    client: FlaskClient, db: Session, staff_as: Callable[[str], StaffBrowser]
) -> None:
    stranger = Landline(client, STRANGER)
    greeting = stranger.call()
    assert greeting.said[0].startswith("Hello, this is Fife Housing Group.")
    assert "call 0300 123 4567" in greeting.text  # CONTACT_PHONE, as the tests set it
    assert greeting.record_action is not None and not greeting.hung_up
    thanks = stranger.leave_voice_note(RECORDING)
    assert "passed your message and your number to our team" in thanks.text and thanks.hung_up

    note = db.scalars(select(InboundRecord)).one()
    assert (note.address, note.inbox, note.media.get("recording")) == (STRANGER, "open", RECORDING)
    officer = staff_as("officer").client
    inbox = officer.get("/staff/inbox/").text
    assert "No name yet" in inbox and RECORDING in inbox
    caller = officer.get(f"/staff/tenants/{note.tenant_id}").text  # the inbox links here
    assert f"/staff/tenants/{note.tenant_id}" in inbox and f"<dd>{STRANGER}</dd>" in caller


def test_a_stranger_who_leaves_no_message_is_told_goodbye_and_nothing_reaches_staff(
    client: FlaskClient, db: Session
) -> None:
    stranger = Landline(client, STRANGER)
    stranger.call()
    goodbye = stranger.say_nothing()
    assert "Goodbye" in goodbye.text and goodbye.hung_up
    assert db.scalars(select(InboundRecord)).all() == []


def test_a_withheld_number_hears_whom_to_call_but_is_not_asked_for_a_message(
    client: FlaskClient, db: Session
) -> None:
    heard = Landline(client, "anonymous").call()
    assert "call 0300 123 4567" in heard.text
    assert heard.record_action is None and heard.hung_up


def test_0_once_asks_to_be_sure_and_1_goes_back_to_the_question(
    client: FlaskClient, db: Session
) -> None:
    tenant = create_tenant(db, name="Kay Moss", phone="+441314960153")
    db.commit()
    call = Landline(client, "+441314960153")
    menu = call.call()
    sure = call.press("0")
    assert "To stop all our calls, press 0 again. To go back, press 1." in sure.text
    assert not opted_out(db, tenant.id, "voice")
    back = call.press("1")
    assert "What would you like to do?" in back.text and back.gather is not None
    assert back.said[-1] == menu.said[-1]  # the same question, said again
    assert not opted_out(db, tenant.id, "voice")
    call.press("0")
    stopped = call.press("0")
    assert "You will get no more calls" in stopped.text and stopped.hung_up
    assert opted_out(db, tenant.id, "voice")


def test_9_at_the_menu_puts_the_caller_through_to_a_person_when_a_number_is_set(
    client: FlaskClient, db: Session, app: Flask
) -> None:
    create_tenant(db, name="Rab Shaw", phone="+441314960161")
    db.commit()
    without = Landline(client, "+441314960161").call()
    assert "To speak to a person, press 9." not in without.text

    app.config["CALL_TRANSFER_NUMBER"] = "0131 496 0999"
    call = Landline(client, "+441314960161")
    menu = call.call()
    assert "To speak to a person, press 9." in menu.text
    response = call.post(menu.gather["action"] if menu.gather else "", {"Digits": "9"})
    twiml = response.get_data(as_text=True)
    assert "<Dial>+441314960999</Dial>" in twiml and "Putting you through" in twiml


def test_9_is_not_offered_outside_office_hours(
    client: FlaskClient, db: Session, app: Flask, clock: Clock
) -> None:
    create_tenant(db, name="Rab Shaw", phone="+441314960161")
    db.commit()
    app.config["CALL_TRANSFER_NUMBER"] = "0131 496 0999"
    clock.advance(hours=12)  # 22:00: the window has closed
    menu = Landline(client, "+441314960161").call()
    assert "press 9" not in menu.text


def test_a_caller_who_stopped_our_calls_first_hears_how_to_start_them_again(
    client: FlaskClient, db: Session
) -> None:
    create_tenant(db, name="Nan Bell", phone="+441314960160")
    db.commit()
    stopping = Landline(client, "+441314960160")
    stopping.call()
    stopping.press("0")
    stopping.press("0")
    asked = Landline(client, "+441314960160").call()
    assert asked.said[1].startswith("You asked us to stop calling you.")
    assert "press 0 to stop our calls" not in asked.text


def test_the_voice_note_instruction_is_said_once(
    client: FlaskClient, db: Session, methil: Area
) -> None:
    create_tenant(db, name="Ivy Low", phone="+441314960162", area=methil)
    db.commit()
    call = Landline(client, "+441314960162")
    menu = call.call()
    key = menu.text.split("For leaving a message for our team, press ", 1)[1][0]
    asked = call.press(key)
    assert asked.record_action is not None
    assert asked.text.count("tone") == 1, asked.text


def test_every_menu_entry_a_call_offers_has_words_of_its_own_for_listening() -> None:
    calls = presentation_of(VOICE)
    assert Trait.HEARS in calls.traits
    offered = [flow for flow in MENU_ENTRIES if calls.traits.issuperset(flow.needs)]
    labels = [flow.menu_label for flow in offered if flow.menu_label]
    assert len(labels) > 5, "the registry gives the call menu's entries"
    unspoken = [label for label in labels if catalogue.worded(label, calls.wording) == label]
    assert unspoken == [], f"add voice.{unspoken[0]} to voice.po in every language"


def test_the_call_menu_says_no_sms_label(client: FlaskClient, db: Session, methil: Area) -> None:
    create_tenant(db, name="Ivy Low", phone="+441314960162", area=methil)
    db.commit()
    menu = Landline(client, "+441314960162").call()
    assert "For events, to say if you are coming, press" in menu.text
    assert "Events: say if you're coming" not in menu.text and "Send us a message" not in menu.text
