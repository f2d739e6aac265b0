"""Calls that behave like calls: strangers can leave a message, 0 asks before it stops
our calls, 9 puts a caller through to a person, nothing is said twice, and every
question and option is worded for listening.

Every call goes in through the signed voice webhook, as Twilio makes it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Flow
from bot.flows import FLOWS, MENU_ENTRIES
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


# Words that ask a caller to read or write, which a call cannot do.
READING_WORDS = re.compile(
    r"\b(reply|replies|text|texts|texting|type|typing|tap|send|write|click|button|buttons)\b",
    re.IGNORECASE,
)
KEYWORD_IN_CAPITALS = re.compile(r"\b(?!OK\b)[A-Z]{2,}\b")  # SKIP, HELP: words to text back
NOT_ON_A_CALL = ("registration", "telegram_")  # strangers who call go to stranger_call


def _offered_on_a_call() -> Iterator[Flow]:
    calls = presentation_of(VOICE)
    for flow in FLOWS.values():
        if calls.traits.issuperset(flow.needs) and not flow.name.startswith(NOT_ON_A_CALL):
            yield flow


def _spoken_key(key: str) -> str:
    return catalogue.worded(key, presentation_of(VOICE).wording)


def _said_on_a_call(key: str) -> str:
    return catalogue.entries("en")[_spoken_key(key)]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_prompt_and_option_a_call_says_is_worded_for_listening() -> None:
    """What a call says for each question of each flow it offers (the registry's, less
    registration and telegram_*), and for each option listed in the flow (options built
    from data, such as events and polls, are staff's words or the menu's, tested above),
    is its ``voice.<key>`` where that exists, else the English text as written. It fails:

    - for words that ask the caller to read or write (reply, text, type, tap, send,
      write, click, button) or a keyword in capitals (SKIP, HELP), which no keypad says;
    - for a number in the prompt of a question with options: the call says "For Yes,
      press 1." after it, so "from 1 (very hard) to 5" would say the keys twice;
    - for an option with stops or commas of its own ("Yes, ask to join"), which break
      the sentence "For <option>, press 1." in two;
    - for a question answered in words whose spoken prompt is its own but does not say
      how to leave the voice note (the call then adds no "speak after the tone").

    A text that passes as written needs no ``voice.<key>``. Each one used is in every
    language we have, with the English placeholders.
    """
    wrong: dict[str, str] = {}
    spoken: set[str] = set()
    walked = 0
    for flow in _offered_on_a_call():
        for question in flow.questions.values():
            labels = () if callable(question.options) else question.options
            options = [option.label for option in labels if option.label]
            for key in (question.prompt, *options):
                walked += 1
                said = _said_on_a_call(key)
                if _spoken_key(key) != key:
                    spoken.add(_spoken_key(key))
                if READING_WORDS.search(said) or KEYWORD_IN_CAPITALS.search(said):
                    wrong[key] = said
                if key in options and re.search(r"[,.:;?!]", said):
                    wrong[key] = said
            prompt = _said_on_a_call(question.prompt)
            if question.options and re.search(r"\d", prompt):
                wrong[question.prompt] = prompt
            own_words = _spoken_key(question.prompt) != question.prompt
            if not (question.options or question.keypad) and own_words and "tone" not in prompt:
                wrong[question.prompt] = prompt
    assert walked > 40, "the registry gives the questions and options a call asks"
    assert wrong == {}, f"add voice.<key> to voice.po in every language for {sorted(wrong)}"
    english = catalogue.entries("en")
    for language in catalogue.languages():
        theirs = catalogue.entries(language)
        missing = sorted(key for key in spoken if key not in theirs)
        assert missing == [], f"{language} has no {missing}"
        unlike = sorted(k for k in spoken if _placeholders(theirs[k]) != _placeholders(english[k]))
        assert unlike == [], f"{language}: placeholders differ from English in {unlike}"


def test_a_shopper_on_a_call_hears_each_scale_question_once_then_its_keys(
    client: FlaskClient, db: Session, methil: Area
) -> None:
    shopper = create_tenant(db, name="Isla Kerr", phone="+441314960151", area=methil)
    shopper.set_roles({"mystery_shopper"})
    db.commit()
    call = Landline(client, "+441314960151")
    menu = call.call()
    call.press(menu.text.split("For the mystery shopper check-in, press ", 1)[1][0])
    call.press("1")  # a phone call
    ease = call.press("1")  # this week
    assert "How easy was it to get help? For Very hard, press 1." in ease.text
    respect = call.press("2")
    assert "How well did our staff treat you? For Very badly, press 1." in respect.text
    assert "from 1" not in ease.text + respect.text


def test_a_caller_hears_the_ways_to_get_involved_without_being_asked_to_reply(
    client: FlaskClient, db: Session, methil: Area
) -> None:
    create_tenant(db, name="Ivy Low", phone="+441314960162", area=methil)
    db.commit()
    call = Landline(client, "+441314960162")
    menu = call.call()
    ways = call.press(menu.text.split("For ways to get involved, press ", 1)[1][0])
    assert "Choose one to hear more about it." in ways.text and "Reply" not in ways.text
    confirm = call.press("1")
    assert "For asking to join, press 1. For No, press 2." in confirm.text
