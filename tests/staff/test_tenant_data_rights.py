"""A tenant's data rights, through the console, the API and the command: a copy, and erasure."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from doorstep.cli import main
from models.consent import Consent, ConsentChange, record_consent
from models.inspections import IssueReport
from models.messages import InboundRecord, OutboundRecord
from models.mystery_shopping import MysteryShopCheckIn
from models.repairs import Repair
from models.tenants import Identity, Tenant
from tests.factories import create_area, create_tenant
from tests.helpers import Phone, StaffBrowser

Staff = Callable[[str], StaffBrowser]
Token = Callable[[str], dict[str, str]]


def ann_with_a_history(db: Session, phone: Phone) -> int:
    """Ann, who has texted, opted out of news, answered a check-in and reported an issue."""
    area = create_area(db, name="Methil")
    ann = create_tenant(db, name="Ann Smith", phone=phone.number, area=area)
    db.add_all(
        [
            MysteryShopCheckIn(
                tenant_id=ann.id, month="2026-02", ease=2, respect=4, what_happened="Ann here"
            ),
            Repair(
                tenant_id=ann.id,
                job_reference="J-1",
                job_type="plumbing",
                completed_at=datetime(2026, 2, 2, tzinfo=UTC),
                month="2026-02",
                registered_at=datetime(2026, 2, 2, tzinfo=UTC),
                satisfaction=4,
                comment="Ann at number 12 is happy",
            ),
            IssueReport(
                tenant_id=ann.id,
                area_id=area.id,
                category="lighting",
                location="the stair at 12 High Street",
                description="light out",
                channel="sms",
            ),
        ]
    )
    record_consent(
        db,
        tenant_id=ann.id,
        channel="sms",
        topic="news",
        granted=False,
        source="console",
        wording_version="en:consent.news:0",
        now=datetime(2026, 2, 1, tzinfo=UTC),
    )
    db.commit()
    phone.text("MENU")
    phone.text("Please ring me about my rent")
    return ann.id


def count(db: Session, model: type[object], *where: object) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_an_officer_downloads_everything_held_about_a_tenant_as_json(
    db: Session, phone: Phone, staff_as: Staff
) -> None:
    ann_id = ann_with_a_history(db, phone)
    response = staff_as("officer").client.get(f"/staff/tenants/{ann_id}/record.json")

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    record = json.loads(response.get_data(as_text=True))
    assert record["tenant"]["name"] == "Ann Smith"
    assert [i["address"] for i in record["identities"]] == [phone.number]
    bodies = [message["body"] for message in record["inbound_messages"]]
    assert bodies == ["MENU", "Please ring me about my rent"]
    assert len(record["outbound_messages"]) >= 2
    assert record["mystery_shop_check_ins"][0]["what_happened"] == "Ann here"
    assert record["issue_reports"][0]["location"] == "the stair at 12 High Street"
    assert record["consent_log"][0]["topic"] == "news"


def test_erasing_asks_for_the_name_and_keeps_answers_only_as_anonymous_figures(
    db: Session, phone: Phone, staff_as: Staff
) -> None:
    ann_id = ann_with_a_history(db, phone)
    admin = staff_as("admin")
    page = f"/staff/tenants/{ann_id}/erase"

    wrong = admin.submit(page, page, {"name": "Anne Smith"})
    assert wrong.status_code == 200 and "nothing was erased" in wrong.get_data(as_text=True)
    assert count(db, Tenant, Tenant.id == ann_id) == 1

    done = admin.submit(page, page, {"name": " ann  smith "})
    assert done.status_code == 302

    assert count(db, Tenant, Tenant.id == ann_id) == 0
    assert count(db, Identity) == 0
    assert count(db, InboundRecord) == 0 and count(db, OutboundRecord) == 0
    assert count(db, Consent) == 0 and count(db, ConsentChange) == 0
    check_in = db.scalars(select(MysteryShopCheckIn)).one()
    assert (check_in.tenant_id, check_in.ease, check_in.what_happened) == (None, 2, None)
    repair = db.scalars(select(Repair)).one()
    assert (repair.tenant_id, repair.satisfaction, repair.comment) == (None, 4, None)
    report = db.scalars(select(IssueReport)).one()
    assert report.tenant_id is None and report.location == "the stair at 12 High Street"


def test_only_admins_may_erase_and_officers_may_not_even_see_the_form(
    db: Session, phone: Phone, staff_as: Staff
) -> None:
    ann_id = ann_with_a_history(db, phone)
    officer = staff_as("officer")
    assert officer.client.get(f"/staff/tenants/{ann_id}/erase").status_code == 403
    assert "Erase on request" not in officer.client.get(f"/staff/tenants/{ann_id}").get_data(
        as_text=True
    )
    assert staff_as("viewer").client.get(f"/staff/tenants/{ann_id}/record.json").status_code == 403


def test_the_api_gives_the_record_to_officers_and_erases_for_admins_only(
    client: FlaskClient, db: Session, phone: Phone, api_token: Token
) -> None:
    ann_id = ann_with_a_history(db, phone)
    record = client.get(f"/api/v1/tenants/{ann_id}/record", headers=api_token("officer"))
    assert record.status_code == 200 and record.json is not None
    assert record.json["tenant"]["phone"] == phone.number

    refused = client.delete(f"/api/v1/tenants/{ann_id}", headers=api_token("officer"))
    assert refused.status_code == 403
    erased = client.delete(f"/api/v1/tenants/{ann_id}", headers=api_token("admin"))
    assert erased.status_code == 200 and erased.json is not None
    assert erased.json["kept_anonymous"] == {
        "mystery_shop_check_ins": 1,
        "issue_reports": 1,
        "repairs": 1,
    }
    assert erased.json["deleted"]["inbound_messages"] == 2

    again = client.delete(f"/api/v1/tenants/{ann_id}", headers=api_token("admin"))
    assert again.status_code == 404
    assert (
        client.get(f"/api/v1/tenants/{ann_id}/record", headers=api_token("officer")).status_code
        == 404
    )


def test_the_command_exports_and_erases_after_asking(app: Flask, db: Session, phone: Phone) -> None:
    ann_id = ann_with_a_history(db, phone)
    runner = app.test_cli_runner()

    exported = runner.invoke(main, ["tenants", "export", str(ann_id)])
    assert exported.exit_code == 0 and json.loads(exported.output)["tenant"]["id"] == ann_id

    declined = runner.invoke(main, ["tenants", "erase", str(ann_id)], input="n\n")
    assert declined.exit_code == 1 and count(db, Tenant, Tenant.id == ann_id) == 1
    erased = runner.invoke(main, ["tenants", "erase", str(ann_id)], input="y\n")
    assert erased.exit_code == 0 and "mystery_shop_check_ins" in erased.output
    assert count(db, Tenant, Tenant.id == ann_id) == 0

    missing = runner.invoke(main, ["tenants", "export", str(ann_id)])
    assert missing.exit_code == 1 and "no tenant" in missing.output
