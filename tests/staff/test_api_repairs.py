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
from models.messages import OutboundMessage
from models.repairs import Repair, record_survey, register_repair
from models.schedule import ScheduledTask
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.factories import create_tenant
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
        repair, _ = register_repair(
            session,
            tenant=tenant,
            job_reference=reference,
            job_type=job_type,
            completed_at=completed_at,
            now=datetime(2026, 5, 20, tzinfo=UTC),
            zone="Europe/London",
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
    assert response.get_json()["told"] == 1
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
    topics = set(db.scalars(select(OutboundMessage.topic)))
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
