"""The events API: book (one or a series), list, read, change, cancel, answers, who came."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.events import Event, answer_rsvp, reminder_key
from models.messages import OutboundRecord
from models.schedule import ScheduledTask
from models.tenants import Area
from tests.factories import create_area, create_tenant
from tests.helpers import Clock
from tests.staff.test_api_schemathesis import the_document

Headers = dict[str, str]
Token = Callable[[str], Headers]
EVENTS = "/api/v1/events"
IN_JULY = "2026-07-04T12:00:00+01:00"  # BST: 11:00 UTC
ON_AN_EVENT = [
    (method.upper(), path)
    for path, item in the_document()["paths"].items()
    for method in item
    if method in ("get", "post", "patch") and "{event_id}" in path
]


@pytest.fixture
def officer(api_token: Token) -> Headers:
    return api_token("officer")


@pytest.fixture
def area(db: Session) -> Area:
    area = create_area(db, name="Methil")
    db.commit()
    return area


def book(client: FlaskClient, headers: Headers, area: Area, **given: Any) -> dict[str, Any]:
    body = {
        "title": "Summer fun day",
        "kind": "community",
        "audience": {"area_ids": [area.id]},
        "starts_at": IN_JULY,
        "ends_at": "2026-07-04T16:00:00+01:00",
        "venue": "Methil Community Hall",
        **given,
    }
    response = client.post(EVENTS, json=body, headers=headers)
    assert response.status_code == 201, response.json
    booked: dict[str, Any] = response.json
    return booked


def test_an_officer_books_an_event_and_the_area_is_invited(
    client: FlaskClient, db: Session, officer: Headers, area: Area
) -> None:
    tenant = create_tenant(db, area=area)
    db.commit()

    booked = book(client, officer, area, capacity=30, most_per_party=4)

    assert booked["starts_at"] == "2026-07-04T11:00:00+00:00"
    assert booked["local_starts_at"] == "2026-07-04T12:00:00+01:00"
    assert (booked["capacity"], booked["most_per_party"], booked["invited"]) == (30, 4, 1)
    assert booked["counts"]["yes"] == 0 and booked["series"] == [booked["id"]]
    assert db.scalars(select(OutboundRecord.tenant_id)).all() == [tenant.id]
    assert client.get(f"{EVENTS}/{booked['id']}", headers=officer).json["title"] == "Summer fun day"
    listed = client.get(EVENTS, headers=officer).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == booked["id"]


def test_repeat_months_books_a_series_on_the_same_weekday_of_the_month(
    client: FlaskClient, db: Session, officer: Headers, area: Area
) -> None:
    booked = book(
        client,
        officer,
        area,
        kind="drop_in",
        starts_at="2026-03-31T10:00:00+01:00",  # the last (fifth) Tuesday of March
        ends_at="2026-03-31T12:00:00+01:00",
        repeat_months=3,
    )
    events = list(db.scalars(select(Event).order_by(Event.starts_at)))
    assert booked["series"] == [event.id for event in events]
    # April and May have no fifth Tuesday: the last Tuesday instead
    assert [e.starts_at.date().isoformat() for e in events] == [
        "2026-03-31",
        "2026-04-28",
        "2026-05-26",
    ]
    assert {e.series_id for e in events} == {events[0].id}


@pytest.mark.parametrize(
    ("given", "status", "reason"),
    [
        ({"starts_at": "2026-07-04T12:00:00"}, 422, "say which time zone"),
        ({"starts_at": "2026-03-01T12:00:00Z"}, 422, "must be in the future"),
        ({"ends_at": "2026-07-04T10:00:00Z"}, 422, "end after it starts"),
        ({"rsvp_by": "2026-07-05T10:00:00Z"}, 422, "deadline must be before"),
        ({"kind": "rave"}, 400, "kind: must be one of"),
        ({"audience": {}}, 422, "choose everyone"),
        ({"audience": {"area_ids": [999999]}}, 422, "no area 999999"),
        ({"audience": {"roles": ["king"]}}, 400, "audience.roles"),
        ({"capacity": 0}, 400, "capacity"),
        ({"most_per_party": 11}, 400, "most_per_party"),
        ({"title": ""}, 400, "title: must not be empty"),
        ({"colour": "red"}, 400, "unknown field"),
        ({"repeat_months": 25}, 400, "repeat_months"),
        ({"audience": {"area_ids": [0]}}, 400, "audience.area_ids.0: must be an id"),
        ({"audience": []}, 400, "audience: must be an object"),
        ({"title": "\u200b"}, 400, "title: must not be empty"),
        ({"capacity": True}, 400, "capacity: must be a whole number from 1 to 100000"),
        ({"call_landlines": "yes"}, 400, "call_landlines: must be true or false"),
        ({"starts_at": "next Tuesday"}, 400, "starts_at: 'next Tuesday' is not a date and time"),
    ],
)
def test_bad_bookings_are_refused_with_a_reason(
    client: FlaskClient,
    db: Session,
    officer: Headers,
    area: Area,
    given: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    body = {
        "title": "Summer fun day",
        "kind": "community",
        "audience": {"area_ids": [area.id]},
        "starts_at": IN_JULY,
        "ends_at": "2026-07-04T16:00:00+01:00",
        "venue": "Methil Community Hall",
        **given,
    }
    response = client.post(EVENTS, json=body, headers=officer)
    assert response.status_code == status
    assert reason in response.json["error"]
    assert db.scalars(select(Event)).all() == []


def test_a_booking_answers_with_where_to_read_it_and_every_field_in_its_format(
    client: FlaskClient, officer: Headers, area: Area
) -> None:
    response = client.post(
        EVENTS,
        json={
            "title": "Summer fun day",
            "kind": "community",
            "audience": {"area_ids": [area.id], "roles": ["tra_rep"]},
            "starts_at": IN_JULY,
            "ends_at": "2026-07-04T16:00:00+01:00",
            "venue": "Methil Community Hall",
            "capacity": None,
            "notes": None,
        },
        headers=officer,
    )

    assert response.status_code == 201, response.json
    booked = response.json
    assert booked is not None
    assert response.headers["Location"] == f"{EVENTS}/{booked['id']}"
    assert booked == {
        "id": booked["id"],
        "title": "Summer fun day",
        "kind": "community",
        "audience": {
            "everyone": False,
            "area_ids": [area.id],
            "roles": ["tra_rep"],
            "tenant_ids": [],
            "roles_withheld": False,
        },
        "status": "scheduled",
        "starts_at": "2026-07-04T11:00:00+00:00",
        "local_starts_at": "2026-07-04T12:00:00+01:00",
        "ends_at": "2026-07-04T15:00:00+00:00",
        "venue": "Methil Community Hall",
        "capacity": None,
        "rsvp_by": None,
        "most_per_party": 1,
        "notes": "",
        "call_landlines": False,
        "series_id": None,
        "invited_at": "2026-03-03T10:00:00+00:00",
        "cancelled_at": None,
        "created_at": "2026-03-03T10:00:00+00:00",
        "updated_at": "2026-03-03T10:00:00+00:00",
        "counts": {
            "yes": 0,
            "no": 0,
            "maybe": 0,
            "waiting": 0,
            "people": 0,
            "waiting_people": 0,
            "attended": 0,
        },
        "invited": 0,
        "series": [booked["id"]],
    }
    read = client.get(f"{EVENTS}/{booked['id']}", headers=officer).json
    assert read == {name: value for name, value in booked.items() if name != "series"}


def test_an_answer_names_the_tenant_and_is_null_where_nothing_is_known_yet(
    client: FlaskClient, db: Session, clock: Clock, officer: Headers, area: Area
) -> None:
    tenant = create_tenant(db, name="Ann Example", area=area)
    db.commit()
    booked = book(client, officer, area)
    answer_rsvp(
        db,
        db.get_one(Event, booked["id"]),
        tenant.id,
        answer="maybe",
        party=1,
        channel="telegram",
        now=clock(),
    )
    db.commit()

    page = client.get(f"{EVENTS}/{booked['id']}/rsvps?limit=1", headers=officer).json

    assert page == {
        "items": [
            {
                "tenant": {"id": tenant.id, "name": "Ann Example"},
                "answer": "maybe",
                "party": 1,
                "channel": "telegram",
                "answered_at": "2026-03-03T10:00:00+00:00",
                "waiting_since": None,
                "attended": None,
                "entered_by_staff_id": None,
            }
        ],
        "total": 1,
        "limit": 1,
        "offset": 0,
        "answerers_withheld": False,
    }


def test_changing_nothing_is_allowed_and_a_body_that_is_not_an_object_is_refused(
    client: FlaskClient, officer: Headers, area: Area
) -> None:
    booked = book(client, officer, area)
    path = f"{EVENTS}/{booked['id']}"

    unchanged = client.patch(path, json={}, headers=officer)
    empty = client.patch(path, data="", content_type="application/json", headers=officer)
    listed = client.patch(path, json=[], headers=officer)

    assert unchanged.status_code == 200
    assert unchanged.json == {name: value for name, value in booked.items() if name != "series"}
    for refused in (empty, listed):
        assert refused.status_code == 400
        assert refused.json == {"error": "send a JSON object", "status": 400}


def test_the_document_keeps_every_operation_id_of_events(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]  # type: ignore[index]

    named = {
        operation["operationId"]
        for path, item in paths.items()
        if path.startswith(EVENTS)
        for operation in item.values()
    }

    assert named == {
        "listEvents",
        "createEvent",
        "getEvent",
        "changeEvent",
        "cancelEvent",
        "listEventRsvps",
        "recordEventRsvp",
        "recordEventAttendance",
    }


def test_a_viewer_reads_but_may_not_book(
    client: FlaskClient, api_token: Token, officer: Headers, area: Area
) -> None:
    viewer = api_token("viewer")
    booked = book(client, officer, area)
    assert client.get(f"{EVENTS}/{booked['id']}/rsvps", headers=viewer).status_code == 200
    assert client.post(EVENTS, json={}, headers=viewer).status_code == 403
    assert client.post(f"{EVENTS}/{booked['id']}/cancel", headers=viewer).status_code == 403


def test_moving_an_event_moves_its_reminders_and_tells_those_coming(
    client: FlaskClient, db: Session, clock: Clock, officer: Headers, area: Area
) -> None:
    tenant = create_tenant(db, area=area)
    db.commit()
    booked = book(client, officer, area)
    event = db.get_one(Event, booked["id"])
    answer_rsvp(db, event, tenant.id, answer="yes", party=1, channel="sms", now=clock())
    db.commit()

    response = client.patch(
        f"{EVENTS}/{booked['id']}",
        json={"starts_at": "2026-07-11T12:00:00+01:00", "ends_at": "2026-07-11T16:00:00+01:00"},
        headers=officer,
    )

    assert response.status_code == 200 and response.json["starts_at"] == "2026-07-11T11:00:00+00:00"
    task = db.scalars(
        select(ScheduledTask).where(ScheduledTask.key == reminder_key(booked["id"], "day-before"))
    ).one()
    assert task.due_at == datetime(2026, 7, 10, 11, 0, tzinfo=UTC)
    bodies = db.scalars(select(OutboundRecord.body).where(OutboundRecord.tenant_id == tenant.id))
    assert any("has moved to Sat 11 Jul, 12:00" in body for body in bodies)


def test_raising_the_capacity_promotes_the_waiting_list(
    client: FlaskClient, db: Session, clock: Clock, officer: Headers, area: Area
) -> None:
    first, second = create_tenant(db, area=area), create_tenant(db, area=area)
    db.commit()
    booked = book(client, officer, area, capacity=1)
    event = db.get_one(Event, booked["id"])
    for tenant in (first, second):
        answer_rsvp(db, event, tenant.id, answer="yes", party=1, channel="sms", now=clock())
        db.commit()
    rsvps = client.get(f"{EVENTS}/{booked['id']}/rsvps", headers=officer).json["items"]
    assert [(r["tenant"]["id"], r["answer"]) for r in rsvps] == [
        (first.id, "yes"),
        (second.id, "waiting"),
    ]

    response = client.patch(f"{EVENTS}/{booked['id']}", json={"capacity": 2}, headers=officer)

    assert response.json["counts"]["yes"] == 2 and response.json["counts"]["waiting"] == 0
    bodies = db.scalars(select(OutboundRecord.body).where(OutboundRecord.tenant_id == second.id))
    assert any("a place came free" in body for body in bodies)


def test_cancelling_tells_those_who_answered_and_a_second_cancel_is_a_conflict(
    client: FlaskClient, db: Session, clock: Clock, officer: Headers, area: Area
) -> None:
    tenant = create_tenant(db, area=area)
    db.commit()
    booked = book(client, officer, area)
    answer_rsvp(
        db,
        db.get_one(Event, booked["id"]),
        tenant.id,
        answer="maybe",
        party=1,
        channel="sms",
        now=clock(),
    )
    db.commit()

    response = client.post(f"{EVENTS}/{booked['id']}/cancel", headers=officer)

    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert client.post(f"{EVENTS}/{booked['id']}/cancel", headers=officer).status_code == 409
    bodies = db.scalars(select(OutboundRecord.body).where(OutboundRecord.tenant_id == tenant.id))
    assert any("is cancelled" in body for body in bodies)


def test_attendance_is_recorded_after_the_event_among_those_who_answered(
    client: FlaskClient, db: Session, clock: Clock, officer: Headers, area: Area
) -> None:
    came, stranger = create_tenant(db, area=area), create_tenant(db, area=area)
    db.commit()
    booked = book(client, officer, area)
    answer_rsvp(
        db,
        db.get_one(Event, booked["id"]),
        came.id,
        answer="yes",
        party=1,
        channel="sms",
        now=clock(),
    )
    db.commit()
    path = f"{EVENTS}/{booked['id']}/attendance"
    assert client.post(path, json={"tenant_ids": [came.id]}, headers=officer).status_code == 409

    clock.now = datetime(2026, 7, 4, 17, 0, tzinfo=UTC)
    refused = client.post(path, json={"tenant_ids": [stranger.id]}, headers=officer)
    assert refused.status_code == 422
    response = client.post(path, json={"tenant_ids": [came.id]}, headers=officer)
    assert response.status_code == 200 and response.json == {"marked": 1, "attended": 1}
    assert client.get(f"{EVENTS}/{booked['id']}", headers=officer).json["counts"]["attended"] == 1


@pytest.mark.parametrize(("method", "path"), ON_AN_EVENT)
def test_generated_requests_at_a_real_event_get_no_server_error_and_documented_answers(
    app: Flask,
    client: FlaskClient,
    db: Session,
    officer: Headers,
    area: Area,
    clock: Clock,
    method: str,
    path: str,
) -> None:
    """The shared schemathesis test finds no event; here half the requests aim at one."""
    tenant = create_tenant(db, area=area)
    db.commit()
    booked = book(client, officer, area, capacity=5, most_per_party=3)
    answer_rsvp(
        db,
        db.get_one(Event, booked["id"]),
        tenant.id,
        answer="yes",
        party=2,
        channel="sms",
        now=clock(),
    )
    db.commit()
    clock.now += timedelta(days=1)
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.NEGATIVE),
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"event_id": booked["id"]}),
    )

    @given(case=cases)
    @settings(
        max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=officer,
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    call()
