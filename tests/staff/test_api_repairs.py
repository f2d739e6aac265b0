"""The repairs resource of the API: registering finished repairs, the survey results by
job type and month, and "you said, we did" reaching only those who answered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from models.messages import OutboundRecord
from models.repairs import Repair, record_survey
from models.schedule import ScheduledTask
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.factories import create_repair, create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock

SETTINGS = Settings(landlord="Fife Housing Group")


@pytest.fixture(autouse=True)
def in_may(clock: Clock) -> None:
    clock.now = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def officer(api_token: Callable[[str], dict[str, str]]) -> dict[str, str]:
    return api_token("officer")


def repair_body(
    tenant: Tenant, reference: str, job_type: str, completed_at: str
) -> dict[str, object]:
    return {
        "tenant_id": tenant.id,
        "job_reference": reference,
        "job_type": job_type,
        "completed_at": completed_at,
    }


def test_registering_the_same_job_again_changes_nothing_and_says_so(
    client: FlaskClient, officer: dict[str, str], db: Session
) -> None:
    tenant = create_tenant(db)
    db.commit()
    body = repair_body(tenant, "JOB-1", "Joinery", "2026-05-19T11:00:00+01:00")
    first = client.post("/api/v1/repairs", json=body, headers=officer)
    again = client.post("/api/v1/repairs", json={**body, "job_type": "roofing"}, headers=officer)
    assert first.status_code == 201
    assert first.headers["Location"] == f"/api/v1/repairs/{first.get_json()['id']}"
    assert first.get_json()["already_registered"] is False
    assert (first.get_json()["job_type"], first.get_json()["month"]) == ("joinery", "2026-05")
    assert again.status_code == 200
    assert again.get_json()["already_registered"] is True
    assert again.get_json()["job_type"] == "joinery"
    assert db.scalar(select(func.count(Repair.id))) == 1
    assert db.scalar(select(func.count(ScheduledTask.id))) == 1
    shown = client.get(first.headers["Location"], headers=officer)
    assert shown.get_json()["job_reference"] == "JOB-1"


def test_a_repair_is_answered_with_exactly_its_fields_and_registering_says_if_it_was_known(
    client: FlaskClient, officer: dict[str, str], db: Session, sessions: sessionmaker[Session]
) -> None:
    tenant = create_tenant(db)
    db.commit()
    body = repair_body(tenant, "JOB-7", "Plumber", "2026-05-19T11:00:00+01:00")
    registered = client.post("/api/v1/repairs", json=body, headers=officer)
    repair_id = registered.json["id"]
    shown = {
        "id": repair_id,
        "tenant_id": tenant.id,
        "job_reference": "JOB-7",
        "job_type": "plumbing",
        "completed_at": "2026-05-19T10:00:00+00:00",
        "month": "2026-05",
        "survey_sent_at": None,
        "answered_at": None,
        "satisfaction": None,
        "right_first_time": None,
    }
    assert registered.json == {**shown, "already_registered": False}
    with sessions.begin() as session:
        repair = session.get_one(Repair, repair_id)
        repair.survey_sent_at = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)
        record_survey(
            session,
            repair,
            satisfaction=4,
            right_first_time=False,
            comment=None,
            channel="sms",
            now=datetime(2026, 5, 20, 9, 30, tzinfo=UTC),
        )

    again = client.post("/api/v1/repairs", json=body, headers=officer)
    one = client.get(f"/api/v1/repairs/{repair_id}", headers=officer)

    answered = {
        **shown,
        "survey_sent_at": "2026-05-20T08:00:00+00:00",
        "answered_at": "2026-05-20T09:30:00+00:00",
        "satisfaction": 4,
        "right_first_time": False,
    }
    assert one.json == answered
    assert (again.status_code, again.json) == (200, {**answered, "already_registered": True})
    assert again.headers["Location"] == f"/api/v1/repairs/{repair_id}"


def test_a_repair_that_does_not_exist_is_404_with_a_reason(
    client: FlaskClient, officer: dict[str, str]
) -> None:
    response = client.get("/api/v1/repairs/404", headers=officer)
    assert response.status_code == 404
    assert response.json == {"error": "there is no repair 404", "status": 404}


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        ({"tenant_id": 999_999}, 422, "tenant_id: no tenant has the id 999999"),
        ({"tenant_id": None, "phone": "+447700900199"}, 422, "phone: no tenant has that phone"),
        ({"phone": "+447700900199"}, 400, "name the tenant by tenant_id or by phone"),
        ({"completed_at": "2026-05-19T11:00:00"}, 422, "completed_at: say which time zone"),
        ({"completed_at": "2026-06-19T11:00:00Z"}, 422, "completed_at is in the future"),
        ({"job_type": "!!!"}, 422, "job_type is empty"),
        ({"job_reference": ""}, 422, "job_reference is empty"),
        ({"colour": "red"}, 400, "colour: unknown field"),
        ({"job_type": None}, 400, "job_type: required"),
        ({"tenant_id": None}, 400, "name the tenant by tenant_id or by phone, one of the two"),
        ({"tenant_id": "7"}, 400, "tenant_id: must be a whole number"),
        ({"tenant_id": True}, 400, "tenant_id: must be a whole number"),
        ({"tenant_id": 2**40}, 422, "tenant_id: no tenant has the id"),
        ({"tenant_id": None, "phone": "not a phone"}, 422, "phone: "),
        ({"job_reference": "JOB\u0007"}, 400, "job_reference: must not contain control"),
        ({"completed_at": "yesterday"}, 400, "completed_at: 'yesterday' is not a date and time"),
        ({"completed_at": None, "job_type": "gas"}, 400, "completed_at: required"),
    ],
)
def test_a_repair_that_cannot_be_registered_gets_a_4xx_with_the_reason(
    client: FlaskClient,
    officer: dict[str, str],
    db: Session,
    changes: dict[str, object],
    status: int,
    reason: str,
) -> None:
    tenant = create_tenant(db)
    db.commit()
    body = {**repair_body(tenant, "JOB-2", "gas", "2026-05-19T11:00:00Z"), **changes}
    body = {key: value for key, value in body.items() if value is not None}
    response = client.post("/api/v1/repairs", json=body, headers=officer)
    assert response.status_code == status
    assert response.get_json()["error"].startswith(reason)
    assert db.scalar(select(func.count(Repair.id))) == 0


@pytest.mark.parametrize("data", ["", "[1]", '{"job_type": "gas"', "null"])
def test_a_registration_that_is_not_one_json_object_is_refused_with_400(
    client: FlaskClient, officer: dict[str, str], db: Session, data: str
) -> None:
    response = client.post(
        "/api/v1/repairs", data=data, content_type="application/json", headers=officer
    )
    assert response.json == {"error": "send a JSON object", "status": 400}
    assert db.scalar(select(func.count(Repair.id))) == 0


def test_every_repair_operation_is_documented_under_its_operation_id(
    client: FlaskClient,
) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    named = {
        (method, path): operation["operationId"]
        for path, item in paths.items()
        for method, operation in item.items()
        if path.startswith("/api/v1/repairs")
    }
    assert named == {
        ("post", "/api/v1/repairs"): "registerRepair",
        ("get", "/api/v1/repairs/{repair_id}"): "getRepair",
        ("get", "/api/v1/repairs/results"): "repairSurveyResults",
        ("post", "/api/v1/repairs/outcomes"): "publishRepairOutcome",
    }
    registering = paths["/api/v1/repairs"]["post"]["responses"]
    shape = {"$ref": "#/components/schemas/RegisteredRepair"}
    assert registering["200"]["content"]["application/json"]["schema"] == shape
    assert registering["201"]["content"]["application/json"]["schema"] == shape


def test_a_viewer_may_read_results_but_not_register_repairs(
    client: FlaskClient, api_token: Callable[[str], dict[str, str]], db: Session
) -> None:
    tenant = create_tenant(db)
    db.commit()
    viewer = api_token("viewer")
    body = repair_body(tenant, "JOB-3", "gas", "2026-05-19T11:00:00Z")
    assert client.post("/api/v1/repairs", json=body, headers=viewer).status_code == 403
    assert client.get("/api/v1/repairs/results", headers=viewer).status_code == 200


def answered(
    sessions: sessionmaker[Session],
    tenant_id: int,
    reference: str,
    job_type: str,
    completed_at: datetime,
    score: int | None,
    first_time: bool = True,
) -> None:
    """A repair registered, surveyed and (unless ``score`` is None) answered."""
    with sessions.begin() as session:
        tenant = session.get_one(Tenant, tenant_id)
        repair = create_repair(
            session,
            tenant=tenant,
            job_reference=reference,
            job_type=job_type,
            completed_at=completed_at,
            now=datetime(2026, 5, 20, tzinfo=UTC),
        )
        repair.survey_sent_at = completed_at
        if score is not None:
            record_survey(
                session,
                repair,
                satisfaction=score,
                right_first_time=first_time,
                comment=None,
                channel="sms",
                now=completed_at,
            )


def test_results_are_given_by_job_type_and_month(
    client: FlaskClient, officer: dict[str, str], db: Session, sessions: sessionmaker[Session]
) -> None:
    ids = [create_tenant(db).id for _ in range(3)]
    db.commit()
    april, may = datetime(2026, 4, 10, tzinfo=UTC), datetime(2026, 5, 10, tzinfo=UTC)
    answered(sessions, ids[0], "A1", "plumbing", april, 5)
    answered(sessions, ids[1], "A2", "plumbing", april, 2, first_time=False)
    answered(sessions, ids[2], "A3", "plumbing", april, None)
    answered(sessions, ids[0], "M1", "heating", may, 4)
    response = client.get(
        "/api/v1/repairs/results?first_month=2026-04&last_month=2026-05", headers=officer
    )
    assert response.status_code == 200
    assert set(response.get_json()) == {"first_month", "last_month", "items"}
    assert response.get_json()["items"] == [
        {
            "job_type": "plumbing",
            "month": "2026-04",
            "surveys_sent": 3,
            "responses": 2,
            "average_satisfaction": 3.5,
            "right_first_time_percent": 50.0,
        },
        {
            "job_type": "heating",
            "month": "2026-05",
            "surveys_sent": 1,
            "responses": 1,
            "average_satisfaction": 4.0,
            "right_first_time_percent": 100.0,
        },
    ]
    only = client.get("/api/v1/repairs/results?job_type=Heating", headers=officer).get_json()
    assert [row["job_type"] for row in only["items"]] == ["heating"]
    bad = client.get("/api/v1/repairs/results?first_month=2026-13", headers=officer)
    assert bad.status_code == 400
    earliest = client.get("/api/v1/repairs/results?last_month=1900-10", headers=officer)
    assert earliest.get_json()["first_month"] == "1900-01"  # a year back, but not before 1900


def test_you_said_we_did_reaches_only_those_who_answered_for_those_repairs(
    client: FlaskClient,
    officer: dict[str, str],
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    answerer, silent, other_job, later = (create_tenant(db) for _ in range(4))
    db.commit()
    april = datetime(2026, 4, 10, tzinfo=UTC)
    answered(sessions, answerer.id, "P1", "plumbing", april, 2)
    answered(sessions, silent.id, "P2", "plumbing", april, None)
    answered(sessions, other_job.id, "H1", "heating", april, 3)
    answered(sessions, later.id, "P3", "plumbing", datetime(2026, 5, 10, tzinfo=UTC), 4)
    clock.now = datetime(2026, 5, 20, 21, 0, tzinfo=UTC)  # evening: waits for the morning
    response = client.post(
        "/api/v1/repairs/outcomes",
        json={
            "job_type": "plumbing",
            "first_month": "2026-03",
            "last_month": "2026-04",
            "outcome": "Our plumbers now carry the common spare parts on every van.",
        },
        headers=officer,
    )
    assert response.status_code == 201
    outcome = response.get_json()
    assert outcome == {
        "id": outcome["id"],
        "job_type": "plumbing",
        "first_month": "2026-03",
        "last_month": "2026-04",
        "outcome": "Our plumbers now carry the common spare parts on every van.",
        "published_at": "2026-05-20T21:00:00+00:00",
        "told": 1,
    }
    dispatcher.run_once()
    assert fake_twilio.sent_to(answerer.phone or "") == []
    clock.now = datetime(2026, 5, 21, 8, 0, tzinfo=UTC)
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    dispatcher.run_once()
    assert [m["body"] for m in fake_twilio.sent_to(answerer.phone or "")] == [
        "Fife Housing Group: you told us about plumbing repairs. You said, we did: "
        "Our plumbers now carry the common spare parts on every van."
    ]
    for tenant in (silent, other_job, later):
        assert fake_twilio.sent_to(tenant.phone or "") == []
    topics = set(db.scalars(select(OutboundRecord.topic)))
    assert topics == {"surveys"}


def test_an_outcome_with_months_out_of_order_is_refused(
    client: FlaskClient, officer: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/repairs/outcomes",
        json={
            "job_type": "plumbing",
            "first_month": "2026-05",
            "last_month": "2026-04",
            "outcome": "Done.",
        },
        headers=officer,
    )
    assert response.status_code == 422
    assert response.get_json()["error"] == "the first month comes after the last"


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        ({"first_month": None}, 400, "first_month: required"),
        ({"first_month": "2026-13"}, 422, "'2026-13' is not a month such as 2026-03"),
        ({"last_month": 202604}, 400, "last_month: must be text"),
        ({"outcome": "   "}, 422, "outcome is empty"),
        ({"outcome": "x" * 301}, 400, "outcome: must be at most 300 characters"),
        ({"colour": "red"}, 400, "colour: unknown field"),
    ],
)
def test_an_outcome_that_cannot_be_published_gets_a_4xx_with_the_reason(
    client: FlaskClient,
    officer: dict[str, str],
    changes: dict[str, object],
    status: int,
    reason: str,
) -> None:
    body = {
        "job_type": "plumbing",
        "first_month": "2026-03",
        "last_month": "2026-04",
        "outcome": "Done.",
        **changes,
    }
    body = {key: value for key, value in body.items() if value is not None}
    response = client.post("/api/v1/repairs/outcomes", json=body, headers=officer)
    assert response.status_code == status
    assert response.get_json()["error"].startswith(reason)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("first_month=2026-13", "first_month: must be a month such as 2026-03"),
        ("last_month=2026-4", "last_month: must be a month such as 2026-03"),
        ("first_month=2026-05&last_month=2026-04", "first_month: must not come after last_month"),
        ("job_type=" + "x" * 31, "job_type: must be at most 30 characters"),
        ("job_type=!!!", "job_type is empty"),
    ],
)
def test_results_asked_for_in_a_way_that_cannot_be_answered_get_400_with_the_reason(
    client: FlaskClient, officer: dict[str, str], query: str, reason: str
) -> None:
    response = client.get(f"/api/v1/repairs/results?{query}", headers=officer)
    assert response.status_code == 400
    assert response.get_json()["error"] == reason
