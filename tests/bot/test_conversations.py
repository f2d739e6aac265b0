"""The conversation engine walked end to end through the signed Twilio webhook."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.sms import count_segments
from models.consent import ConsentChange, opted_out
from models.conversations import Conversation
from models.messages import InboundRecord
from models.tenants import Area, Tenant
from tests.helpers import Clock, Phone

STOP_WORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"]


@pytest.fixture
def methil(db: Session) -> Area:
    area = Area(name="Methil", postcode_prefixes="KY8 2,KY8 3")
    db.add(area)
    db.commit()
    return area


def tenant_of(db: Session, phone: Phone) -> Tenant:
    db.expire_all()
    tenant = db.scalar(select(Tenant).where(Tenant.phone == phone.number))
    assert tenant is not None
    return tenant


def register(phone: Phone) -> None:
    phone.text("Hi")
    phone.text("Ann Smith")
    phone.text("1")
    phone.text("Methil")
    phone.text("1")


def state_of(db: Session, tenant: Tenant) -> tuple[str, str] | None:
    db.expire_all()
    conversation = db.get(Conversation, tenant.id)
    return (conversation.flow, conversation.state) if conversation else None


def test_a_stranger_signs_up_with_name_and_postcode(
    phone: Phone, db: Session, methil: Area
) -> None:
    assert "reply with your name" in phone.text("Hi")[0]
    assert phone.text("  Ann   Smith ")[0].startswith("Is your name Ann Smith?")
    assert "Which estate" in phone.text("yes")[0]
    assert "Do you live in Methil?" in phone.text("ky8 3ab")[0]
    assert "You are signed up" in phone.text("yes")[0]
    tenant = tenant_of(db, phone)
    assert (tenant.name, tenant.area_id, tenant.registered, tenant.verified) == (
        "Ann Smith",
        methil.id,
        True,
        False,
    )
    assert state_of(db, tenant) is None


def test_an_estate_we_cannot_match_is_kept_as_typed(
    phone: Phone, db: Session, methil: Area
) -> None:
    phone.text("Hi")
    phone.text("Ann Smith")
    phone.text("1")
    assert "You are signed up" in phone.text("Wellesley Road flats")[0]
    tenant = tenant_of(db, phone)
    assert tenant.area_id is None and tenant.area_text == "Wellesley Road flats"


def test_a_name_without_letters_is_asked_for_again(phone: Phone, db: Session) -> None:
    phone.text("Hi")
    assert "for example Ann Smith" in phone.text("1")[0]
    assert tenant_of(db, phone).name is None


def test_a_stranger_whose_first_text_says_something_reaches_the_staff_inbox(
    phone: Phone, db: Session
) -> None:
    phone.text("The stair light at number 4 is out again")
    db.expire_all()
    first = db.scalar(select(InboundRecord))
    assert first is not None and first.inbox == "open"


def test_free_text_from_a_registered_tenant_goes_to_the_inbox_with_thanks(
    phone: Phone, db: Session, methil: Area
) -> None:
    register(phone)
    assert "passed your message to our team" in phone.text("When is the next meeting?")[0]
    db.expire_all()
    last = db.scalars(select(InboundRecord).order_by(InboundRecord.id.desc())).first()
    assert last is not None and last.inbox == "open"


def test_menu_lists_the_ways_to_take_part_and_a_choice_starts_that_flow(
    phone: Phone, db: Session, methil: Area
) -> None:
    register(phone)
    menu = phone.text("menu")[0]
    assert "1 Send us a message" in menu and "Reply 1, 2, 3, 4, 5, 6, 7 or 8" in menu
    assert "reply with your message" in phone.text("1")[0]
    assert "passed your message" in phone.text("Bins not collected")[0]


def test_a_choice_we_do_not_understand_gets_one_short_reprompt(
    phone: Phone, db: Session, methil: Area
) -> None:
    register(phone)
    phone.text("MENU")
    replies = phone.text("banana")
    assert replies == [
        "Sorry, I did not understand. Please reply 1, 2, 3, 4, 5, 6, 7 or 8. Text HELP for help."
    ]
    assert state_of(db, tenant_of(db, phone)) == ("menu", "choose")


@pytest.mark.parametrize("said", ["yes", "Y", " YEP ", "yeah", "1", "1.", "Aye"])
def test_yes_is_understood_however_it_is_typed(
    said: str, phone: Phone, db: Session, methil: Area
) -> None:
    phone.text("Hi")
    phone.text("Ann Smith")
    phone.text("1")
    phone.text("Methil")
    assert "You are signed up" in phone.text(said)[0]


def test_stop_opts_out_logs_the_wording_and_silences_everything_but_start(
    phone: Phone, db: Session, methil: Area
) -> None:
    register(phone)
    assert "no more texts" in phone.text("Stop")[0]
    tenant = tenant_of(db, phone)
    assert opted_out(db, tenant.id, "sms")
    change = db.scalar(select(ConsentChange).where(ConsentChange.tenant_id == tenant.id))
    assert change is not None and change.source == "keyword STOP" and not change.granted
    assert change.wording_version.startswith("en:stop.confirmed:")
    assert phone.text("MENU") == [] and phone.text("hello?") == []
    assert "Welcome back" in phone.text("START")[0]
    assert not opted_out(db, tenant.id, "sms")
    assert "What would you like to do?" in phone.text("MENU")[0]


def test_yes_restarts_texts_only_for_a_tenant_who_said_stop(
    phone: Phone, db: Session, methil: Area
) -> None:
    register(phone)
    phone.text("STOP")
    assert "Welcome back" in phone.text("YES")[0]


def test_help_answers_even_after_stop(phone: Phone, db: Session, methil: Area) -> None:
    register(phone)
    phone.text("STOP")
    assert "To speak to a person" in phone.text("help")[0]


def test_help_mid_conversation_keeps_the_question_open(phone: Phone, db: Session) -> None:
    phone.text("Hi")
    assert "answer the last question" in phone.text("HELP")[0]
    assert "Is your name Ann Smith?" in phone.text("Ann Smith")[0]


def test_language_choice_is_shown_in_each_languages_own_name(
    phone: Phone, db: Session, methil: Area
) -> None:
    register(phone)
    prompt = phone.text("LANG")[0]
    assert "1 English" in prompt


def test_a_quiet_conversation_expires_and_resumes_where_it_stopped(
    phone: Phone, db: Session, clock: Clock, methil: Area
) -> None:
    phone.text("Hi")
    phone.text("Ann Smith")
    phone.text("1")
    clock.advance(hours=25)
    replies = phone.text("hello again")
    assert replies[0] == "Welcome back. Let us carry on where you left off."
    assert "Which estate" in replies[1]
    assert "Do you live in Methil?" in phone.text("Methil")[0]


def test_menu_mid_conversation_puts_it_aside_and_it_resumes_later(
    phone: Phone, db: Session, methil: Area
) -> None:
    phone.text("Hi")
    phone.text("Ann Smith")
    phone.text("1")
    assert "What would you like to do?" in phone.text("MENU")[0]
    phone.text("3")  # help ends the menu
    replies = phone.text("Methil")
    assert replies[0].startswith("Welcome back") and "Which estate" in replies[1]


# Every global word from every state: the word wins, and the tenant can always go on.
STATES = {
    "registration name": ["Hi"],
    "registration name confirm": ["Hi", "Ann Smith"],
    "registration estate": ["Hi", "Ann Smith", "1"],
    "registration confirm": ["Hi", "Ann Smith", "1", "Methil"],
    "idle": ["Hi", "Ann Smith", "1", "Methil", "1"],
    "menu": ["Hi", "Ann Smith", "1", "Methil", "1", "MENU"],
    "language": ["Hi", "Ann Smith", "1", "Methil", "1", "LANG"],
    "message": ["Hi", "Ann Smith", "1", "Methil", "1", "MENU", "1"],
}
EXPECTED = {
    "HELP": "To speak to a person",
    "MENU": "What would you like to do?",
    "LANG": "Which language do you want?",
    "START": "Welcome back",
    **{word: "no more texts" for word in STOP_WORDS},
}


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("word", list(EXPECTED))
def test_every_global_word_works_in_every_state(
    state: str, word: str, phone: Phone, db: Session, methil: Area
) -> None:
    for said in STATES[state]:
        phone.text(said)
    replies = phone.text(word.lower() if word != "HELP" else " Help ")
    assert replies and EXPECTED[word] in replies[0]
    if word in STOP_WORDS:
        assert opted_out(db, tenant_of(db, phone).id, "sms")
        replies = phone.text("START")
    assert replies, "after a global word the tenant can always go on"
    assert all(count_segments(reply).segments <= 2 for reply in replies)


ODD_BODIES = {
    "empty": "",
    "spaces": "   ",
    "2000 characters": "a" * 2000,
    "emoji": "\U0001f600\U0001f44d\U0001f3e0",
    "right to left": "\u0645\u0631\u062d\u0628\u0627 \u05e9\u05dc\u05d5\u05dd",
    "control characters": "hi\x00\x07\x1b[31m\u202e",
    "other script": "\u4f60\u597d\uff0c\u6211\u7684\u623f\u5b50",
    "sql": "'; DROP TABLE tenants; --",
    "markup": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("state", ["stranger", "registration estate", "menu", "idle"])
@pytest.mark.parametrize("body", list(ODD_BODIES))
def test_odd_input_always_gets_a_short_answer_never_an_error(
    state: str, body: str, phone: Phone, db: Session, methil: Area
) -> None:
    for said in STATES.get(state, []):
        phone.text(said)
    response = phone.send(ODD_BODIES[body])
    assert response.status_code == 200
    from tests.helpers import twiml_messages

    replies = twiml_messages(response)
    assert replies, "every message gets an answer"
    assert all(count_segments(reply).segments <= 2 for reply in replies)
    assert phone.text("HELP"), "and the tenant is never stuck"
