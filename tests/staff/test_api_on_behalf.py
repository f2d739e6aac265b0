"""Staff enter, through the API, what a tenant said by phone, on paper or in person: an
event answer counts as the tenant's own, is marked with how it came and who entered it,
and leaves an audit line; bad input is a 400 or 422 with the reason, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.events import Event, EventRsvp, answer_rsvp
from models.inspections import IssueReport
from models.mystery_shopping import MysteryShopCheckIn, StaffAlert
from models.staff import StaffUser
from models.tenants import Area
from tests.factories import create_event, create_tenant
from tests.helpers import Clock
from tests.staff.shopper_leave import let_see_shoppers

Headers = dict[str, str]
Token = Callable[[str], Headers]


def rsvps_path(event: Event) -> str:
    return f"/api/v1/events/{event.id}/rsvps"


def entry(tenant: int, **changes: Any) -> dict[str, Any]:
    return {"tenant_id": tenant, "answer": "yes", "party": 1, "source": "phone", **changes}


def test_an_answer_entered_counts_and_says_how_it_came_who_entered_it_and_the_waiting_place(
    client: FlaskClient, api_token: Token, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(
        db, now=clock(), area=methil, starts_at=clock() + timedelta(days=10), capacity=1
    )
    coming, walk_in = create_tenant(db, area=methil), create_tenant(db, area=methil)
    db.commit()
    answer_rsvp(db, event, coming.id, answer="yes", party=1, channel="sms", now=clock())
    db.commit()

    response = client.post(
        rsvps_path(event), json=entry(walk_in.id, source="in_person"), headers=api_token("officer")
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert body is not None and body["waiting_place"] == 1
    assert body["rsvp"]["answer"] == "waiting" and body["rsvp"]["channel"] == "in_person"
    staff_id = body["rsvp"]["entered_by_staff_id"]
    kept = db.scalars(select(EventRsvp).where(EventRsvp.tenant_id == walk_in.id)).one()
    assert (kept.answer, kept.entered_by_staff_id) == ("waiting", staff_id)
    line = db.scalars(select(AuditEntry).where(AuditEntry.action == "entered_for_tenant")).one()
    assert (line.tenant_id, line.via, line.staff_id) == (walk_in.id, "api", staff_id)


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        ({"source": "sms"}, 400, "must be one of paper, phone, in_person"),
        ({"answer": "waiting"}, 400, "must be one of yes, no, maybe"),
        ({"party": "2"}, 400, "must be a whole number from 1 to 10"),
        ({"tenant_id": 999_999}, 422, "there is no tenant 999999"),
        ({"party": 3}, 422, "the party must be 1 to 1 people"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_kept(
    client: FlaskClient,
    api_token: Token,
    db: Session,
    clock: Clock,
    methil: Area,
    changes: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    event = create_event(db, now=clock(), area=methil, starts_at=clock() + timedelta(days=10))
    ann = create_tenant(db, area=methil)
    db.commit()

    response = client.post(
        rsvps_path(event), json=entry(ann.id, **changes), headers=api_token("officer")
    )

    assert response.status_code == status
    assert reason in response.get_data(as_text=True)
    assert db.scalars(select(EventRsvp)).all() == []


def test_a_viewer_cannot_enter_and_answers_close_at_the_deadline(
    client: FlaskClient, api_token: Token, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(
        db,
        now=clock(),
        area=methil,
        starts_at=clock() + timedelta(days=10),
        rsvp_by=clock() + timedelta(days=1),
    )
    ann = create_tenant(db, area=methil)
    db.commit()
    assert (
        client.post(rsvps_path(event), json=entry(ann.id), headers=api_token("viewer")).status_code
        == 403
    )
    clock.advance(days=2)

    late = client.post(rsvps_path(event), json=entry(ann.id), headers=api_token("officer"))

    assert late.status_code == 409 and "are closed" in late.get_data(as_text=True)
    assert db.scalars(select(EventRsvp)).all() == []


def report(tenant: int, **changes: Any) -> dict[str, Any]:
    given = {
        "tenant_id": tenant,
        "category": "graffiti",
        "location": "The wall behind the shops",
        "description": "Paint sprayed all over it",
        "source": "phone",
    }
    return {**given, **changes}


def test_an_estate_report_taken_by_phone_is_kept_for_the_areas_walk_marked_and_audited(
    client: FlaskClient, api_token: Token, db: Session, clock: Clock, methil: Area
) -> None:
    ann = create_tenant(db, area=methil)
    db.commit()

    response = client.post(
        "/api/v1/issue-reports", json=report(ann.id), headers=api_token("officer")
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert body is not None and body["channel"] == "phone" and body["tenant"]["id"] == ann.id
    assert response.headers["Location"].endswith(f"/api/v1/issue-reports/{body['id']}")
    kept = db.get(IssueReport, body["id"])
    assert kept is not None and kept.area_id == methil.id
    assert kept.entered_by_staff_id == body["entered_by_staff_id"] is not None
    line = db.scalars(select(AuditEntry).where(AuditEntry.action == "entered_for_tenant")).one()
    assert (line.tenant_id, line.via, line.detail) == (
        ann.id,
        "api",
        f"issue report {kept.reference}: phone",
    )


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        ({"category": "noise"}, 400, "must be one of litter"),
        ({"location": " "}, 400, "must not be empty"),
        ({"source": "telegram"}, 400, "must be one of paper, phone, in_person"),
        ({"tenant_id": 999_999}, 422, "there is no tenant 999999"),
    ],
)
def test_a_report_with_bad_input_is_refused_with_the_reason(
    client: FlaskClient,
    api_token: Token,
    db: Session,
    methil: Area,
    changes: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    ann = create_tenant(db, area=methil)
    db.commit()

    response = client.post(
        "/api/v1/issue-reports", json=report(ann.id, **changes), headers=api_token("officer")
    )

    assert response.status_code == status and reason in response.get_data(as_text=True)
    assert db.scalars(select(IssueReport)).all() == []
    viewer = client.post("/api/v1/issue-reports", json=report(ann.id), headers=api_token("viewer"))
    assert viewer.status_code == 403


CHECK_INS = "/api/v1/mystery-shopping/check-ins"


def a_check_in(tenant: int, **changes: Any) -> dict[str, Any]:
    given = {
        "tenant_id": tenant,
        "service": "office",
        "when_used": "this_week",
        "ease": 2,
        "respect": 4,
        "sorted_out": "partly",
        "what_happened": "Waited forty minutes at the desk",
        "source": "in_person",
    }
    return {**given, **changes}


def a_shopper(db: Session, area: Area) -> int:
    shopper = create_tenant(db, area=area, name="Sam Shopper")
    shopper.set_roles({"mystery_shopper"})
    db.commit()
    return shopper.id


def test_a_check_in_told_at_the_office_is_kept_finished_marked_audited_and_alerts_staff(
    client: FlaskClient, api_token: Token, db: Session, methil: Area, staff_with_leave: Headers
) -> None:
    shopper = a_shopper(db, methil)

    response = client.post(CHECK_INS, json=a_check_in(shopper), headers=staff_with_leave)

    assert response.status_code == 201, response.json
    body = response.json
    assert body is not None and body["shopper"]["id"] == shopper and body["channel"] == "in_person"
    kept = db.scalars(select(MysteryShopCheckIn)).one()
    assert (kept.month, kept.ease, kept.improve) == ("2026-03", 2, None)
    assert kept.finished_at is not None and kept.entered_by_staff_id is not None
    alert = db.scalars(select(StaffAlert)).one()
    assert "Sam" not in alert.summary
    line = db.scalars(select(AuditEntry).where(AuditEntry.action == "entered_for_tenant")).one()
    assert (line.tenant_id, line.detail) == (shopper, "mystery-shop check-in 2026-03: in_person")
    again = client.post(CHECK_INS, json=a_check_in(shopper), headers=staff_with_leave)
    assert again.status_code == 422 and "checked in for 2026-03 already" in again.text


def test_without_an_admins_leave_no_check_in_can_be_entered_so_none_says_who_shops(
    client: FlaskClient, api_token: Token, db: Session, methil: Area
) -> None:
    shopper, other = a_shopper(db, methil), create_tenant(db, area=methil).id
    db.commit()
    officer = api_token("officer")

    for tenant in (shopper, other, 999_999):
        response = client.post(CHECK_INS, json=a_check_in(tenant), headers=officer)
        assert response.status_code == 403 and "only staff an admin allows" in response.text
    assert db.scalars(select(MysteryShopCheckIn)).all() == []


@pytest.mark.parametrize(
    ("changes", "status", "reason"),
    [
        ({"ease": 6}, 400, "must be a whole number from 1 to 5"),
        ({"service": "shop"}, 400, "must be one of phone, office"),
        ({"source": "sms"}, 400, "must be one of paper, phone, in_person"),
    ],
)
def test_a_check_in_with_bad_input_is_refused_with_the_reason(
    client: FlaskClient,
    db: Session,
    methil: Area,
    staff_with_leave: Headers,
    changes: dict[str, Any],
    status: int,
    reason: str,
) -> None:
    shopper = a_shopper(db, methil)

    response = client.post(CHECK_INS, json=a_check_in(shopper, **changes), headers=staff_with_leave)

    assert response.status_code == status and reason in response.text
    not_one = client.post(
        CHECK_INS, json=a_check_in(create_tenant(db).id), headers=staff_with_leave
    )
    assert not_one.status_code == 422 and "not a mystery shopper" in not_one.text
    assert db.scalars(select(MysteryShopCheckIn)).all() == []


@pytest.fixture
def staff_with_leave(api_token: Token, db: Session) -> Headers:
    """An officer's token whose owner an admin lets see mystery shoppers."""
    headers = api_token("officer")
    owner = db.scalars(select(StaffUser).order_by(StaffUser.id.desc())).first()
    assert owner is not None
    let_see_shoppers(db, owner.email)
    return headers
