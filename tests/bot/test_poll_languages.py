"""Polls and notices in the tenant's language, or in English with a note in theirs.

Walked through the front door: polls and broadcasts through the API, votes by signed
SMS to the Twilio webhook, and what tenants get read back from the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import catalogue
from bot.sms import MAX_SEGMENTS, count_segments, is_gsm7
from models.messages import OutboundRecord
from models.tenants import Area, Tenant
from participation.broadcasts import cleaned_texts
from tests.broadcast_helpers import create, send
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_tenant
from tests.helpers import Clock, Phone

Token = Callable[[str], dict[str, str]]
QUESTION = "Should the play park get a new roundabout?"
OPTIONS = ["Yes please", "No thanks", "Not sure"]
POLISH: dict[str, Any] = {
    "question": "Czy plac zabaw ma dostać nową karuzelę?",
    "options": ["Tak, proszę", "Nie, dziękuję", "Nie wiem"],
}


def note(language: str) -> str:
    return catalogue.render(language, "notices.in_english")


def phone_of(client: FlaskClient, tenant: Tenant) -> Phone:
    return Phone(client, tenant.phone or "", auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)


def publish(client: FlaskClient, api_token: Token, **changes: Any) -> dict[str, Any]:
    body = {
        "question": QUESTION,
        "options": OPTIONS,
        "audience": {"everyone": True},
        "closes_at": "2026-03-10T17:00:00Z",
        "translations": {"pl": POLISH},
        **changes,
    }
    response = client.post("/api/v1/polls", json=body, headers=api_token("officer"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def rows_to(db: Session, tenant: Tenant) -> list[OutboundRecord]:
    db.expire_all()
    found = select(OutboundRecord).where(OutboundRecord.tenant_id == tenant.id)
    return list(db.scalars(found.order_by(OutboundRecord.id)))


def assert_within_two_sms(rows: list[OutboundRecord]) -> None:
    for row in rows:
        assert row.segments == count_segments(row.body).segments <= MAX_SEGMENTS, row.body


@pytest.fixture
def tenants(db: Session, methil: Area) -> dict[str, Tenant]:
    made = {
        language: create_tenant(db, area=methil, language=language)
        for language in ("en", "pl", "ru")
    }
    db.commit()
    return made


def test_a_polish_tenant_is_asked_in_polish_and_votes_in_polish(
    client: FlaskClient, api_token: Token, db: Session, tenants: dict[str, Tenant]
) -> None:
    poll = publish(client, api_token)
    [invitation] = rows_to(db, tenants["pl"])
    assert POLISH["question"] in invitation.body and QUESTION not in invitation.body
    assert note("pl") not in invitation.body
    phone = phone_of(client, tenants["pl"])
    [asked] = phone.text("VOTE")
    numbers = catalogue.numbers_list("pl", len(OPTIONS))
    assert POLISH["question"] in asked
    assert catalogue.render("pl", "choice.reply", numbers=numbers) in asked
    assert all(label in asked for label in POLISH["options"])
    [thanks] = phone.text("Nie wiem")
    assert "Nie wiem" in thanks
    results = client.get(f"/api/v1/polls/{poll['id']}/results", headers=api_token("viewer"))
    assert [option["votes"] for option in results.get_json()["options"]] == [0, 0, 1]


def test_a_russian_tenant_gets_english_with_a_russian_note_and_a_number_counts(
    client: FlaskClient, api_token: Token, db: Session, tenants: dict[str, Tenant]
) -> None:
    poll = publish(client, api_token)
    invited = rows_to(db, tenants["ru"])
    assert_within_two_sms(invited)
    bodies = "\n".join(row.body for row in invited)
    assert note("ru") in bodies and QUESTION in bodies
    assert bodies.index(note("ru")) < bodies.index(QUESTION) or len(invited) == 1
    phone = phone_of(client, tenants["ru"])
    [asked] = phone.text("VOTE")
    english_reply = catalogue.render("en", "choice.reply", numbers="1, 2 or 3")
    assert QUESTION in asked and english_reply in asked and is_gsm7(asked)
    phone.text("2")
    results = client.get(f"/api/v1/polls/{poll['id']}/results", headers=api_token("viewer"))
    assert [option["votes"] for option in results.get_json()["options"]] == [0, 1, 0]


def test_an_english_tenant_gets_no_note(
    client: FlaskClient, api_token: Token, db: Session, tenants: dict[str, Tenant]
) -> None:
    publish(client, api_token)
    [invitation] = rows_to(db, tenants["en"])
    assert QUESTION in invitation.body
    assert note("en") not in invitation.body


def test_the_outcome_reaches_each_voter_in_their_language_or_with_the_note(
    client: FlaskClient, api_token: Token, db: Session, tenants: dict[str, Tenant], clock: Clock
) -> None:
    poll_id = publish(client, api_token)["id"]
    phone_of(client, tenants["pl"]).text("VOTE")
    phone_of(client, tenants["pl"]).text("1")
    phone_of(client, tenants["ru"]).text("VOTE")
    phone_of(client, tenants["ru"]).text("3")
    officer = api_token("officer")
    assert client.post(f"/api/v1/polls/{poll_id}/close", headers=officer).status_code == 200
    clock.advance(minutes=5)
    outcome = {
        "outcome": "The roundabout goes in this summer.",
        "translations": {"pl": "Karuzela stanie tego lata."},
    }
    published = client.post(f"/api/v1/polls/{poll_id}/outcome", json=outcome, headers=officer)
    assert published.status_code == 200 and published.get_json()["told"] == 2
    assert published.get_json()["outcome_translations"] == {"pl": "Karuzela stanie tego lata."}
    since = clock() - timedelta(minutes=1)
    polish = [row for row in rows_to(db, tenants["pl"]) if row.created_at >= since]
    russian = [row for row in rows_to(db, tenants["ru"]) if row.created_at >= since]
    assert [("Karuzela stanie" in row.body, "roundabout" in row.body) for row in polish] == [
        (True, False)
    ]
    russian_bodies = "\n".join(row.body for row in russian)
    assert "roundabout goes in" in russian_bodies and note("ru") in russian_bodies
    assert_within_two_sms(polish + russian)


def test_a_broadcast_in_english_only_reaches_a_chinese_tenant_with_the_note(
    client: FlaskClient, api_token: Token, db: Session, methil: Area
) -> None:
    chinese = create_tenant(db, area=methil, language="zh")
    english = create_tenant(db, area=methil)
    db.commit()
    officer = api_token("officer")
    notice = "The lifts at Methil Court are serviced on Monday."
    made = create(client, officer, texts={"en": notice})
    send(client, officer, made["id"])
    to_chinese = rows_to(db, chinese)
    assert_within_two_sms(to_chinese)
    assert note("zh") in to_chinese[0].body  # the note first, or on the message itself
    assert notice in to_chinese[-1].body
    [to_english] = rows_to(db, english)
    assert notice in to_english.body and note("zh") not in to_english.body


def test_a_note_that_would_push_the_message_past_two_sms_goes_just_before_it(
    client: FlaskClient, api_token: Token, db: Session, methil: Area
) -> None:
    russian = create_tenant(db, area=methil, language="ru")
    db.commit()
    officer = api_token("officer")
    notice = "The water at Methil Court is off on Monday from 9 to 12 for repairs. " * 3
    made = create(client, officer, texts={"en": notice.strip()})
    send(client, officer, made["id"])
    rows = rows_to(db, russian)
    assert_within_two_sms(rows)
    assert rows[0].body == note("ru")
    assert notice.strip() in rows[1].body and is_gsm7(rows[1].body)


def test_the_preview_costs_a_language_not_written_as_english_with_the_note(
    client: FlaskClient, api_token: Token, db: Session, methil: Area
) -> None:
    create_tenant(db, area=methil, language="zh")
    db.commit()
    officer = api_token("officer")
    made = create(client, officer, texts={"en": "Bins go out on Tuesday this week."})
    preview = client.get(f"/api/v1/broadcasts/{made['id']}/preview", headers=officer).get_json()
    chinese = next(cost for cost in preview["languages"] if cost["language"] == "zh")
    assert chinese["in_english"] is True and note("zh") in chinese["body"]
    assert preview["sms_segments"] == chinese["segments"]
    assert preview["problems"] == []


@pytest.mark.parametrize(
    "typed",
    [
        "Уважаемые жильцы, собрание в среду.",
        "住户您好：周三开会，请参加。",  # noqa: RUF001 - Chinese punctuation, kept
        "Здравейте, съседи! Среща в сряда.",
        "میں\u200cنے آپ کو پیغام بھیجا ہے۔",  # noqa: RUF001 - the Urdu full stop
        "ਸਤ ਸ੍ਰੀ ਅਕਾਲ ਕ੍\u200dਰ",
    ],
)
def test_repairing_pasted_typography_keeps_every_letter_of_non_latin_text(typed: str) -> None:
    kept = cleaned_texts({"en": "Meeting on Wednesday.", "ru": typed})["ru"]
    assert [char for char in kept if char.isalpha() or char in "\u200c\u200d"] == [
        char for char in typed if char.isalpha() or char in "\u200c\u200d"
    ]
