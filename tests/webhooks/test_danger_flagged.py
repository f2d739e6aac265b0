"""Danger is flagged: a text or a report about damp and mould, gas, fire, water, heating,
electrics, the building or dark stairs is marked urgent for staff (dashboard, inbox, API),
and the tenant is told at once to call the repairs line (REPAIRS_PHONE), in their language
and in two texts at most, instead of waiting for a walk or an officer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import catalogue
from bot.sms import count_segments, fit_for_sms
from doorstep.config import Config, ConfigError
from doorstep.demo import demo_settings
from doorstep.wiring import engine_settings
from models.inspections import IssueReport
from models.messages import InboundRecord
from models.tenants import Area, Identity, Tenant
from scheduler.dispatcher import Dispatcher
from tests.factories import create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import Phone, StaffBrowser, TelegramChat

Headers = Callable[[str], dict[str, str]]
Staff = Callable[[str], StaffBrowser]
REPAIRS = "0131 496 0000"
MOULD = (
    "There is black mould all over the wall of my child's bedroom and it is spreading to the "
    "ceiling. She has had a cough for weeks. We clean it every week but it comes straight back."
)
LIGHT_OUT = "Light out on the 2nd floor landing, very dark at night"
CALL_NOW = f"please call our repairs line now on {REPAIRS}"


@pytest.fixture
def config(config: Config) -> Config:
    """The suite's settings with the landlord's repairs line set."""
    return replace(config, repairs_phone=REPAIRS)


def inbox_item(db: Session, body: str) -> InboundRecord:
    db.expire_all()
    found = db.scalar(select(InboundRecord).where(InboundRecord.body == body))
    db.commit()
    assert found is not None and found.inbox == "open", body
    return found


def get_json(client: FlaskClient, path: str, headers: dict[str, str]) -> Any:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_the_mould_complaint_is_urgent_and_the_tenant_is_told_the_repairs_line_at_once(
    client: FlaskClient,
    db: Session,
    phone: Phone,
    tenant: Tenant,
    api_token: Headers,
    staff_as: Staff,
) -> None:
    [reply] = phone.text(MOULD)

    assert CALL_NOW in reply and "If anyone is in danger, call 999." in reply
    assert count_segments(reply).segments <= 2
    assert inbox_item(db, MOULD).urgent
    viewer = staff_as("viewer")
    urgent_only = viewer.client.get("/staff/inbox/?urgent=yes").get_data(as_text=True)
    assert "<strong>Urgent:</strong>" in urgent_only and "black mould all over" in urgent_only
    dashboard = viewer.client.get("/staff/").get_data(as_text=True)
    assert "Urgent: danger reported" in dashboard
    assert "<strong>1</strong> urgent message open in the inbox" in dashboard
    headers = api_token("viewer")
    [item] = get_json(client, "/api/v1/inbox?urgent=true", headers)["items"]
    assert (item["body"], item["urgent"]) == (MOULD, True)
    log = get_json(client, f"/api/v1/tenants/{tenant.id}/messages", headers)["items"]
    assert [m["urgent"] for m in log if m["direction"] == "in"] == [True]
    assert [m["urgent"] for m in log if m["direction"] == "out"] == [False]


def test_a_report_of_a_light_out_on_the_landing_points_to_the_repairs_line_not_a_walk(
    client: FlaskClient,
    db: Session,
    phone: Phone,
    tenant: Tenant,
    api_token: Headers,
    staff_as: Staff,
) -> None:
    for said in ("REPORT", "3", "2nd floor landing, 14 Wellesley Road", LIGHT_OUT):
        phone.text(said)  # lighting; where; what: then the check before sending

    [thanks] = phone.text("1")

    report = db.scalars(select(IssueReport)).one()
    assert report.urgent and report.reference in thanks
    assert CALL_NOW in thanks and "Do not wait for the estate walk." in thanks
    assert "next estate walk" not in thanks
    dashboard = staff_as("viewer").client.get("/staff/").get_data(as_text=True)
    assert f"<strong>{report.reference}</strong>" in dashboard
    assert "<strong>1</strong> urgent report no walk has dealt with yet" in dashboard
    shown = get_json(client, f"/api/v1/issue-reports/{report.id}", api_token("viewer"))
    assert shown["urgent"] is True


def test_an_ordinary_report_is_thanked_as_before_and_not_urgent(
    db: Session, phone: Phone, tenant: Tenant
) -> None:
    for said in ("REPORT", "1", "Behind the garages on Wellesley Road", "An old sofa"):
        phone.text(said)

    [thanks] = phone.text("1")

    assert "next estate walk" in thanks and REPAIRS not in thanks
    assert not db.scalars(select(IssueReport)).one().urgent


def test_a_message_for_the_team_on_telegram_about_gas_is_urgent_and_answered_with_the_line(
    db: Session,
    chat: TelegramChat,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
    methil: Area,
) -> None:
    tenant = create_tenant(db, name="Ann Smith", area=methil, channels=())
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    for said in ("MENU", "1"):  # 1: send us a message
        assert chat.say(said).status_code == 200
    assert chat.say("I can SMELL GAS on the stairs!!").status_code == 200
    before = len(bot_api.sent_messages(chat.chat_id))

    dispatcher.run_once()

    answers = [sent["text"] for sent in bot_api.sent_messages(chat.chat_id)[before:]]
    assert "Please reply with your message to our team." in answers[-2]
    assert CALL_NOW in answers[-1]
    assert inbox_item(db, "I can SMELL GAS on the stairs!!").urgent


@pytest.mark.parametrize(
    "said",
    [
        "MOULDY walls in the bathroom",
        "Damp coming through the bedroom wall",
        "There's a smell of gas in the close",
        "Smoke coming from the flat downstairs",
        "Flooding in the kitchen from upstairs",
        "The pipe under the sink is leaking",
        "No hot water since Monday",
        "Our heating is not working and the baby is cold",
        "The socket in the hall is sparking",
        "Exposed wires hanging in the stairwell",
        "Part of the ceiling collapsed last night",
        "A big crack has opened up in the back wall",
        "The stair lights are out again",
        "Dark stairs at night, someone will fall",
        "Plesn w lazience",  # Polish, typed without its accents
    ],
)
def test_safety_words_are_found_whatever_the_case_punctuation_ending_or_accents(
    said: str, db: Session, phone: Phone, tenant: Tenant
) -> None:
    [reply] = phone.text(said)

    assert CALL_NOW in reply
    assert inbox_item(db, said).urgent


@pytest.mark.parametrize(
    "said",
    [
        "Is the drop-in still on Friday?",
        "The bins were not emptied this week",
        "The heating is now fixed, thank you",
        "No problem at all with the heating",
        "Can you send me the dates of the gala?",
    ],
)
def test_everyday_messages_get_the_usual_thanks_and_are_not_urgent(
    said: str, db: Session, phone: Phone, tenant: Tenant
) -> None:
    [reply] = phone.text(said)

    assert reply.startswith("Thank you. We have passed your message") and REPAIRS not in reply
    assert not inbox_item(db, said).urgent


OWN_WORDS = {
    "pl": "Czuć gaz na klatce schodowej",
    "gd": "Tha fàileadh gas anns a' chlobhsa",
    "zh": "厨房漏水了很严重",
    "bg": "Мирише на газ във входа",
    "ru": "Плесень по всей стене в ванной",
    "lv": "Kāpņutelpā smird pēc gāzes",
    "ur": "سیڑھیوں پر بہت اندھیرا ہے",
    "pa": "ਰਸੋਈ ਵਿੱਚ ਗੈਸ ਦੀ ਬੋ ਆ ਰਹੀ ਹੈ",
}


def test_every_language_has_safety_words_for_every_hazard() -> None:
    assert set(OWN_WORDS) | {"en"} == set(catalogue.languages())
    hazards = ("damp", "gas", "fire", "flood", "heating", "electrics", "structure", "dark")
    for language in catalogue.languages():
        for hazard in hazards:
            words = catalogue.template(language, f"safety_words.{hazard}").split(",")
            assert all(word.strip() for word in words), (language, hazard)


@pytest.mark.parametrize("language", sorted(OWN_WORDS))
def test_a_tenant_writing_of_danger_in_their_language_is_answered_in_it_in_two_texts(
    language: str, db: Session, phone: Phone, methil: Area
) -> None:
    create_tenant(db, name="Ann Smith", phone=phone.number, area=methil, language=language)
    db.commit()

    [reply] = phone.text(OWN_WORDS[language])

    theirs = catalogue.render(language, "danger.thanks", repairs=REPAIRS)
    assert reply in (theirs, fit_for_sms(theirs))
    assert count_segments(reply).segments <= 2
    assert inbox_item(db, OWN_WORDS[language]).urgent


def test_the_repairs_line_is_a_uk_number_checked_at_start_up() -> None:
    assert Config.from_env({"REPAIRS_PHONE": "01314960000"}).repairs_phone == REPAIRS
    assert Config.from_env({"REPAIRS_PHONE": "+44 131 496 0000"}).repairs_phone == REPAIRS
    for wrong in ("999", "not a phone", "0131 496"):
        with pytest.raises(ConfigError, match="REPAIRS_PHONE"):
            Config.from_env({"REPAIRS_PHONE": wrong})


def test_without_a_repairs_line_tenants_are_told_the_contact_number_and_the_demo_has_one() -> None:
    unset = Config.from_env({"CONTACT_PHONE": "0300 123 4567"})
    assert engine_settings(unset).repairs == "0300 123 4567"
    assert engine_settings(demo_settings(unset)).repairs == REPAIRS
    chosen = Config.from_env({"REPAIRS_PHONE": "0131 496 0999"})
    assert engine_settings(demo_settings(chosen)).repairs == "0131 496 0999"
