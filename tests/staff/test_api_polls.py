"""The polls API: publish, read, results with coverage, votes for tenants, close, outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.messages import OutboundRecord
from models.polls import PollVote
from models.tenants import Area
from tests.factories import create_area, create_tenant
from tests.helpers import Clock, Phone

Token = Callable[[str], dict[str, str]]
CLOSES_AT = "2026-03-10T17:00:00Z"


@pytest.fixture
def methil(db: Session) -> Area:
    area = create_area(db, name="Methil")
    area.homes = 10
    db.commit()
    return area


def new_poll(**changes: Any) -> dict[str, Any]:
    body = {
        "question": "Which rent rise do you prefer for 2027?",
        "options": ["3% rise", "4% with new kitchens"],
        "audience": {"everyone": True},
        "closes_at": CLOSES_AT,
        "reminder_days": 2,
    }
    return {**body, **changes}


def create(client: FlaskClient, api_token: Token, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/polls", json=new_poll(**changes), headers=api_token("officer"))
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def test_an_officer_publishes_a_poll_and_a_viewer_reads_it(
    client: FlaskClient, api_token: Token, db: Session, methil: Area
) -> None:
    create_tenant(db, area=methil)
    db.commit()
    created = create(client, api_token)
    assert created["invited"] == 1 and created["open"] is True
    viewer = api_token("viewer")
    one = client.get(f"/api/v1/polls/{created['id']}", headers=viewer).get_json()
    assert one["options"] == ["3% rise", "4% with new kitchens"]
    assert client.get("/api/v1/polls", headers=viewer).get_json()["total"] == 1
    refused = client.post("/api/v1/polls", json=new_poll(), headers=viewer)
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        ({"options": ["Only one"]}, 422, "give 2 to 6 options"),
        ({"options": ["Yes", "yes"]}, 422, "two options are the same"),
        ({"options": "Yes, No"}, 400, "options: must be a list of text"),
        ({"closes_at": "2026-03-10T17:00:00"}, 422, "say which time zone"),
        ({"closes_at": "2026-03-01T17:00:00Z"}, 422, "the closing time has passed"),
        ({"audience": {}}, 422, "choose everyone"),
        ({"audience": {"area_ids": [999999]}}, 422, "there is no area 999999"),
        ({"audience": {"roles": ["mayor"]}}, 400, "audience.roles"),
        ({"question": "Why? " * 59}, 422, "do not fit in 2 text messages"),
        ({"reminder_days": 61}, 422, "0 to 60 days"),
        ({"colour": "red"}, 400, "colour: unknown field"),
        ({"options": ["Yes", 2]}, 400, "options.1: must be text"),
        ({"options": ["Yes", "No\n"]}, 422, "printable characters"),
        ({"per_household": "no"}, 400, "per_household: must be true or false"),
        ({"reminder_days": -1}, 400, "reminder_days: must be a whole number from 0 to 1000"),
        ({"translations": ["pl"]}, 400, "translations: must be an object of languages"),
    ],
)
def test_a_poll_with_bad_input_is_refused_with_the_reason(
    client: FlaskClient, api_token: Token, changes: dict[str, Any], status: int, reason: str
) -> None:
    response = client.post("/api/v1/polls", json=new_poll(**changes), headers=api_token("officer"))
    assert response.status_code == status
    assert reason in response.get_json()["error"]


def test_publishing_answers_with_where_to_read_it_and_every_field_in_its_format(
    client: FlaskClient, api_token: Token
) -> None:
    response = client.post(
        "/api/v1/polls", json=new_poll(per_household=True), headers=api_token("officer")
    )

    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert response.headers["Location"] == f"/api/v1/polls/{made['id']}"
    assert made == {
        "id": made["id"],
        "question": "Which rent rise do you prefer for 2027?",
        "options": ["3% rise", "4% with new kitchens"],
        "translations": {},
        "audience": {"everyone": True, "area_ids": [], "roles": [], "roles_withheld": False},
        "closes_at": "2026-03-10T17:00:00+00:00",
        "open": True,
        "per_household": True,
        "call_landlines": False,
        "reminder_days": 2,
        "invited": 0,
        "reminder_sent_at": None,
        "closed_at": None,
        "outcome": None,
        "outcome_translations": {},
        "outcome_published_at": None,
        "created_at": "2026-03-03T10:00:00+00:00",
    }
    read = client.get(f"/api/v1/polls/{made['id']}", headers=api_token("viewer"))
    assert read.get_json() == made


def test_a_vote_is_answered_without_a_location_and_says_what_it_replaced(
    client: FlaskClient, api_token: Token, db: Session, methil: Area
) -> None:
    tenant = create_tenant(db, area=methil)
    db.commit()
    poll_id = create(client, api_token)["id"]
    officer = api_token("officer")
    path = f"/api/v1/polls/{poll_id}/votes"

    client.post(
        path, json={"tenant_id": tenant.id, "option": 2, "source": "phone"}, headers=officer
    )
    again = client.post(
        path, json={"tenant_id": tenant.id, "option": 1, "source": "paper"}, headers=officer
    )

    assert again.status_code == 201 and "Location" not in again.headers
    assert again.get_json() == {
        "poll_id": poll_id,
        "tenant_id": tenant.id,
        "option": 1,
        "source": "paper",
        "replaced": "own",
    }


def test_the_document_keeps_every_operation_id_of_polls(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    named = {
        operation["operationId"]
        for path, item in paths.items()
        if path.startswith("/api/v1/polls")
        for operation in item.values()
    }

    assert named == {
        "listPolls",
        "createPoll",
        "getPoll",
        "getPollResults",
        "recordPollVote",
        "closePoll",
        "publishPollOutcome",
    }


def test_a_vote_for_a_tenant_counts_and_results_show_coverage_against_homes(
    client: FlaskClient, api_token: Token, db: Session, methil: Area, phone: Phone
) -> None:
    tenant = create_tenant(db, area=methil)
    create_tenant(db, phone=phone.number, area=methil)
    db.commit()
    poll_id = create(client, api_token)["id"]
    officer = api_token("officer")
    vote = {"tenant_id": tenant.id, "option": 2, "source": "phone"}
    response = client.post(f"/api/v1/polls/{poll_id}/votes", json=vote, headers=officer)
    assert response.status_code == 201
    assert response.get_json()["replaced"] is None
    phone.text("VOTE")
    phone.text("1")
    results = client.get(f"/api/v1/polls/{poll_id}/results", headers=api_token("viewer"))
    body = results.get_json()
    assert [(o["label"], o["votes"], o["percent"]) for o in body["options"]] == [
        ("3% rise", 1, 50.0),
        ("4% with new kitchens", 1, 50.0),
    ]
    assert body["coverage"] == [
        {"area_id": methil.id, "area": "Methil", "homes": 10, "responses": 2, "percent": 20.0}
    ]
    stored = db.scalars(select(PollVote).where(PollVote.tenant_id == tenant.id)).one()
    assert (stored.source, stored.staff_id is not None) == ("phone", True)


@pytest.mark.parametrize(
    ("vote", "status"),
    [
        ({"tenant_id": 999999, "option": 1, "source": "paper"}, 422),
        ({"tenant_id": "me", "option": 1, "source": "paper"}, 400),
        ({"tenant_id": None, "option": 1, "source": "paper"}, 400),
        ({"option": 3, "source": "paper"}, 422),
        ({"option": 1, "source": "sms"}, 400),
    ],
)
def test_a_vote_with_bad_input_is_refused(
    client: FlaskClient,
    api_token: Token,
    db: Session,
    methil: Area,
    vote: dict[str, Any],
    status: int,
) -> None:
    tenant = create_tenant(db, area=methil)
    db.commit()
    poll_id = create(client, api_token)["id"]
    body = {"tenant_id": tenant.id, **vote}
    response = client.post(
        f"/api/v1/polls/{poll_id}/votes", json=body, headers=api_token("officer")
    )
    assert response.status_code == status
    assert db.scalars(select(PollVote)).all() == []


def test_closing_early_then_publishing_the_outcome_tells_those_who_took_part_once(
    client: FlaskClient, api_token: Token, db: Session, methil: Area, clock: Clock
) -> None:
    voter = create_tenant(db, area=methil)
    create_tenant(db, area=methil)
    db.commit()
    officer = api_token("officer")
    poll_id = create(client, api_token)["id"]
    outcome = {"outcome": "Rents rise 3% in April."}
    vote = {"tenant_id": voter.id, "option": 1, "source": "paper"}
    client.post(f"/api/v1/polls/{poll_id}/votes", json=vote, headers=officer)
    early = client.post(f"/api/v1/polls/{poll_id}/outcome", json=outcome, headers=officer)
    assert early.status_code == 409
    closed = client.post(f"/api/v1/polls/{poll_id}/close", headers=officer)
    assert closed.status_code == 200 and closed.get_json()["open"] is False
    assert client.post(f"/api/v1/polls/{poll_id}/close", headers=officer).status_code == 409
    late = client.post(f"/api/v1/polls/{poll_id}/votes", json=vote, headers=officer)
    assert late.status_code == 409
    clock.advance(hours=1)
    published = client.post(f"/api/v1/polls/{poll_id}/outcome", json=outcome, headers=officer)
    assert published.status_code == 200 and published.get_json()["told"] == 1
    db.expire_all()
    told = db.scalars(
        select(OutboundRecord.tenant_id).where(OutboundRecord.body.startswith("You said"))
    ).all()
    assert told == [voter.id]
    again = client.post(f"/api/v1/polls/{poll_id}/outcome", json=outcome, headers=officer)
    assert again.status_code == 409


def test_an_outcome_too_long_for_two_sms_is_refused(
    client: FlaskClient, api_token: Token, clock: Clock
) -> None:
    officer = api_token("officer")
    poll_id = create(client, api_token)["id"]
    clock.now = datetime(2026, 3, 10, 17, 0, tzinfo=UTC) + timedelta(minutes=5)
    body = {"outcome": "We heard you. " * 22}
    response = client.post(f"/api/v1/polls/{poll_id}/outcome", json=body, headers=officer)
    assert response.status_code == 422
    assert "does not fit in 2 text messages" in response.get_json()["error"]


def test_a_missing_poll_is_a_404(client: FlaskClient, api_token: Token) -> None:
    response = client.get("/api/v1/polls/424242/results", headers=api_token("viewer"))
    assert response.status_code == 404
