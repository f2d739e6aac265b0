"""The mystery-shopping API: check-ins without who gave them unless granted; the figures."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from models.staff import StaffUser
from models.tenants import Tenant
from tests.factories import create_tenant
from tests.helpers import Phone

Token = Callable[[str], dict[str, str]]
CHECK_INS = "/api/v1/mystery-shopping/check-ins"
NAME = "Ann Smith"


@pytest.fixture
def shopper(db: Session, phone: Phone) -> Tenant:
    tenant = create_tenant(db, name=NAME, phone=phone.number)
    tenant.set_roles({"mystery_shopper"})
    db.commit()
    return tenant


def shop(phone: Phone) -> None:
    """Office, this week, ease 2, respect 4, partly sorted, two comments."""
    for reply in ("SHOP", "2", "1", "2", "4", "2", "Nobody at the desk", "More staff"):
        phone.text(reply)


def test_check_ins_come_without_the_shopper_unless_granted(
    client: FlaskClient, api_token: Token, db: Session, phone: Phone, shopper: Tenant
) -> None:
    shop(phone)
    headers = api_token("viewer")

    body = client.get(CHECK_INS, query_string={"month": "2026-03"}, headers=headers).get_json()

    assert body["total"] == 1
    (item,) = body["items"]
    assert item["shopper"] is None and NAME not in str(body)
    assert (item["service"], item["ease"], item["respect"], item["sorted_out"]) == (
        "office",
        2,
        4,
        "partly",
    )
    assert item["what_happened"] == "Nobody at the desk"
    # The day only, and no channel: a minute or a rare channel could point at the shopper.
    assert item["started_at"] == item["finished_at"] == "2026-03-03" and item["channel"] is None

    db.execute(
        update(StaffUser).where(StaffUser.email.like("api-viewer-%")).values(may_see_shoppers=True)
    )
    db.commit()
    granted = client.get(CHECK_INS, headers=headers).get_json()
    assert granted["items"][0]["shopper"] == {"id": shopper.id, "name": NAME}
    assert granted["items"][0]["finished_at"].startswith("2026-03-03T10:00")
    assert granted["items"][0]["channel"] == "sms"


def test_check_ins_of_another_month_are_left_out(
    client: FlaskClient, api_token: Token, phone: Phone, shopper: Tenant
) -> None:
    shop(phone)

    body = client.get(
        CHECK_INS, query_string={"month": "2026-02"}, headers=api_token("viewer")
    ).get_json()

    assert body == {"items": [], "total": 0, "limit": 50, "offset": 0}


@pytest.mark.parametrize("month", ["March", "2026-3", "2026-13", "2026-03\n", ""])
def test_a_month_not_written_as_year_and_month_is_refused(
    client: FlaskClient, api_token: Token, month: str
) -> None:
    response = client.get(CHECK_INS, query_string={"month": month}, headers=api_token("viewer"))

    assert response.status_code == 400
    assert response.get_json()["error"] == "month: must be YYYY-MM, such as 2026-03"


def test_the_summary_gives_the_years_rates_counts_and_averages(
    client: FlaskClient, api_token: Token, phone: Phone, shopper: Tenant
) -> None:
    shop(phone)

    body = client.get(
        "/api/v1/mystery-shopping/summary", query_string={"year": 2026}, headers=api_token("viewer")
    ).get_json()

    assert body["year"] == 2026 and body["responses"] == 1
    assert {"month": "2026-03", "finished": 1, "asked": 1} in body["months"]
    assert body["results"] == [
        {
            "month": "2026-03",
            "service": "office",
            "responses": 1,
            "average_ease": 2.0,
            "average_respect": 4.0,
            "sorted_yes": 0,
            "sorted_partly": 1,
            "sorted_no": 0,
        }
    ]


def test_a_summary_for_a_year_out_of_range_is_refused(
    client: FlaskClient, api_token: Token
) -> None:
    response = client.get(
        "/api/v1/mystery-shopping/summary", query_string={"year": "1"}, headers=api_token("viewer")
    )

    assert response.status_code == 400


def test_a_check_in_and_the_summary_have_exactly_the_fields_their_schemas_document(
    client: FlaskClient, api_token: Token, phone: Phone, shopper: Tenant
) -> None:
    shop(phone)
    headers = api_token("viewer")
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]

    (check_in,) = client.get(CHECK_INS, headers=headers).get_json()["items"]
    summary = client.get("/api/v1/mystery-shopping/summary", headers=headers).get_json()

    assert set(check_in) == set(schemas["CheckIn"]["required"])
    assert set(summary) == set(schemas["MysteryShopSummary"]["required"])
    assert set(summary["months"][0]) == set(schemas["MysteryShopMonth"]["required"])
    assert set(summary["results"][0]) == set(schemas["MysteryShopResult"]["required"])
    assert summary["year"] == 2026 and len(summary["months"]) == 12  # this year, by default
