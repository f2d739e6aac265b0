"""The areas API: estates with their homes and tenant counts; unique names; refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.tenants import Area
from tests.factories import create_area, create_tenant

Headers = Callable[[str], dict[str, str]]


def test_listing_areas_without_a_token_is_refused_with_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/areas")
    assert response.status_code == 401 and response.json["status"] == 401


def test_areas_are_listed_by_name_with_homes_and_how_many_tenants_live_there(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    templehall = create_area(db, name="Templehall")
    templehall.homes = 420
    dysart = create_area(db, name="Dysart")
    create_area(db, name="Kinghorn")
    for _ in range(3):
        create_tenant(db, area=templehall)
    create_tenant(db, area=dysart)
    db.commit()
    page = client.get("/api/v1/areas?limit=2", headers=api_token("viewer")).json
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 0)
    assert [(a["name"], a["tenants"]) for a in page["items"]] == [("Dysart", 1), ("Kinghorn", 0)]
    rest = client.get("/api/v1/areas?offset=2", headers=api_token("viewer")).json
    assert [(a["name"], a["homes"], a["tenants"]) for a in rest["items"]] == [
        ("Templehall", 420, 3)
    ]


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "offset=-5", "offset=2147483648"])
def test_paging_areas_out_of_bounds_is_refused_with_400_naming_the_argument(
    client: FlaskClient, api_token: Headers, query: str
) -> None:
    response = client.get(f"/api/v1/areas?{query}", headers=api_token("viewer"))
    assert response.status_code == 400
    assert response.json["error"].startswith(query.split("=")[0] + ": ")


def test_an_area_is_answered_with_exactly_its_fields(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    area = create_area(db, name="Dysart")
    area.postcode_prefixes, area.homes = "KY1,KY2 3", 12
    create_tenant(db, area=area)
    db.commit()
    response = client.get(f"/api/v1/areas/{area.id}", headers=api_token("viewer"))
    assert response.json == {
        "id": area.id,
        "name": "Dysart",
        "postcode_prefixes": ["KY1", "KY2 3"],
        "homes": 12,
        "tenants": 1,
        "created_at": area.created_at.isoformat(),
    }


def test_one_area_is_read_with_its_tenant_count(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    area = create_area(db, name="Dysart")
    create_tenant(db, area=area)
    db.commit()
    response = client.get(f"/api/v1/areas/{area.id}", headers=api_token("viewer"))
    assert response.status_code == 200
    assert response.json["name"] == "Dysart" and response.json["tenants"] == 1


def test_reading_an_area_that_does_not_exist_is_404_with_a_reason(
    client: FlaskClient, api_token: Headers
) -> None:
    response = client.get("/api/v1/areas/31", headers=api_token("viewer"))
    assert response.status_code == 404 and response.json["error"] == "There is no area number 31."


def test_an_officer_adds_an_area_with_postcode_prefixes_and_homes(
    client: FlaskClient, api_token: Headers
) -> None:
    body = {"name": " Templehall ", "postcode_prefixes": ["ky1 2", "KY2"], "homes": 420}
    response = client.post("/api/v1/areas", json=body, headers=api_token("officer"))
    assert response.status_code == 201
    area = response.json
    assert response.headers["Location"] == f"/api/v1/areas/{area['id']}"
    assert area["name"] == "Templehall"
    assert area["postcode_prefixes"] == ["KY1 2", "KY2"]
    assert (area["homes"], area["tenants"]) == (420, 0)
    assert client.get(response.headers["Location"], headers=api_token("viewer")).json == area


def test_an_area_name_already_taken_in_any_case_or_spacing_is_a_conflict(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    existing = create_area(db, name="Templehall")
    create_area(db, name="Écosse Court")
    db.commit()
    headers = api_token("officer")
    response = client.post("/api/v1/areas", json={"name": "TEMPLEHALL"}, headers=headers)
    assert response.status_code == 409
    assert response.json["error"].startswith("name") and str(existing.id) in response.json["error"]
    accented = client.post("/api/v1/areas", json={"name": "écosse  court"}, headers=headers)
    assert accented.status_code == 409
    assert db.scalar(select(func.count(Area.id))) == 2


def test_a_viewer_may_not_add_or_change_an_area(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    area = create_area(db, name="Dysart")
    db.commit()
    headers = api_token("viewer")
    assert client.post("/api/v1/areas", json={"name": "New"}, headers=headers).status_code == 403
    changed = client.patch(f"/api/v1/areas/{area.id}", json={"homes": 5}, headers=headers)
    assert changed.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 400, "name"),
        ({"name": ""}, 400, "name"),
        ({"name": "x" * 121}, 400, "name"),
        ({"name": ["Dysart"]}, 400, "name"),
        ({"name": "Dysart\x07"}, 400, "name"),
        ({"name": "Dysart", "homes": -1}, 400, "homes"),
        ({"name": "Dysart", "homes": "12"}, 400, "homes"),
        ({"name": "Dysart", "homes": 2.5}, 400, "homes"),
        ({"name": "Dysart", "homes": 10**30}, 400, "homes"),
        ({"name": "Dysart", "postcode_prefixes": "KY1"}, 400, "postcode_prefixes"),
        ({"name": "Dysart", "postcode_prefixes": ["KY1", "not a postcode"]}, 422, "postcode"),
        ({"name": "Dysart", "postcode_prefixes": ["KY1"] * 200}, 201, ""),  # repeats kept once
        ({"name": "Dysart", "colour": "green"}, 400, "colour"),
    ],
)
def test_bad_area_input_is_refused_with_the_reason_naming_the_field(
    client: FlaskClient, api_token: Headers, body: dict[str, Any], status: int, field: str
) -> None:
    response = client.post("/api/v1/areas", json=body, headers=api_token("officer"))
    assert response.status_code == status, response.json
    if status >= 400:
        assert response.json["error"].startswith(field)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("", "application/json"),
        ("homes=5", "application/x-www-form-urlencoded"),
        ('{"homes": 5', "application/json"),
        ("[5]", "application/json"),
        ("null", "application/json"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),  # deeper than the parser goes
    ],
)
def test_a_change_that_is_not_one_json_object_is_refused_and_changes_nothing(
    client: FlaskClient, db: Session, api_token: Headers, data: str, content_type: str
) -> None:
    area = create_area(db, name="Dysart")
    db.commit()
    response = client.patch(
        f"/api/v1/areas/{area.id}",
        data=data,
        content_type=content_type,
        headers=api_token("officer"),
    )
    assert response.status_code == 400
    assert response.json == {"error": "send a JSON object", "status": 400}
    db.expire_all()
    assert db.get(Area, area.id).homes == 0  # type: ignore[union-attr]


def test_an_area_sent_in_a_body_over_1_mb_is_refused_with_413(
    client: FlaskClient, api_token: Headers
) -> None:
    body = '{"name": "' + "x" * 1_100_000 + '"}'
    response = client.post(
        "/api/v1/areas", data=body, content_type="application/json", headers=api_token("officer")
    )
    assert response.status_code == 413 and response.json["status"] == 413


def test_a_viewer_hears_403_before_any_complaint_about_the_body(
    client: FlaskClient, api_token: Headers
) -> None:
    response = client.post("/api/v1/areas", json={"colour": "green"}, headers=api_token("viewer"))
    assert response.status_code == 403


def test_an_unknown_field_is_named_with_the_fields_there_are(
    client: FlaskClient, api_token: Headers
) -> None:
    body = {"name": "Dysart", "json": 1}  # named as webargs names where input was
    response = client.post("/api/v1/areas", json=body, headers=api_token("officer"))
    assert response.status_code == 400
    assert response.json["error"] == "json: unknown field; send only homes, name, postcode_prefixes"


def test_changing_an_area_keeps_what_is_not_given(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    area = create_area(db, name="Dysart")
    area.postcode_prefixes = "KY1"
    db.commit()
    headers = api_token("officer")
    response = client.patch(f"/api/v1/areas/{area.id}", json={"homes": 88}, headers=headers)
    assert response.status_code == 200
    assert response.json["homes"] == 88 and response.json["postcode_prefixes"] == ["KY1"]
    renamed = client.patch(f"/api/v1/areas/{area.id}", json={"name": "dysart"}, headers=headers)
    assert renamed.status_code == 200 and renamed.json["name"] == "dysart"  # its own name


def test_renaming_an_area_to_another_areas_name_is_a_conflict(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    create_area(db, name="Dysart")
    other = create_area(db, name="Kinghorn")
    db.commit()
    response = client.patch(
        f"/api/v1/areas/{other.id}", json={"name": "Dysart"}, headers=api_token("officer")
    )
    assert response.status_code == 409
    db.expire_all()
    assert db.get(Area, other.id).name == "Kinghorn"  # type: ignore[union-attr]


def test_changing_an_area_that_does_not_exist_is_404(
    client: FlaskClient, api_token: Headers
) -> None:
    response = client.patch("/api/v1/areas/9", json={"homes": 1}, headers=api_token("officer"))
    assert response.status_code == 404 and "9" in response.json["error"]
