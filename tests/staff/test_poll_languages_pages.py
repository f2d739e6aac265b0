"""A poll in other languages, from the console and the API: saved, shown, refused with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.messages import OutboundRecord
from models.polls import Poll
from models.tenants import Area
from tests.factories import create_tenant
from tests.helpers import Clock, StaffBrowser

Staff = Callable[[str], StaffBrowser]
Token = Callable[[str], dict[str, str]]
NEW = "/staff/polls/new"
POLISH: dict[str, Any] = {
    "question": "Czy plac zabaw ma dostać nową karuzelę?",
    "options": ["Tak, proszę", "Nie, dziękuję"],
}


def poll_form(**changes: str) -> dict[str, str]:
    form = {
        "question": "Should the play park get a new roundabout?",
        "options": "Yes please\nNo thanks",
        "everyone": "y",
        "day": "2026-03-10",
        "at": "17:00",
        "reminder_days": "2",
    }
    return {**form, **changes}


def new_poll(**changes: Any) -> dict[str, Any]:
    body = {
        "question": "Should the play park get a new roundabout?",
        "options": ["Yes please", "No thanks"],
        "audience": {"everyone": True},
        "closes_at": "2026-03-10T17:00:00Z",
    }
    return {**body, **changes}


def test_an_officer_publishes_a_poll_in_polish_too_and_a_polish_tenant_is_invited_in_it(
    staff_as: Staff, db: Session, methil: Area
) -> None:
    polish_tenant = create_tenant(db, area=methil, language="pl")
    db.commit()
    officer = staff_as("officer")
    form = poll_form(question_pl=POLISH["question"], options_pl="\n".join(POLISH["options"]))
    response = officer.submit(NEW, NEW, form)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = officer.client.get(response.headers["Location"]).get_data(as_text=True)
    assert POLISH["question"] in page and "Nie, dziękuję" in page
    poll = db.scalars(select(Poll)).one()
    assert poll.question_in("pl") == POLISH["question"]
    assert poll.options_in("pl") == POLISH["options"]
    invitation = db.scalars(
        select(OutboundRecord).where(OutboundRecord.tenant_id == polish_tenant.id)
    ).one()
    assert POLISH["question"] in invitation.body


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"question_pl": POLISH["question"], "options_pl": "Tak"}, "Give 2 options, one for each"),
        ({"options_pl": "Tak\nNie"}, "Write the question in this language too."),
    ],
)
def test_a_translation_that_does_not_match_the_english_is_refused_on_the_form(
    staff_as: Staff, db: Session, changes: dict[str, str], reason: str
) -> None:
    officer = staff_as("officer")
    response = officer.submit(NEW, NEW, poll_form(**changes))
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert db.scalars(select(Poll)).all() == []


def test_the_api_round_trips_translations_and_the_outcome_in_polish(
    client: FlaskClient, api_token: Token, clock: Clock
) -> None:
    officer = api_token("officer")
    made = client.post("/api/v1/polls", json=new_poll(translations={"pl": POLISH}), headers=officer)
    assert made.status_code == 201, made.get_json()
    poll_id = made.get_json()["id"]
    read = client.get(f"/api/v1/polls/{poll_id}", headers=api_token("viewer")).get_json()
    assert read["translations"] == {"pl": POLISH}
    assert client.post(f"/api/v1/polls/{poll_id}/close", headers=officer).status_code == 200
    clock.advance(minutes=5)
    outcome = {"outcome": "It goes in this summer.", "translations": {"pl": "Stanie latem."}}
    published = client.post(f"/api/v1/polls/{poll_id}/outcome", json=outcome, headers=officer)
    assert published.status_code == 200, published.get_json()
    read = client.get(f"/api/v1/polls/{poll_id}", headers=officer).get_json()
    assert read["outcome_translations"] == {"pl": "Stanie latem."}


@pytest.mark.parametrize(
    ("translations", "status", "reason"),
    [
        ({"pl": {**POLISH, "options": ["Tak", "Nie", "Nie wiem"]}}, 422, "pl: give 2 options"),
        ({"xx": POLISH}, 422, "xx: not one of the other languages"),
        ({"en": POLISH}, 422, "en: not one of the other languages"),
        ({"pl": {"question": "Czy?"}}, 400, "translations.pl.value.options: required"),
        ({"pl": {**POLISH, "question": "Dlaczego? " * 40}}, 400, "question: must be at most"),
        ({"pl": {**POLISH, "question": "Dlaczego? " * 28}}, 422, "do not fit in 2 text messages"),
        (["pl"], 400, "translations: must be an object"),
    ],
)
def test_a_bad_translation_is_refused_by_the_api_with_the_reason(
    client: FlaskClient, api_token: Token, translations: object, status: int, reason: str
) -> None:
    body = new_poll(translations=translations)
    response = client.post("/api/v1/polls", json=body, headers=api_token("officer"))
    assert response.status_code == status, response.get_json()
    assert reason in response.get_json()["error"]


def test_the_fit_check_skips_languages_that_get_the_english(
    client: FlaskClient, api_token: Token
) -> None:
    """A long English question in GSM-7 fits 2 SMS; the languages not written are asked it
    in English, so they do not refuse it for a UCS-2 frame."""
    question = "Which of these should the estate budget for play areas pay for first? " * 3
    body = new_poll(question=question.strip()[:240])
    response = client.post("/api/v1/polls", json=body, headers=api_token("officer"))
    assert response.status_code == 201, response.get_json()


def test_the_openapi_document_describes_translations(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    new_translations = schemas["NewPoll"]["properties"]["translations"]
    assert "pl" in new_translations["propertyNames"]["enum"]
    assert "en" not in new_translations["propertyNames"]["enum"]
    assert "translations" in schemas["Poll"]["properties"]
    assert "translations" in schemas["PollOutcome"]["properties"]
