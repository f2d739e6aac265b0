"""The tenants API: search, read, add, change, import; and every way a request is refused."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.staff import ApiToken, hash_token
from models.tenants import Identity, Tenant
from tests.factories import create_area, create_tenant
from tests.helpers import Phone

Headers = Callable[[str], dict[str, str]]

IMPORT_CSV = (
    "name,phone,area,tenancy,language,roles,telegram_chat_id,landline_only\n"
    "Ann Example,07700 900181,Templehall,T-1,en,voices;tra_rep,,\n"
    "Bob Example,not a number,Templehall,T-2,en,,,\n"
    "Cat Example,+44 7700 900182,Dysart,T-3,pl,member,,\n"
    "Dan Example,01632 960123,Dysart,T-4,en,,,yes\n"
)


def ann(**overrides: Any) -> dict[str, Any]:
    return {"name": "Ann Example", "phone": "07700 900181", **overrides}


def test_listing_tenants_without_a_token_is_refused_with_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/tenants")
    assert response.status_code == 401
    assert response.json == {"error": "send Authorization: Bearer <your API token>", "status": 401}


def test_a_revoked_token_is_refused_with_401(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    headers = api_token("admin")
    assert client.get("/api/v1/tenants", headers=headers).status_code == 200
    token = headers["Authorization"].removeprefix("Bearer ")
    db.execute(
        update(ApiToken)
        .where(ApiToken.token_hash == hash_token(token))
        .values(revoked_at=datetime(2026, 3, 1, tzinfo=UTC))
    )
    response = client.get("/api/v1/tenants", headers=headers)
    assert response.status_code == 401
    assert "revoked" in response.json["error"]


def test_a_made_up_token_is_refused_with_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/tenants", headers={"Authorization": "Bearer made-up"})
    assert response.status_code == 401


def test_a_viewer_reads_a_page_of_tenants_with_total_limit_and_offset(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    for name in ("Cara", "Abe", "Dee", "Bea", "Eve"):
        create_tenant(db, name=name)
    db.commit()
    response = client.get("/api/v1/tenants?limit=2&offset=1", headers=api_token("viewer"))
    assert response.status_code == 200
    page = response.json
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [t["name"] for t in page["items"]] == ["Bea", "Cara"]


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=abc", "limit=201", "offset=-1", "offset=x", f"offset={2**63}"],
)
def test_paging_out_of_bounds_is_refused_with_400(
    client: FlaskClient, api_token: Headers, query: str
) -> None:
    response = client.get(f"/api/v1/tenants?{query}", headers=api_token("viewer"))
    assert response.status_code == 400
    assert query.split("=")[0] in response.json["error"]


def test_tenants_are_found_by_name_by_phone_in_any_form_and_by_estate(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    templehall = create_area(db, name="Templehall")
    create_tenant(db, name="Ann Smith", phone="+447700900181", area=templehall)
    create_tenant(db, name="Bob Jones", phone="+447700900182")
    db.commit()
    headers = api_token("viewer")

    def names(q: str) -> list[str]:
        response = client.get("/api/v1/tenants", query_string={"q": q}, headers=headers)
        return [t["name"] for t in response.json["items"]]

    assert names("smith") == ["Ann Smith"]
    assert names("07700 900182") == ["Bob Jones"]
    assert names("temple") == ["Ann Smith"]
    assert names("nobody at all") == []
    assert names("Smith\x00") == ["Ann Smith"]  # PostgreSQL refuses NUL; it is dropped


def test_tenants_are_filtered_by_area_and_by_waiting_for_verification(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    dysart = create_area(db, name="Dysart")
    create_tenant(db, name="In Dysart", area=dysart).verified = True
    create_tenant(db, name="Unverified")
    create_tenant(db, name="Not registered", registered=False)
    db.commit()
    headers = api_token("viewer")
    by_area = client.get(f"/api/v1/tenants?area_id={dysart.id}", headers=headers).json
    assert [t["name"] for t in by_area["items"]] == ["In Dysart"] and by_area["total"] == 1
    waiting = client.get("/api/v1/tenants?unverified=true", headers=headers).json
    assert [t["name"] for t in waiting["items"]] == ["Unverified"]
    for flag, total in (("TRUE", 1), ("1", 1), ("False", 3), ("0", 3)):
        answer = client.get(f"/api/v1/tenants?unverified={flag}", headers=headers).json
        assert answer["total"] == total, flag


@pytest.mark.parametrize(
    ("query", "field"),
    [("area_id=abc", "area_id"), ("area_id=0", "area_id"), ("unverified=maybe", "unverified")],
)
def test_bad_filters_are_refused_with_400_naming_them(
    client: FlaskClient, api_token: Headers, query: str, field: str
) -> None:
    response = client.get(f"/api/v1/tenants?{query}", headers=api_token("viewer"))
    assert response.status_code == 400 and response.json["error"].startswith(field)


def test_an_officer_adds_a_tenant_with_the_phone_stored_as_e164(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    area = create_area(db, name="Templehall")
    db.commit()
    body = ann(area_id=area.id, tenancy="T-1001", language="pl", roles=["voices", "tra_rep"])
    response = client.post("/api/v1/tenants", json=body, headers=api_token("officer"))
    assert response.status_code == 201
    tenant = response.json
    assert response.headers["Location"] == f"/api/v1/tenants/{tenant['id']}"
    assert tenant["phone"] == "+447700900181"
    assert tenant["area"] == {"id": area.id, "name": "Templehall"}
    assert tenant["roles"] == ["tra_rep", "voices"]
    assert (tenant["registered"], tenant["verified"], tenant["landline_only"]) == (
        True,
        True,
        False,
    )
    assert tenant["channels"] == [{"channel": "sms", "address": "+447700900181", "reachable": True}]
    assert tenant["created_at"] == "2026-03-03T10:00:00+00:00"
    again = client.get(response.headers["Location"], headers=api_token("viewer"))
    assert again.json == tenant


def test_a_landline_only_tenant_is_added_with_calls_and_no_sms(
    client: FlaskClient, api_token: Headers
) -> None:
    body = {"name": "Dan", "phone": "01632 960123", "landline_only": True}
    response = client.post("/api/v1/tenants", json=body, headers=api_token("officer"))
    assert response.status_code == 201
    assert response.json["phone"] == "+441632960123"
    assert response.json["channels"] == [
        {"channel": "voice", "address": "+441632960123", "reachable": True}
    ]


def test_a_viewer_may_not_add_a_tenant(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    response = client.post("/api/v1/tenants", json=ann(), headers=api_token("viewer"))
    assert response.status_code == 403 and "officer" in response.json["error"]
    assert db.scalar(select(func.count(Tenant.id))) == 0


def test_adding_a_tenant_whose_number_is_already_known_is_a_conflict(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers
) -> None:
    phone.text("Hi")  # a stranger's number becomes an unregistered tenant
    stranger = db.scalar(select(Tenant).where(Tenant.phone == phone.number))
    assert stranger is not None
    body = {"name": "Someone", "phone": "07700 900123"}
    response = client.post("/api/v1/tenants", json=body, headers=api_token("officer"))
    assert response.status_code == 409
    assert response.json["error"].startswith("phone") and str(stranger.id) in response.json["error"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"phone": "07700 900181"}, 400, "name"),
        ({"name": "Ann"}, 400, "phone"),
        (ann(name=""), 400, "name"),
        (ann(name="   "), 400, "name"),
        (ann(name="x" * 121), 400, "name"),
        (ann(name=42), 400, "name"),
        (ann(name="Ann\x00"), 400, "name"),
        (ann(name="\ud800"), 400, "name"),
        (ann(phone="12"), 422, "phone"),
        (ann(phone="0" * 5000), 400, "phone"),
        (ann(phone=7700900181), 400, "phone"),
        (ann(area_id=999), 422, "area_id"),
        (ann(area_id=2**80), 422, "area_id"),
        (ann(area_id="1"), 400, "area_id"),
        (ann(area_id=True), 400, "area_id"),
        (ann(tenancy="T" * 41), 400, "tenancy"),
        (ann(language="xx"), 422, "language"),
        (ann(language=["en"]), 400, "language"),
        (ann(roles=["overlord"]), 422, "roles"),
        (ann(roles="voices"), 400, "roles"),
        (ann(roles=[1]), 400, "roles"),
        (ann(roles=[None]), 400, "roles"),
        (ann(landline_only="yes"), 400, "landline_only"),
        (ann(landline_only=1), 400, "landline_only"),  # 1 == True, but it is no JSON true
        (ann(area_id=1.5), 400, "area_id"),
        (ann(verified=True), 400, "verified"),  # staff-added tenants are verified already
        (ann(nickname="Annie"), 400, "nickname"),
    ],
)
def test_bad_tenant_input_is_refused_with_the_reason_naming_the_field(
    client: FlaskClient,
    db: Session,
    api_token: Headers,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    response = client.post("/api/v1/tenants", json=body, headers=api_token("officer"))
    assert response.status_code == status, response.json
    assert response.json["error"].startswith(field)
    assert response.json["status"] == status
    assert db.scalar(select(func.count(Tenant.id))) == 0


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ('"Ann"', "application/json"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        ('{"name": "Ann"}', "text/plain"),
        ("", "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused_with_400(
    client: FlaskClient, api_token: Headers, data: str, content_type: str
) -> None:
    response = client.post(
        "/api/v1/tenants", data=data, content_type=content_type, headers=api_token("officer")
    )
    assert response.status_code == 400 and response.json["error"] == "send a JSON object"


def test_reading_a_tenant_that_does_not_exist_is_404_with_a_reason(
    client: FlaskClient, api_token: Headers
) -> None:
    response = client.get("/api/v1/tenants/4242", headers=api_token("viewer"))
    assert response.status_code == 404
    assert response.json == {"error": "There is no tenant number 4242.", "status": 404}
    too_big = client.get(f"/api/v1/tenants/{2**64}", headers=api_token("viewer"))
    assert too_big.status_code == 404


def test_changing_a_tenant_changes_only_the_fields_given(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    tenant = create_tenant(db, name="Ann", language="en")
    area = create_area(db, name="Dysart")
    db.commit()
    response = client.patch(
        f"/api/v1/tenants/{tenant.id}",
        json={"area_id": area.id, "roles": ["member"], "tenancy": None},
        headers=api_token("officer"),
    )
    assert response.status_code == 200
    changed = response.json
    assert changed["area"] == {"id": area.id, "name": "Dysart"}
    assert (changed["name"], changed["language"], changed["roles"]) == ("Ann", "en", ["member"])
    cleared = client.patch(
        f"/api/v1/tenants/{tenant.id}", json={"area_id": None}, headers=api_token("admin")
    )
    assert cleared.json["area"] is None and cleared.json["roles"] == ["member"]


def test_a_token_that_may_not_see_shoppers_neither_sees_nor_gives_nor_takes_the_role(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    tenant = create_tenant(db, name="Ann", language="en")
    tenant.set_roles({"mystery_shopper", "voices"})
    db.commit()
    headers, path = api_token("officer"), f"/api/v1/tenants/{tenant.id}"
    assert client.get(path, headers=headers).json["roles"] == ["voices"]

    changed = client.patch(path, json={"roles": ["member"]}, headers=headers)
    refused = client.patch(path, json={"roles": ["mystery_shopper"]}, headers=headers)
    created = client.post("/api/v1/tenants", json=ann(roles=["mystery_shopper"]), headers=headers)

    assert changed.status_code == 200 and changed.json["roles"] == ["member"]
    assert refused.status_code == 403 and refused.json["error"].startswith("roles: only staff")
    assert created.status_code == 403
    db.expire_all()
    assert db.get_one(Tenant, tenant.id).role_names == {"mystery_shopper", "member"}
    assert db.scalar(select(func.count(Tenant.id))) == 1


def test_staff_verify_a_tenant_who_registered_by_text(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    tenant = create_tenant(db, name="Texted In")
    db.commit()
    headers = api_token("officer")
    assert client.get("/api/v1/tenants?unverified=true", headers=headers).json["total"] == 1
    response = client.patch(
        f"/api/v1/tenants/{tenant.id}", json={"verified": True}, headers=headers
    )
    assert response.status_code == 200 and response.json["verified"] is True
    assert client.get("/api/v1/tenants?unverified=true", headers=headers).json["total"] == 0


def test_a_new_phone_number_takes_the_sms_channel_with_it(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    tenant = create_tenant(db, phone="+447700900181", channels=("sms", "telegram"))
    db.commit()
    response = client.patch(
        f"/api/v1/tenants/{tenant.id}", json={"phone": "07700900189"}, headers=api_token("officer")
    )
    assert response.status_code == 200
    assert response.json["phone"] == "+447700900189"
    sms = [c["address"] for c in response.json["channels"] if c["channel"] == "sms"]
    assert sms == ["+447700900189"]
    assert len(response.json["channels"]) == 2


def test_changing_to_another_tenants_number_is_a_conflict(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    first = create_tenant(db, phone="+447700900181")
    second = create_tenant(db, phone="+447700900182")
    db.commit()
    response = client.patch(
        f"/api/v1/tenants/{second.id}", json={"phone": "07700 900181"}, headers=api_token("officer")
    )
    assert response.status_code == 409 and str(first.id) in response.json["error"]
    db.expire_all()
    assert db.get(Tenant, second.id).phone == "+447700900182"  # type: ignore[union-attr]


def test_a_tenant_marked_landline_only_is_held_unreachable_by_sms_and_back(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    tenant = create_tenant(db, phone="+447700900181")
    db.commit()
    headers, path = api_token("officer"), f"/api/v1/tenants/{tenant.id}"
    landline = client.patch(path, json={"landline_only": True}, headers=headers).json
    assert landline["channels"] == [
        {"channel": "sms", "address": "+447700900181", "reachable": False},
        {"channel": "voice", "address": "+447700900181", "reachable": True},
    ]
    mobile = client.patch(path, json={"landline_only": False}, headers=headers).json
    assert mobile["channels"][0]["reachable"] is True


def test_changing_a_tenant_that_does_not_exist_is_404(
    client: FlaskClient, api_token: Headers
) -> None:
    response = client.patch("/api/v1/tenants/77", json={"name": "X"}, headers=api_token("officer"))
    assert response.status_code == 404 and "77" in response.json["error"]


def test_a_viewer_may_not_change_a_tenant(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    tenant = create_tenant(db, name="Ann")
    db.commit()
    response = client.patch(
        f"/api/v1/tenants/{tenant.id}", json={"name": "Changed"}, headers=api_token("viewer")
    )
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Tenant, tenant.id).name == "Ann"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": None}, 400, "name"),
        ({"name": "Changed", "phone": None}, 400, "phone"),
        ({"name": "Changed", "verified": "true"}, 400, "verified"),
        ({"name": "Changed", "roles": ["member", "pope"]}, 422, "roles"),
        ({"name": "Changed", "id": 5}, 400, "id"),
    ],
)
def test_bad_changes_are_refused_with_the_field_named_and_nothing_kept(
    client: FlaskClient,
    db: Session,
    api_token: Headers,
    body: dict[str, Any],
    status: int,
    field: str,
) -> None:
    tenant = create_tenant(db, name="Ann")
    db.commit()
    response = client.patch(f"/api/v1/tenants/{tenant.id}", json=body, headers=api_token("officer"))
    assert response.status_code == status and response.json["error"].startswith(field)
    db.expire_all()
    assert db.get(Tenant, tenant.id).name == "Ann"  # type: ignore[union-attr]


def test_importing_a_csv_body_adds_good_lines_and_reports_bad_ones(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    response = client.post(
        "/api/v1/tenants/import",
        data=IMPORT_CSV.encode(),
        content_type="text/csv",
        headers=api_token("officer"),
    )
    assert response.status_code == 200
    report = response.json
    assert report["added"] == [2, 4, 5] and report["updated"] == []
    assert [r["line"] for r in report["rejected"]] == [3]
    assert report["rejected"][0]["reason"].startswith("phone")
    assert report["summary"] == "3 added, 0 updated, 0 unchanged, 1 rejected"
    assert db.scalar(select(func.count(Tenant.id))) == 3


def test_importing_a_multipart_file_twice_updates_and_never_duplicates(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    headers = api_token("officer")

    def upload() -> dict[str, Any]:
        form = {"file": (io.BytesIO(IMPORT_CSV.encode()), "tenants.csv", "text/csv")}
        response = client.post("/api/v1/tenants/import", data=form, headers=headers)
        assert response.status_code == 200
        return response.json

    assert upload()["added"] == [2, 4, 5]
    again = upload()
    assert again["added"] == again["updated"] == [] and again["unchanged"] == [2, 4, 5]
    assert db.scalar(select(func.count(Tenant.id))) == 3
    assert db.scalar(select(func.count(Identity.id))) == 3  # the landline: a call, not a text


def test_an_import_that_is_not_a_csv_is_refused_with_the_reason(
    client: FlaskClient, api_token: Headers
) -> None:
    headers = api_token("officer")
    as_json = client.post("/api/v1/tenants/import", json={"csv": "x"}, headers=headers)
    assert as_json.status_code == 415 and "text/csv" in as_json.json["error"]
    no_file = client.post(
        "/api/v1/tenants/import",
        data={"other": "x"},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert no_file.status_code == 400 and no_file.json["error"].startswith("file")
    no_columns = client.post(
        "/api/v1/tenants/import",
        data=b"name,phone\nAnn,07700900181\n",
        headers=headers,
        content_type="text/csv",
    )
    assert no_columns.status_code == 422 and "missing columns" in no_columns.json["error"]
    not_utf8 = client.post(
        "/api/v1/tenants/import",
        data="name\n\xe9".encode("latin-1"),
        headers=headers,
        content_type="text/csv",
    )
    assert not_utf8.status_code == 422 and "UTF-8" in not_utf8.json["error"]


def test_a_viewer_may_not_import_tenants(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    response = client.post(
        "/api/v1/tenants/import",
        data=IMPORT_CSV,
        content_type="text/csv",
        headers=api_token("viewer"),
    )
    assert response.status_code == 403
    assert db.scalar(select(func.count(Tenant.id))) == 0


def test_an_import_row_with_values_too_long_to_keep_is_rejected_by_line(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    csv = (
        "name,phone,area,tenancy,language,roles,telegram_chat_id\n"
        f"Ann,07700 900181,Dysart,{'T' * 60},en,,\n"
        f"Bob,07700 900182,Dysart,T-2,en,,{'9' * 80}\n"
    )
    response = client.post(
        "/api/v1/tenants/import", data=csv, content_type="text/csv", headers=api_token("officer")
    )
    assert response.status_code == 200
    reasons = {entry["line"]: entry["reason"] for entry in response.json["rejected"]}
    assert "tenancy is longer than 40" in reasons[2] and "telegram_chat_id" in reasons[3]
    assert db.scalar(select(func.count(Tenant.id))) == 0


HEADER = "name,phone,area,tenancy,language,roles"


def test_an_import_the_csv_reader_cannot_take_is_refused_not_a_server_error(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    csv = f'{HEADER}\n"{"x" * 140_000}",07700 900181,,,en,\n'

    response = client.post(
        "/api/v1/tenants/import", data=csv, content_type="text/csv", headers=api_token("officer")
    )
    assert response.status_code == 422
    assert (
        response.json["error"].startswith("file") and "nothing was kept" in response.json["error"]
    )
    assert db.scalar(select(func.count(Tenant.id))) == 0


def test_a_body_over_a_megabyte_is_refused_with_413(
    client: FlaskClient, api_token: Headers
) -> None:
    body = {"name": "A" * 2_000_000, "phone": "07700 900181"}
    response = client.post("/api/v1/tenants", json=body, headers=api_token("officer"))
    assert response.status_code == 413 and response.json["status"] == 413


def test_an_import_with_old_mac_line_endings_is_read(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    csv = f"{HEADER}\rAnn,07700 900181,,,en,\r".replace("\n", "\r")
    response = client.post(
        "/api/v1/tenants/import", data=csv, content_type="text/csv", headers=api_token("officer")
    )
    assert response.status_code == 200 and response.json["added"] == [2]


def test_an_import_with_nul_characters_keeps_the_rows_without_them(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    csv = f"{HEADER}\nA\x00nn,07700 900181,Dys\x00art,,en,\n"
    response = client.post(
        "/api/v1/tenants/import", data=csv, content_type="text/csv", headers=api_token("officer")
    )
    assert response.status_code == 200
    tenant = db.scalars(select(Tenant)).one()
    assert tenant.name == "Ann" and tenant.area is not None and tenant.area.name == "Dysart"


def documented(client: FlaskClient, name: str) -> dict[str, Any]:
    schema: dict[str, Any] = client.get("/api/v1/openapi.json").json["components"]["schemas"][name]
    return schema


def test_a_tenant_is_answered_with_exactly_the_fields_its_schema_documents(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    area = create_area(db, name="Templehall")
    tenant = create_tenant(db, name="Ann", area=area, channels=("sms", "telegram"))
    db.commit()
    answer = client.get(f"/api/v1/tenants/{tenant.id}", headers=api_token("viewer")).json
    assert set(answer) == set(documented(client, "Tenant")["required"])
    assert set(answer["area"]) == set(documented(client, "AreaRef")["required"])
    for channel in answer["channels"]:
        assert set(channel) == set(documented(client, "ChannelIdentity")["required"])


def test_a_record_and_an_erasure_are_answered_as_their_schemas_document(
    client: FlaskClient, db: Session, api_token: Headers
) -> None:
    tenant = create_tenant(db, name="Ann")
    db.commit()
    path = f"/api/v1/tenants/{tenant.id}"
    record = client.get(f"{path}/record", headers=api_token("officer")).json
    erased = client.delete(path, headers=api_token("admin")).json
    shape = documented(client, "TenantRecord")
    assert shape["required"] == ["tenant"] and record["tenant"]["name"] == "Ann"
    assert set(record) - {"tenant"} <= set(shape["properties"]) and "identities" in record
    assert set(erased) == set(documented(client, "Erasure")["required"])
    assert erased["erased"] == tenant.id and erased["deleted"]["identities"] == 1


def test_the_import_is_documented_as_a_csv_body_or_a_multipart_file(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/tenants/import"]["post"]
    assert operation["operationId"] == "importTenants"
    assert operation["requestBody"]["required"] is True
    assert set(operation["requestBody"]["content"]) == {"text/csv", "multipart/form-data"}
    assert {"415", "422"} <= set(operation["responses"])
