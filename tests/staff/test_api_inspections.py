"""The inspections API: book, move, cancel and close walks; findings; tenants' reports; figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
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
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.inspections import (
    Inspection,
    IssueReport,
    answer_rsvp,
    file_report,
    mark_all_told,
    notice_key,
    reminder_key,
)
from models.messages import OutboundRecord
from models.schedule import ScheduledTask, TaskStatus
from models.tenants import Area, Tenant
from tests.factories import create_area, create_tenant
from tests.helpers import Clock
from tests.staff.test_api_schemathesis import the_document

Headers = dict[str, str]
Token = Callable[[str], Headers]
INSPECTIONS = "/api/v1/inspections"
REPORTS = "/api/v1/issue-reports"
IN_MARCH = "2026-03-20T10:30:00Z"  # GMT: the same on the clock in Kirkcaldy
IN_APRIL = "2026-04-10T10:30:00+01:00"  # BST: 09:30 UTC
ON_A_WALK = [
    (method.upper(), path)
    for path, item in the_document()["paths"].items()
    for method in item
    if method in ("get", "post", "patch") and ("{inspection_id}" in path or "{report_id}" in path)
]


@pytest.fixture
def officer(api_token: Token) -> Headers:
    return api_token("officer")


@pytest.fixture
def viewer(api_token: Token) -> Headers:
    return api_token("viewer")


@pytest.fixture
def area(db: Session) -> Area:
    area = create_area(db, name="Templehall")
    db.commit()
    return area


def book(client: FlaskClient, headers: Headers, area: Area, **given: Any) -> dict[str, Any]:
    body = {"area_id": area.id, "starts_at": IN_MARCH, "meeting_point": "The shops", **given}
    response = client.post(INSPECTIONS, json=body, headers=headers)
    assert response.status_code == 201, response.json
    booked: dict[str, Any] = response.json
    return booked


def report(db: Session, clock: Clock, tenant: Tenant, **given: Any) -> IssueReport:
    fields: dict[str, Any] = {
        "category": "litter",
        "location": "Behind block 4",
        "description": "Bags split open by the bins",
        "photo_ids": [],
        "channel": "sms",
        **given,
    }
    made = file_report(db, tenant=tenant, now=clock.now, **fields)
    db.commit()
    return made


def task(db: Session, key: str) -> ScheduledTask:
    db.expire_all()
    found = db.scalar(select(ScheduledTask).where(ScheduledTask.key == key))
    assert found is not None
    return found


# --- booking ------------------------------------------------------------------------------


def test_listing_inspections_without_a_token_is_refused_with_401(client: FlaskClient) -> None:
    assert client.get(INSPECTIONS).status_code == 401
    assert client.post(INSPECTIONS, json={}).status_code == 401


def test_every_walk_and_report_operation_is_documented_under_its_operation_id_and_tag(
    client: FlaskClient,
) -> None:
    document = client.get("/api/v1/openapi.json").json
    named = {
        (method, path): (operation["operationId"], operation["tags"])
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if path.startswith((INSPECTIONS, REPORTS))
    }
    walks, reports = ["inspections"], ["issue reports"]
    one, findings = (
        "/api/v1/inspections/{inspection_id}",
        "/api/v1/inspections/{inspection_id}/findings",
    )
    assert named == {
        ("get", INSPECTIONS): ("listInspections", walks),
        ("post", INSPECTIONS): ("createInspection", walks),
        ("get", one): ("getInspection", walks),
        ("patch", one): ("changeInspection", walks),
        ("post", f"{one}/cancel"): ("cancelInspection", walks),
        ("post", f"{one}/close"): ("closeInspection", walks),
        ("post", findings): ("addInspectionFinding", walks),
        ("post", findings + "/{finding_id}/done"): ("markFindingDone", walks),
        ("get", f"{INSPECTIONS}/report"): ("getInspectionFigures", walks),
        ("get", REPORTS): ("listIssueReports", reports),
        ("post", REPORTS): ("recordIssueReport", reports),
        ("get", REPORTS + "/{report_id}"): ("getIssueReport", reports),
    }
    bodies = [document["paths"][path][method].get("requestBody") for method, path in named]
    assert [body["required"] for body in bodies if body] == [True, True, True, True]


def test_an_officer_books_a_walk_with_its_time_in_utc_and_local_and_its_notices_scheduled(
    client: FlaskClient, db: Session, officer: Headers, viewer: Headers, area: Area
) -> None:
    response = client.post(
        INSPECTIONS,
        json={
            "area_id": area.id,
            "starts_at": IN_APRIL,
            "meeting_point": " Outside the  community hall ",
            "officer": "Jo Brown",
            "notes": "Bring the lift keys.\nCheck the drying green.",
        },
        headers=officer,
    )

    assert response.status_code == 201
    walk = response.json
    assert response.headers["Location"] == f"{INSPECTIONS}/{walk['id']}"
    assert walk["area"] == {"id": area.id, "name": "Templehall"}
    assert walk["status"] == "scheduled"
    assert walk["starts_at"] == "2026-04-10T09:30:00+00:00"
    assert walk["local_starts_at"] == "2026-04-10T10:30:00+01:00"
    assert walk["meeting_point"] == "Outside the community hall"
    assert (walk["officer"], walk["notes"]) == (
        "Jo Brown",
        "Bring the lift keys.\nCheck the drying green.",
    )
    assert walk["rsvps"] == {"coming": 0, "not_coming": 0}
    assert (walk["reports"], walk["findings"]) == ([], [])
    assert task(db, notice_key(walk["id"])).due_at == datetime(2026, 4, 3, 9, 30, tzinfo=UTC)
    assert task(db, reminder_key(walk["id"])).due_at == datetime(2026, 4, 9, 9, 30, tzinfo=UTC)
    read = client.get(response.headers["Location"], headers=viewer)
    assert read.status_code == 200 and read.json == walk


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"area_id": None}, 400, "area_id: required"),
        ({"starts_at": None}, 400, "starts_at: required"),
        ({"meeting_point": None}, 400, "meeting_point: required"),
        ({"starts_at": "2026-03-20T10:30:00"}, 422, "starts_at: say which time zone"),
        ({"starts_at": "2026-03-20"}, 422, "starts_at: say which time zone"),
        ({"starts_at": "next Tuesday"}, 400, "starts_at: 'next Tuesday' is not a date"),
        ({"starts_at": "2026-02-30T10:00:00Z"}, 400, "starts_at"),
        ({"starts_at": 1773999000}, 400, "starts_at: must be an ISO 8601"),
        ({"starts_at": "2026-03-01T10:30:00Z"}, 422, "starts_at: must be in the future"),
        ({"starts_at": "0001-01-01T00:00:00+23:59"}, 400, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:59-23:59"}, 400, "starts_at: that time is out of range"),
        ({"meeting_point": "x" * 81}, 400, "meeting_point: must be at most 80"),
        ({"meeting_point": "   "}, 400, "meeting_point: must not be empty"),
        ({"meeting_point": "\u200b"}, 400, "meeting_point: must not be empty"),
        ({"meeting_point": "The shops\x07"}, 400, "meeting_point: must not contain control"),
        ({"meeting_point": ["The shops"]}, 400, "meeting_point: must be text"),
        ({"officer": 7}, 400, "officer: must be text"),
        ({"notes": "x" * 4001}, 400, "notes: must be at most"),
        ({"area_id": "1"}, 400, "area_id: must be an area's id"),
        ({"area_id": True}, 400, "area_id: must be an area's id"),
        ({"area_id": 999_999}, 422, "area_id: there is no area 999999"),
        ({"area_id": 2**40}, 422, "area_id: there is no area"),
        ({"colour": "green"}, 400, "colour: unknown field"),
    ],
)
def test_bad_bookings_are_refused_with_the_reason_naming_the_field_and_nothing_kept(
    client: FlaskClient,
    db: Session,
    officer: Headers,
    area: Area,
    change: dict[str, Any],
    status: int,
    says: str,
) -> None:
    body = {"area_id": area.id, "starts_at": IN_MARCH, "meeting_point": "The shops", **change}
    body = {field: value for field, value in body.items() if value is not None}

    response = client.post(INSPECTIONS, json=body, headers=officer)

    assert response.status_code == status
    assert response.json["error"].startswith(says)
    assert db.scalar(select(func.count(Inspection.id))) == 0


@pytest.mark.parametrize("data", ["not json", "[1, 2]", '"text"', "{"])
def test_a_body_that_is_not_a_json_object_is_refused_with_400(
    client: FlaskClient, officer: Headers, data: str
) -> None:
    response = client.post(INSPECTIONS, data=data, content_type="application/json", headers=officer)
    assert response.status_code == 400 and response.json["error"] == "send a JSON object"


@pytest.mark.parametrize("data", ["", "[1, 2]", '{"notes": "x"', "null"])
def test_a_change_or_finding_that_is_not_one_json_object_is_refused_and_changes_nothing(
    client: FlaskClient, officer: Headers, viewer: Headers, area: Area, data: str
) -> None:
    walk = book(client, officer, area, notes="Bring the lift keys.")
    one = f"{INSPECTIONS}/{walk['id']}"

    answers = [
        client.open(
            path, method=method, data=data, content_type="application/json", headers=officer
        )
        for method, path in (("PATCH", one), ("POST", f"{one}/findings"))
    ]

    assert [a.json for a in answers] == [{"error": "send a JSON object", "status": 400}] * 2
    assert client.get(one, headers=viewer).json == walk


def test_a_viewer_hears_403_before_any_complaint_about_what_they_sent(
    client: FlaskClient, officer: Headers, viewer: Headers, area: Area
) -> None:
    one = f"{INSPECTIONS}/{book(client, officer, area)['id']}"

    refused = [
        client.post(INSPECTIONS, json={"colour": "green"}, headers=viewer),
        client.patch(one, json={"starts_at": "soon"}, headers=viewer),
        client.post(f"{one}/findings", data="[", content_type="application/json", headers=viewer),
    ]

    assert [r.status_code for r in refused] == [403] * 3


def test_a_viewer_reads_walks_but_may_not_book_change_cancel_close_or_record_findings(
    client: FlaskClient, officer: Headers, viewer: Headers, area: Area
) -> None:
    walk = book(client, officer, area)
    one = f"{INSPECTIONS}/{walk['id']}"

    assert client.get(one, headers=viewer).status_code == 200
    assert client.get(INSPECTIONS, headers=viewer).status_code == 200
    refused = [
        client.post(INSPECTIONS, json={"area_id": area.id}, headers=viewer),
        client.patch(one, json={"meeting_point": "Elsewhere"}, headers=viewer),
        client.post(f"{one}/cancel", headers=viewer),
        client.post(f"{one}/close", headers=viewer),
        client.post(f"{one}/findings", json={"found": "Litter"}, headers=viewer),
        client.post(f"{one}/findings/1/done", headers=viewer),
    ]
    assert [r.status_code for r in refused] == [403] * 6
    assert "officer" in refused[0].json["error"]
    assert client.get(one, headers=viewer).json["status"] == "scheduled"


def test_an_admin_may_book_a_walk(client: FlaskClient, api_token: Token, area: Area) -> None:
    body = {"area_id": area.id, "starts_at": IN_MARCH, "meeting_point": "The shops"}
    assert client.post(INSPECTIONS, json=body, headers=api_token("admin")).status_code == 201


# --- reading ------------------------------------------------------------------------------


def test_walks_are_listed_latest_first_filtered_by_status_and_area_and_paged(
    client: FlaskClient, db: Session, officer: Headers, viewer: Headers, area: Area
) -> None:
    dysart = create_area(db, name="Dysart")
    db.commit()
    march = book(client, officer, area)
    april = book(client, officer, area, starts_at=IN_APRIL)
    elsewhere = book(client, officer, dysart, starts_at="2026-03-25T14:00:00Z")

    everything = client.get(INSPECTIONS, headers=viewer).json
    assert [w["id"] for w in everything["items"]] == [april["id"], elsewhere["id"], march["id"]]
    assert (everything["total"], everything["limit"], everything["offset"]) == (3, 50, 0)
    templehall = client.get(
        INSPECTIONS, query_string={"area_id": area.id, "limit": 1, "offset": 1}, headers=viewer
    ).json
    assert templehall["total"] == 2 and [w["id"] for w in templehall["items"]] == [march["id"]]
    closed = client.get(INSPECTIONS, query_string={"status": "closed"}, headers=viewer).json
    assert closed == {"items": [], "total": 0, "limit": 50, "offset": 0}


@pytest.mark.parametrize(
    ("path", "query", "says"),
    [
        (INSPECTIONS, "status=done", "status: must be one of scheduled, cancelled, closed"),
        (INSPECTIONS, "area_id=abc", "area_id: must be a whole number from 1 to 2147483647"),
        (INSPECTIONS, "area_id=0", "area_id: must be a whole number from 1"),
        (INSPECTIONS, "limit=0", "limit: must be 1 to 200"),
        (INSPECTIONS, "offset=x", "offset: must be a whole number"),
        (INSPECTIONS, "offset=2147483648", "offset: must be 0 to 2147483647"),
        (REPORTS, "inspection_id=-1", "inspection_id: must be a whole number from 1"),
        (REPORTS, "area_id=99999999999", "area_id: must be a whole number from 1"),
        (REPORTS, "waiting=maybe", "waiting: must be true or false"),
        (REPORTS, "limit=201", "limit: must be 1 to 200"),
        (f"{INSPECTIONS}/report", "year=26", "year: must be a year from 2000 to 2100"),
        (f"{INSPECTIONS}/report", "year=\uff12\uff10\uff12\uff16", "year: must be a year"),
    ],
)
def test_bad_filters_are_refused_with_400_naming_them(
    client: FlaskClient, viewer: Headers, path: str, query: str, says: str
) -> None:
    response = client.get(f"{path}?{query}", headers=viewer)
    assert response.status_code == 400 and response.json["error"].startswith(says)


def test_a_walk_shows_its_rsvps_and_the_reports_it_was_given_with_their_references(
    client: FlaskClient, db: Session, officer: Headers, viewer: Headers, area: Area, clock: Clock
) -> None:
    ann, bob, cat = (create_tenant(db, name=n, area=area) for n in ("Ann", "Bob", "Cat"))
    db.commit()
    before = report(db, clock, ann, photo_ids=["AgACAgQAAxkBAAIB"], channel="telegram")
    walk = book(client, officer, area)  # gathers the report already waiting
    after = report(db, clock, bob, category="lighting", location="Stair 2")
    inspection = db.get(Inspection, walk["id"])
    assert inspection is not None
    for tenant, coming in ((ann, True), (bob, True), (cat, False)):
        answer_rsvp(db, inspection, tenant.id, coming=coming, channel="sms", now=clock.now)
    db.commit()

    read = client.get(f"{INSPECTIONS}/{walk['id']}", headers=viewer).json

    assert read["rsvps"] == {"coming": 2, "not_coming": 1}
    assert read["report_count"] == 2
    assert [(r["reference"], r["category"]) for r in read["reports"]] == [
        (f"R-{1000 + before.id}", "litter"),
        (f"R-{1000 + after.id}", "lighting"),
    ]
    first = read["reports"][0]
    assert first["tenant"] == {"id": ann.id, "name": "Ann"}
    assert (first["photo_ids"], first["channel"]) == (["AgACAgQAAxkBAAIB"], "telegram")
    assert (first["inspection_id"], first["finding_id"], first["area_id"]) == (
        walk["id"],
        None,
        area.id,
    )


def test_a_walk_is_answered_with_exactly_its_fields_its_times_nulls_and_nested_records(
    client: FlaskClient, db: Session, officer: Headers, viewer: Headers, area: Area, clock: Clock
) -> None:
    ann = create_tenant(db, name="Ann", area=area)
    db.commit()
    walk = book(client, officer, area, starts_at=IN_APRIL, officer="Jo Brown")
    litter = report(db, clock, ann, photo_ids=["AgACAgQAAxkBAAIB"], channel="telegram")
    finding = client.post(
        f"{INSPECTIONS}/{walk['id']}/findings",
        json={
            "found": "Bins overflowing",
            "action": "Extra collection",
            "responsible": "Waste team",
            "due_on": "2026-04-30",
            "report_ids": [litter.id],
        },
        headers=officer,
    ).json
    at_booking = "2026-03-03T10:00:00+00:00"
    reference = {"id": litter.id, "reference": f"R-{1000 + litter.id}"}
    listed = {
        "id": walk["id"],
        "area": {"id": area.id, "name": "Templehall"},
        "status": "scheduled",
        "starts_at": "2026-04-10T09:30:00+00:00",
        "local_starts_at": "2026-04-10T10:30:00+01:00",
        "meeting_point": "The shops",
        "officer": "Jo Brown",
        "notes": "",
        "notice_days": 7,
        "reminder_days": 1,
        "notice_sent_at": None,
        "reminder_sent_at": None,
        "cancelled_at": None,
        "closed_at": None,
        "created_at": at_booking,
        "updated_at": at_booking,
        "rsvps": {"coming": 0, "not_coming": 0},
        "report_count": 1,
    }

    one = client.get(f"{INSPECTIONS}/{walk['id']}", headers=viewer)
    page = client.get(INSPECTIONS, headers=viewer)

    assert one.json == {
        **listed,
        "reports": [
            {
                **reference,
                "tenant": {"id": ann.id, "name": "Ann"},
                "area_id": area.id,
                "inspection_id": walk["id"],
                "finding_id": finding["id"],
                "category": "litter",
                "location": "Behind block 4",
                "description": "Bags split open by the bins",
                "photo_ids": ["AgACAgQAAxkBAAIB"],
                "channel": "telegram",
                "urgent": False,
                "entered_by_staff_id": None,
                "created_at": at_booking,
                "outcome_told_at": None,
                "done_told_at": None,
            }
        ],
        "findings": [
            {
                "id": finding["id"],
                "inspection_id": walk["id"],
                "found": "Bins overflowing",
                "action": "Extra collection",
                "responsible": "Waste team",
                "due_on": "2026-04-30",
                "done_at": None,
                "reports": [reference],
                "created_at": at_booking,
            }
        ],
    }
    assert page.json == {"items": [listed], "total": 1, "limit": 50, "offset": 0}


def test_a_report_whose_tenant_was_erased_is_answered_with_tenant_null(
    client: FlaskClient, db: Session, viewer: Headers, area: Area, clock: Clock
) -> None:
    gone = report(db, clock, create_tenant(db, area=area), category="graffiti")
    gone.tenant_id = None
    db.commit()

    response = client.get(f"{REPORTS}/{gone.id}", headers=viewer)

    assert response.json == {
        "id": gone.id,
        "reference": f"R-{1000 + gone.id}",
        "tenant": None,
        "area_id": area.id,
        "inspection_id": None,
        "finding_id": None,
        "category": "graffiti",
        "location": "Behind block 4",
        "description": "Bags split open by the bins",
        "photo_ids": [],
        "channel": "sms",
        "urgent": False,
        "entered_by_staff_id": None,
        "created_at": "2026-03-03T10:00:00+00:00",
        "outcome_told_at": None,
        "done_told_at": None,
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"{INSPECTIONS}/404"),
        ("patch", f"{INSPECTIONS}/404"),
        ("post", f"{INSPECTIONS}/404/cancel"),
        ("post", f"{INSPECTIONS}/404/close"),
        ("post", f"{INSPECTIONS}/404/findings"),
        ("post", f"{INSPECTIONS}/404/findings/1/done"),
        ("get", f"{REPORTS}/404"),
    ],
)
def test_a_walk_or_report_that_does_not_exist_is_404_with_a_reason(
    client: FlaskClient, officer: Headers, method: str, path: str
) -> None:
    body = {"found": "Litter"} if path.endswith("findings") else {}
    response = client.open(path, method=method, json=body, headers=officer)
    assert response.status_code == 404 and "404" in response.json["error"]


# --- moving and cancelling ---------------------------------------------------------------


def test_moving_a_walk_replaces_its_notice_and_reminder_for_the_new_time(
    client: FlaskClient, db: Session, officer: Headers, area: Area
) -> None:
    walk = book(client, officer, area)
    old_notice = task(db, notice_key(walk["id"]))
    assert old_notice.payload["starts_at"] == "2026-03-20T10:30:00+00:00"

    response = client.patch(
        f"{INSPECTIONS}/{walk['id']}", json={"starts_at": IN_APRIL}, headers=officer
    )

    assert response.status_code == 200
    assert response.json["starts_at"] == "2026-04-10T09:30:00+00:00"
    assert response.json["meeting_point"] == "The shops"  # what was not given stays
    notice, reminder = task(db, notice_key(walk["id"])), task(db, reminder_key(walk["id"]))
    assert notice.id == old_notice.id  # replaced under its key, not a second task
    assert (notice.status, notice.due_at) == ("pending", datetime(2026, 4, 3, 9, 30, tzinfo=UTC))
    assert reminder.due_at == datetime(2026, 4, 9, 9, 30, tzinfo=UTC)
    assert {notice.payload["starts_at"], reminder.payload["starts_at"]} == {
        "2026-04-10T09:30:00+00:00"
    }
    assert db.scalar(select(func.count(ScheduledTask.id))) == 2


def test_changing_the_place_officer_and_notes_keeps_the_time_and_its_tasks(
    client: FlaskClient, db: Session, officer: Headers, area: Area
) -> None:
    walk = book(client, officer, area, officer="Jo Brown")
    due = task(db, notice_key(walk["id"])).due_at

    response = client.patch(
        f"{INSPECTIONS}/{walk['id']}",
        json={"meeting_point": "The library", "officer": None, "notes": "Wet weather route"},
        headers=officer,
    )

    assert response.status_code == 200
    changed = response.json
    assert (changed["meeting_point"], changed["officer"], changed["notes"]) == (
        "The library",
        "",
        "Wet weather route",
    )
    assert changed["starts_at"] == walk["starts_at"]
    assert task(db, notice_key(walk["id"])).due_at == due


def test_a_tenant_told_about_a_walk_hears_when_it_moves(
    client: FlaskClient, db: Session, officer: Headers, area: Area, clock: Clock
) -> None:
    told = create_tenant(db, area=area)
    create_tenant(db, area=area)  # never told, so not told of the move either
    walk = book(client, officer, area)
    mark_all_told(db, walk["id"], [told.id], now=clock.now)
    db.commit()

    response = client.patch(
        f"{INSPECTIONS}/{walk['id']}", json={"starts_at": IN_APRIL}, headers=officer
    )

    assert response.status_code == 200
    queued = db.scalars(select(OutboundRecord.tenant_id)).all()
    assert queued == [told.id]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"starts_at": "2026-04-10T10:30:00"}, 422, "starts_at: say which time zone"),
        ({"starts_at": "2026-03-03T09:00:00Z"}, 422, "starts_at: must be in the future"),
        ({"meeting_point": "y" * 81}, 400, "meeting_point: must be at most 80"),
        ({"meeting_point": ""}, 400, "meeting_point: must not be empty"),
        ({"area_id": 1}, 400, "area_id: unknown field"),
        ({"notes": ["a"]}, 400, "notes: must be text"),
        ({"starts_at": None}, 400, "starts_at: must be an ISO 8601 date and time"),
        ({"meeting_point": None}, 400, "meeting_point: must be text"),
        ({"officer": "Jo\tBrown"}, 400, "officer: must not contain control characters"),
    ],
)
def test_bad_changes_are_refused_naming_the_field_and_nothing_changes(
    client: FlaskClient,
    db: Session,
    officer: Headers,
    viewer: Headers,
    area: Area,
    body: dict[str, Any],
    status: int,
    says: str,
) -> None:
    walk = book(client, officer, area)

    response = client.patch(f"{INSPECTIONS}/{walk['id']}", json=body, headers=officer)

    assert response.status_code == status and response.json["error"].startswith(says)
    unchanged = client.get(f"{INSPECTIONS}/{walk['id']}", headers=viewer).json
    assert unchanged["meeting_point"] == "The shops" and unchanged["starts_at"] == walk["starts_at"]


def test_a_walk_whose_time_has_passed_can_still_have_its_notes_changed(
    client: FlaskClient, officer: Headers, area: Area, clock: Clock
) -> None:
    walk = book(client, officer, area)
    clock.advance(days=30)

    response = client.patch(
        f"{INSPECTIONS}/{walk['id']}",
        json={"starts_at": IN_MARCH, "notes": "Rained off halfway"},
        headers=officer,
    )

    assert response.status_code == 200 and response.json["notes"] == "Rained off halfway"


def test_cancelling_a_walk_cancels_its_tasks_and_hands_its_reports_to_the_next(
    client: FlaskClient, db: Session, officer: Headers, viewer: Headers, area: Area, clock: Clock
) -> None:
    tenant = create_tenant(db, area=area)
    db.commit()
    walk = book(client, officer, area)
    later = book(client, officer, area, starts_at=IN_APRIL)
    waiting = report(db, clock, tenant)
    assert waiting.inspection_id == walk["id"]

    response = client.post(f"{INSPECTIONS}/{walk['id']}/cancel", headers=officer)

    assert response.status_code == 200
    cancelled = response.json
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"] is not None
    assert cancelled["reports"] == []
    assert task(db, notice_key(walk["id"])).status == TaskStatus.CANCELLED
    assert task(db, reminder_key(walk["id"])).status == TaskStatus.CANCELLED
    assert task(db, notice_key(later["id"])).status == TaskStatus.PENDING
    next_walk = client.get(f"{INSPECTIONS}/{later['id']}", headers=viewer).json
    assert [r["id"] for r in next_walk["reports"]] == [waiting.id]


def test_a_tenant_told_about_a_walk_hears_when_it_is_cancelled(
    client: FlaskClient, db: Session, officer: Headers, area: Area, clock: Clock
) -> None:
    told = create_tenant(db, area=area)
    walk = book(client, officer, area)
    mark_all_told(db, walk["id"], [told.id], now=clock.now)
    db.commit()

    response = client.post(f"{INSPECTIONS}/{walk['id']}/cancel", headers=officer)

    assert response.status_code == 200
    assert db.scalars(select(OutboundRecord.tenant_id)).all() == [told.id]


def test_a_cancelled_walk_cannot_be_changed_cancelled_closed_or_given_findings(
    client: FlaskClient, db: Session, officer: Headers, area: Area, clock: Clock
) -> None:
    walk = book(client, officer, area)
    one = f"{INSPECTIONS}/{walk['id']}"
    assert client.post(f"{one}/cancel", headers=officer).status_code == 200
    clock.advance(days=30)

    refused = [
        client.patch(one, json={"notes": "Back on"}, headers=officer),
        client.post(f"{one}/cancel", headers=officer),
        client.post(f"{one}/close", headers=officer),
        client.post(f"{one}/findings", json={"found": "Litter"}, headers=officer),
    ]

    assert [r.status_code for r in refused] == [409] * 4
    assert all("is cancelled" in r.json["error"] for r in refused)
    assert task(db, notice_key(walk["id"])).status == TaskStatus.CANCELLED


# --- findings and closing ----------------------------------------------------------------


def test_a_finding_answers_the_walks_reports_and_shows_on_the_walk(
    client: FlaskClient, db: Session, officer: Headers, viewer: Headers, area: Area, clock: Clock
) -> None:
    tenant = create_tenant(db, area=area)
    db.commit()
    walk = book(client, officer, area)
    litter, lamp = report(db, clock, tenant), report(db, clock, tenant, category="lighting")

    response = client.post(
        f"{INSPECTIONS}/{walk['id']}/findings",
        json={
            "found": "Bins overflowing behind block 4",
            "action": "Extra collection",
            "responsible": "Waste team",
            "due_on": "2026-04-01",
            "report_ids": [litter.id, litter.id],
        },
        headers=officer,
    )

    assert response.status_code == 201
    finding = response.json
    assert response.headers["Location"] == f"{INSPECTIONS}/{walk['id']}"
    assert (finding["found"], finding["action"], finding["responsible"]) == (
        "Bins overflowing behind block 4",
        "Extra collection",
        "Waste team",
    )
    assert (finding["due_on"], finding["done_at"]) == ("2026-04-01", None)
    assert finding["reports"] == [{"id": litter.id, "reference": f"R-{1000 + litter.id}"}]
    read = client.get(f"{INSPECTIONS}/{walk['id']}", headers=viewer).json
    assert read["findings"] == [finding]
    by_id = {r["id"]: r["finding_id"] for r in read["reports"]}
    assert by_id == {litter.id: finding["id"], lamp.id: None}


def test_a_finding_may_not_answer_another_walks_report_or_one_already_answered(
    client: FlaskClient, db: Session, officer: Headers, area: Area, clock: Clock
) -> None:
    dysart = create_area(db, name="Dysart")
    here, there = create_tenant(db, area=area), create_tenant(db, area=dysart)
    db.commit()
    walk = book(client, officer, area)
    book(client, officer, dysart)
    ours, theirs = report(db, clock, here), report(db, clock, there)
    findings = f"{INSPECTIONS}/{walk['id']}/findings"

    other = client.post(
        findings, json={"found": "Mess", "report_ids": [theirs.id]}, headers=officer
    )
    missing = client.post(findings, json={"found": "Mess", "report_ids": [99999]}, headers=officer)
    first = client.post(findings, json={"found": "Mess", "report_ids": [ours.id]}, headers=officer)
    again = client.post(findings, json={"found": "More", "report_ids": [ours.id]}, headers=officer)

    assert (other.status_code, missing.status_code) == (422, 422)
    assert (
        other.json["error"]
        == f"report_ids: {theirs.id} is not a report for inspection {walk['id']}"
    )
    assert first.status_code == 201
    assert again.status_code == 422
    assert again.json["error"] == (
        f"report_ids: R-{1000 + ours.id} is already answered by finding {first.json['id']}"
    )
    assert len(client.get(f"{INSPECTIONS}/{walk['id']}", headers=officer).json["findings"]) == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "found: required"),
        ({"found": ""}, "found: must not be empty"),
        ({"found": "x" * 1001}, "found: must be at most 1000"),
        ({"found": "Litter", "action": 5}, "action: must be text"),
        ({"found": "Litter", "responsible": "r" * 121}, "responsible: must be at most 120"),
        ({"found": "Litter", "due_on": "next month"}, "due_on: 'next month' is not a date"),
        ({"found": "Litter", "due_on": 20260401}, "due_on: must be a date"),
        ({"found": "Litter", "report_ids": "R-1001"}, "report_ids: must be a list"),
        ({"found": "Litter", "report_ids": ["R-1001"]}, "report_ids: must be a list"),
        ({"found": "Litter", "report_ids": [True]}, "report_ids: must be a list"),
        ({"found": "Litter", "report_ids": [2**40]}, "report_ids: must be a list"),
        ({"found": "Litter", "report_ids": [1] * 201}, "report_ids: must be a list"),
        ({"found": "Litter", "photo": "x"}, "photo: unknown field"),
    ],
)
def test_bad_findings_are_refused_with_400_naming_the_field(
    client: FlaskClient, officer: Headers, area: Area, body: dict[str, Any], says: str
) -> None:
    walk = book(client, officer, area)

    response = client.post(f"{INSPECTIONS}/{walk['id']}/findings", json=body, headers=officer)

    assert response.status_code == 400 and response.json["error"].startswith(says)


def test_a_walk_is_closed_once_it_has_happened_and_then_takes_no_more_findings(
    client: FlaskClient, db: Session, officer: Headers, area: Area, clock: Clock
) -> None:
    walk = book(client, officer, area)
    one = f"{INSPECTIONS}/{walk['id']}"

    early = client.post(f"{one}/close", headers=officer)
    assert early.status_code == 409 and "has not happened yet" in early.json["error"]
    clock.advance(days=17, hours=2)
    client.post(f"{one}/findings", json={"found": "All tidy"}, headers=officer)
    closed = client.post(f"{one}/close", headers=officer)

    assert closed.status_code == 200
    assert closed.json["status"] == "closed"
    assert closed.json["closed_at"] == clock.now.isoformat()
    assert [f["found"] for f in closed.json["findings"]] == ["All tidy"]
    assert client.post(f"{one}/close", headers=officer).status_code == 409
    late = client.post(f"{one}/findings", json={"found": "Graffiti"}, headers=officer)
    assert late.status_code == 409 and "is closed" in late.json["error"]


def test_an_action_is_marked_done_once_after_the_walk_is_closed_and_its_reporter_hears(
    client: FlaskClient, db: Session, officer: Headers, area: Area, clock: Clock
) -> None:
    reporter = create_tenant(db, area=area)
    db.commit()
    walk = book(client, officer, area)
    litter = report(db, clock, reporter)
    one = f"{INSPECTIONS}/{walk['id']}"
    finding = client.post(
        f"{one}/findings",
        json={"found": "Bins overflowing", "action": "Extra collection", "report_ids": [litter.id]},
        headers=officer,
    ).json
    done = f"{one}/findings/{finding['id']}/done"

    too_soon = client.post(done, headers=officer)
    assert too_soon.status_code == 409 and "once it is closed" in too_soon.json["error"]
    clock.advance(days=18)
    assert client.post(f"{one}/close", headers=officer).status_code == 200
    told_of_outcome = db.scalar(select(func.count(OutboundRecord.id)))
    clock.advance(days=3)
    first = client.post(done, headers=officer)
    clock.advance(days=1)
    second = client.post(done, headers=officer)

    assert first.status_code == 200 and first.json["done_at"] == "2026-03-24T10:00:00+00:00"
    assert second.status_code == 200 and second.json["done_at"] == first.json["done_at"]
    to_reporter = db.scalars(
        select(OutboundRecord).where(OutboundRecord.tenant_id == reporter.id)
    ).all()
    assert len(to_reporter) == (told_of_outcome or 0) + 1  # told it is done once, not twice


def test_a_finding_of_another_walk_is_not_found_under_this_one(
    client: FlaskClient, officer: Headers, area: Area
) -> None:
    walk, other = book(client, officer, area), book(client, officer, area)
    finding = client.post(
        f"{INSPECTIONS}/{other['id']}/findings", json={"found": "Litter"}, headers=officer
    ).json

    response = client.post(
        f"{INSPECTIONS}/{walk['id']}/findings/{finding['id']}/done", headers=officer
    )

    assert response.status_code == 404
    assert response.json["error"] == f"inspection {walk['id']} has no finding {finding['id']}"


# --- issue reports ------------------------------------------------------------------------


def test_issue_reports_are_listed_newest_first_by_area_walk_or_still_waiting(
    client: FlaskClient, db: Session, officer: Headers, viewer: Headers, area: Area, clock: Clock
) -> None:
    dysart = create_area(db, name="Dysart")
    here, there = create_tenant(db, area=area), create_tenant(db, area=dysart)
    db.commit()
    walk = book(client, officer, area)
    taken = report(db, clock, here)
    clock.advance(minutes=5)
    waiting = report(db, clock, there, category="graffiti")

    def ids(**query: Any) -> list[int]:
        page = client.get(REPORTS, query_string=query, headers=viewer).json
        assert page["total"] == len(page["items"])
        return [r["id"] for r in page["items"]]

    assert ids() == [waiting.id, taken.id]
    assert ids(area_id=area.id) == [taken.id]
    assert ids(inspection_id=walk["id"]) == [taken.id]
    assert ids(waiting="true") == [waiting.id]
    assert ids(waiting="true", area_id=area.id) == []
    second = client.get(REPORTS, query_string={"limit": 1, "offset": 1}, headers=viewer).json
    assert second["total"] == 2 and [r["id"] for r in second["items"]] == [taken.id]
    one = client.get(f"{REPORTS}/{waiting.id}", headers=viewer)
    assert one.status_code == 200
    assert (one.json["reference"], one.json["category"], one.json["inspection_id"]) == (
        f"R-{1000 + waiting.id}",
        "graffiti",
        None,
    )


def test_issue_reports_need_a_token(client: FlaskClient) -> None:
    assert client.get(REPORTS).status_code == 401
    assert client.get(f"{REPORTS}/1").status_code == 401


# --- the year's figures ------------------------------------------------------------------


def test_the_years_figures_per_walk_add_up_to_the_figures_per_area(
    client: FlaskClient, db: Session, officer: Headers, viewer: Headers, area: Area, clock: Clock
) -> None:
    dysart = create_area(db, name="Dysart")
    here, there = create_tenant(db, area=area), create_tenant(db, area=dysart)
    db.commit()
    march = book(client, officer, area)
    april = book(client, officer, area, starts_at=IN_APRIL)
    elsewhere = book(client, officer, dysart, starts_at="2026-03-25T14:00:00Z")
    report(db, clock, here)  # for the March walk
    report(db, clock, there)
    report(db, clock, there)
    agreed = {
        march["id"]: [("2026-03-27", True), (None, False)],
        elsewhere["id"]: [("2026-03-25", True)],  # done a day late
        april["id"]: [("2026-04-30", True), (None, True)],
    }
    findings: dict[int, list[int]] = {}
    for walk_id, actions in agreed.items():
        for due_on, with_action in actions:
            body = {
                "found": "Something",
                "action": "Fix it" if with_action else "",
                "due_on": due_on,
            }
            made = client.post(f"{INSPECTIONS}/{walk_id}/findings", json=body, headers=officer)
            findings.setdefault(walk_id, []).append(made.json["id"])
    clock.advance(days=23)  # 26 March: the two March walks have happened
    for walk_id in (march["id"], elsewhere["id"]):
        assert client.post(f"{INSPECTIONS}/{walk_id}/close", headers=officer).status_code == 200
        done = f"{INSPECTIONS}/{walk_id}/findings/{findings[walk_id][0]}/done"
        assert client.post(done, headers=officer).status_code == 200
    clock.advance(days=20)  # 15 April: the April walk too, its actions not yet done
    assert client.post(f"{INSPECTIONS}/{april['id']}/close", headers=officer).status_code == 200

    figures = client.get(f"{INSPECTIONS}/report", query_string={"year": 2026}, headers=viewer).json

    walks = {w["inspection_id"]: w for w in figures["inspections"]}
    assert [w["inspection_id"] for w in figures["inspections"]] == [
        march["id"],
        elsewhere["id"],
        april["id"],
    ]
    counted = ("reports", "actions", "done", "done_on_time")
    assert [walks[march["id"]][k] for k in counted] == [1, 1, 1, 1]
    assert [walks[elsewhere["id"]][k] for k in counted] == [2, 1, 1, 0]
    assert [walks[april["id"]][k] for k in counted] == [0, 2, 0, 0]
    assert walks[april["id"]]["local_starts_at"] == "2026-04-10T10:30:00+01:00"
    by_area = {a["area"]["name"]: a for a in figures["areas"]}
    assert list(by_area) == ["Dysart", "Templehall"]
    for name, area_id in (("Dysart", dysart.id), ("Templehall", area.id)):
        own = [w for w in figures["inspections"] if w["area"]["id"] == area_id]
        assert by_area[name]["held"] == len(own)
        for key in counted:
            assert by_area[name][key] == sum(w[key] for w in own), (name, key)
    assert by_area["Templehall"]["on_time_rate"] == pytest.approx(1 / 3)
    assert by_area["Dysart"]["on_time_rate"] == 0
    other_year = client.get(
        f"{INSPECTIONS}/report", query_string={"year": 2025}, headers=viewer
    ).json
    assert other_year == {"year": 2025, "areas": [], "inspections": []}
    this_year = client.get(f"{INSPECTIONS}/report", headers=viewer).json
    assert this_year["year"] == 2026 and this_year["areas"] == figures["areas"]


def test_the_years_figures_are_answered_with_exactly_their_fields_a_rate_null_without_actions(
    client: FlaskClient, db: Session, officer: Headers, viewer: Headers, area: Area, clock: Clock
) -> None:
    dysart = create_area(db, name="Dysart")
    db.commit()
    walk = book(client, officer, area)
    quiet = book(client, officer, dysart, starts_at="2026-03-25T14:00:00Z")
    one = f"{INSPECTIONS}/{walk['id']}"
    finding = client.post(
        f"{one}/findings", json={"found": "Litter", "action": "Clear it"}, headers=officer
    ).json
    clock.advance(days=23)
    for closing in (one, f"{INSPECTIONS}/{quiet['id']}"):
        assert client.post(f"{closing}/close", headers=officer).status_code == 200
    client.post(f"{one}/findings/{finding['id']}/done", headers=officer)

    response = client.get(f"{INSPECTIONS}/report?year=2026", headers=viewer)

    nothing = {"reports": 0, "actions": 0, "done": 0, "done_on_time": 0}
    all_done = {"reports": 0, "actions": 1, "done": 1, "done_on_time": 1}
    templehall, elsewhere = (
        {"id": area.id, "name": "Templehall"},
        {"id": dysart.id, "name": "Dysart"},
    )
    assert response.json == {
        "year": 2026,
        "areas": [
            {"area": elsewhere, "held": 1, **nothing, "on_time_rate": None},
            {"area": templehall, "held": 1, **all_done, "on_time_rate": 1.0},
        ],
        "inspections": [
            {
                "inspection_id": walk["id"],
                "area": templehall,
                "starts_at": "2026-03-20T10:30:00+00:00",
                "local_starts_at": "2026-03-20T10:30:00+00:00",
                **all_done,
            },
            {
                "inspection_id": quiet["id"],
                "area": elsewhere,
                "starts_at": "2026-03-25T14:00:00+00:00",
                "local_starts_at": "2026-03-25T14:00:00+00:00",
                **nothing,
            },
        ],
    }


# --- generated requests at a real walk -----------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ON_A_WALK)
def test_generated_requests_at_a_real_walk_get_no_server_error_and_documented_answers(
    app: Flask,
    client: FlaskClient,
    db: Session,
    officer: Headers,
    area: Area,
    clock: Clock,
    method: str,
    path: str,
) -> None:
    """The shared schemathesis test finds no walk; here half the requests aim at one."""
    told = create_tenant(db, area=area)
    walk = book(client, officer, area)
    mark_all_told(db, walk["id"], [told.id], now=clock.now)
    db.commit()
    reported = report(db, clock, told)
    finding = client.post(
        f"{INSPECTIONS}/{walk['id']}/findings",
        json={"found": "Litter", "action": "Clear it", "report_ids": [reported.id]},
        headers=officer,
    ).json
    clock.advance(days=30)  # the walk has happened, so it can be closed
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    ids = {"inspection_id": walk["id"], "finding_id": finding["id"], "report_id": reported.id}
    known = {name: id for name, id in ids.items() if f"{{{name}}}" in path}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.NEGATIVE),
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known),
    )

    @given(case=cases)
    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=officer,
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    call()
