"""The phone simulator, /healthz, and what the webhooks do when the database is away."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import engine as conversation_engine
from channels.simulator import SimulatorSms
from doorstep.app import create_app
from doorstep.config import Config
from models.conversations import Conversation
from models.messages import InboundRecord, OutboundRecord, OutboxStatus
from scheduler.dispatcher import Dispatcher
from tests.factories import create_tenant
from tests.helpers import Clock, Phone, StaffBrowser
from tests.webhooks.landline import Landline

UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=1"


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/simulator/").get_data(as_text=True)
    return page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def simulate(client: FlaskClient, phone: str, text: str) -> tuple[int, dict]:
    response = client.post(
        "/simulator/send",
        json={"phone": phone, "text": text},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    return response.status_code, response.get_json()


def test_the_simulator_answers_through_the_same_engine_as_sms(
    client: FlaskClient, db: Session
) -> None:
    status, body = simulate(client, "07700 900123", "Hi")
    assert status == 200
    first, reply = body["messages"]
    assert first == {**first, "direction": "in", "text": "Hi"}
    assert reply["direction"] == "out" and "reply with your name" in reply["text"]
    assert reply["segments"] == 1 and reply["encoding"] == "GSM-7"
    row = db.scalars(select(OutboundRecord)).one()
    assert row.channel == "sms" and row.status == OutboxStatus.DELIVERED


def test_the_simulator_shows_the_segment_count_of_a_long_reply(client: FlaskClient) -> None:
    simulate(client, "07700 900123", "Hi")
    _, body = simulate(client, "07700 900123", "HELP")
    help_reply = body["messages"][-1]
    assert help_reply["segments"] == 1 and len(help_reply["text"]) <= 160


def test_the_simulator_refuses_a_bad_number_with_a_reason(client: FlaskClient) -> None:
    status, body = simulate(client, "07700 9001", "Hi")
    assert status == 400 and "UK phone number" in body["error"]


def _dial(client: FlaskClient, **body: object) -> tuple[int, dict]:
    response = client.post(
        "/simulator/call",
        json={"phone": "0131 496 0171", "call": "SIMCALL1", "query": "", **body},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    return response.status_code, response.get_json()


def test_the_landline_simulator_says_what_a_call_would_and_waits_for_a_key(
    client: FlaskClient, db: Session
) -> None:
    stranger_status, stranger = _dial(client)
    assert stranger_status == 200 and stranger["wait"] == "voice"  # a message for staff
    assert "We do not know this phone number" in " ".join(stranger["said"])
    create_tenant(db, name="Rab Hay", phone="+441314960171")
    db.commit()
    status, menu = _dial(client, call="SIMCALL2")
    assert status == 200 and menu["said"][0].startswith("Hello, this is")
    assert (menu["wait"], menu["query"]) == ("key", "step=1")
    status, helped = _dial(client, call="SIMCALL2", query=menu["query"], digits="*")
    assert status == 200 and "To speak to a person" in " ".join(helped["said"])


def test_the_landline_simulator_shows_each_spoken_sentence_on_a_line_in_the_calls_language(
    client: FlaskClient, db: Session
) -> None:
    create_tenant(db, name="Rab Hay", phone="+441314960171")
    create_tenant(db, name="Ola Nowak", phone="+441314960172", language="pl")
    db.commit()
    status, menu = _dial(client, call="SIMCALL3")
    twilio_says = Landline(client, "+441314960171").call().text
    assert status == 200 and twilio_says.startswith(" ".join(menu["said"]))  # word for word
    keys = [line for line in menu["said"] if re.fullmatch(r"For [^.]+, press \d\.", line)]
    assert len(keys) > 3 and [key[-2] for key in keys] == [str(n) for n in range(1, len(keys) + 1)]
    question = menu["said"][menu["said"].index(keys[0]) - 1]
    assert question.endswith("?") and "press" not in question  # a line of its own
    assert menu["language"] == "en"
    _, to_stop = _dial(client, call="SIMCALL3", query=menu["query"], digits="0")
    assert len(to_stop["said"]) == 2 and to_stop["said"][1].startswith("To go back")
    _, polish = _dial(client, phone="0131 496 0172", call="SIMCALL4")
    assert polish["language"] == "pl" and polish["said"][-1].endswith(": naciśnij 6.")


@pytest.mark.parametrize(
    "body",
    [{"call": "not-ours"}, {"query": "step=x"}, {"query": "step=99999"}, {"phone": "12"}],
    ids=["call id", "step", "huge step", "number"],
)
def test_the_landline_simulator_refuses_what_no_call_would_send(
    client: FlaskClient, body: dict[str, str]
) -> None:
    status, answer = _dial(client, **body)
    assert status == 400 and answer["error"]


def test_the_simulator_needs_the_csrf_token(client: FlaskClient) -> None:
    response = client.post("/simulator/send", json={"phone": "07700 900123", "text": "Hi"})
    assert response.status_code == 400


def test_the_simulator_is_off_on_a_public_https_site(config: Config) -> None:
    app = create_app(replace(config, public_url="https://tenants.example.org"))
    assert app.test_client().get("/simulator/").status_code == 404


def test_healthz_answers_ok_while_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


@pytest.fixture
def app_without_database(tmp_path: Path) -> Flask:
    config = Config(
        database_url=UNREACHABLE_DATABASE,
        public_url="http://doorstep.test",
        secret_key="k",
        twilio_auth_token="test-twilio-auth-token",
        telegram_webhook_secret="s",
        instance_path=tmp_path,
    )
    return create_app(config)


def test_healthz_says_503_when_the_database_is_away(app_without_database: Flask) -> None:
    response = app_without_database.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "down"


def test_an_sms_arriving_while_the_database_is_away_gets_503_so_twilio_retries(
    app_without_database: Flask,
) -> None:
    phone = Phone(
        app_without_database.test_client(),
        "+447700900123",
        auth_token="test-twilio-auth-token",
        public_url="http://doorstep.test",
    )
    response = phone.send("Hello")
    assert response.status_code == 503
    assert "try again" in response.get_json()["error"]


def test_a_fault_in_a_flow_still_stores_the_message_apologises_and_clears_the_conversation(
    phone: Phone, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone.text("Hi")

    def broken(*_args: object) -> None:
        raise RuntimeError("a bug in a flow")

    monkeypatch.setattr(conversation_engine, "continue_flow", broken)
    response = phone.send("Ann Smith")
    assert response.status_code == 200
    stored = db.scalars(select(InboundRecord).order_by(InboundRecord.id)).all()
    assert [m.body for m in stored] == ["Hi", "Ann Smith"] and stored[-1].flow == "error"
    apology = db.scalars(select(OutboundRecord).order_by(OutboundRecord.id.desc())).first()
    assert apology is not None and apology.body.startswith("Sorry, something went wrong")
    assert db.scalars(select(Conversation)).all() == []
    monkeypatch.undo()
    assert "reply with your name" in phone.text("Hi again")[0]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("HELP", "To speak to a person"),
        ("MENU", "What would you like to do?"),
        ("LANG", "Which language do you want?"),
        ("STOP", "no more texts"),
        ("START", "Welcome back"),
    ],
)
def test_every_global_word_works_in_the_simulator(
    client: FlaskClient, word: str, expected: str
) -> None:
    simulate(client, "07700 900123", "Hi")
    status, body = simulate(client, "07700 900123", word.lower())
    assert status == 200 and expected in body["messages"][-1]["text"]


def test_a_reply_typed_in_the_console_reaches_the_tenant_in_the_simulator(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    for said in ("Hi", "Ann Smith", "1", "Methil", "Is the drop-in still on Friday?"):
        simulate(client, "07700 900123", said)
    question = db.scalars(select(InboundRecord).where(InboundRecord.inbox == "open")).one()
    officer = staff_as("officer")
    answer = "Yes, 10 till 12 at the community centre."
    sent = officer.submit("/staff/inbox/", f"/staff/inbox/{question.id}/reply", {"text": answer})
    assert sent.status_code == 302
    Dispatcher(sessions, {"sms": SimulatorSms()}, clock).run_once()
    _, body = simulate(client, "07700 900123", "Thanks")
    assert answer in [message["text"] for message in body["messages"]]
