"""Staff see and set which topics a tenant gets, in the console and the API, for a tenant
who asked in person or by phone; each change is in the consent log and the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import AuditAction, AuditEntry
from models.consent import ConsentChange
from models.messages import OutboundRecord
from models.tenants import Area, Tenant
from scheduler.dispatcher import Dispatcher
from tests.factories import create_event, create_poll
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, StaffBrowser

Staff = Callable[[str], StaffBrowser]
Token = Callable[[str], dict[str, str]]
FUN_DAY_AT = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
POLL_CLOSES_AT = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
ALL_ON = {"events": True, "surveys": True, "news": True, "inspections": True}


def sent_topics(
    db: Session, tenant: Tenant, dispatcher: Dispatcher, fake_twilio: FakeTwilio
) -> set[str | None]:
    """The topics of what the dispatcher sent the tenant (a topic stopped is held back)."""
    dispatcher.run_once()
    bodies = {message["body"] for message in fake_twilio.sent_to(tenant.phone or "")}
    db.expire_all()
    rows = db.scalars(select(OutboundRecord).where(OutboundRecord.tenant_id == tenant.id))
    return {row.topic for row in rows if row.body in bodies}


def audit_lines(db: Session) -> list[tuple[str, int | None, str]]:
    db.expire_all()
    lines = db.scalars(select(AuditEntry).where(AuditEntry.action == AuditAction.TOPICS_CHANGED))
    return [(line.via, line.tenant_id, line.detail) for line in lines]


def test_an_officer_unticks_event_invitations_and_the_tenant_gets_none_but_still_a_poll(
    staff_as: Staff,
    db: Session,
    tenant: Tenant,
    methil: Area,
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    officer = staff_as("officer")
    edit = f"/staff/tenants/{tenant.id}/edit"
    assert re.search(r'<input checked [^>]*value="events"', officer.client.get(edit).text)
    form = {"name": "Ann", "area": str(methil.id), "language": "en"}
    saved = officer.submit(edit, edit, {**form, "topics": ["surveys", "news", "inspections"]})
    assert saved.status_code == 302

    page = officer.client.get(f"/staff/tenants/{tenant.id}").text
    assert "Event invitations: <strong>stopped</strong>" in page
    assert "Polls and surveys: <strong>yes</strong>" in page
    create_event(db, now=clock(), area=methil, starts_at=FUN_DAY_AT)
    create_poll(db, now=clock(), closes_at=POLL_CLOSES_AT)
    db.commit()
    assert sent_topics(db, tenant, dispatcher, fake_twilio) == {"surveys"}
    assert audit_lines(db) == [("console", tenant.id, "events off")]


def test_saving_the_form_unchanged_logs_nothing(
    staff_as: Staff, db: Session, tenant: Tenant
) -> None:
    officer = staff_as("officer")
    edit = f"/staff/tenants/{tenant.id}/edit"
    everything = ["events", "surveys", "news", "inspections"]
    form = {"name": "Ann", "area": "0", "language": "en", "topics": everything}
    assert officer.submit(edit, edit, form).status_code == 302
    assert audit_lines(db) == []
    assert db.scalars(select(ConsentChange)).all() == []


def test_the_api_shows_topics_and_a_patch_turns_one_off_with_consent_and_audit_lines(
    client: FlaskClient,
    api_token: Token,
    db: Session,
    tenant: Tenant,
    clock: Clock,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    path = f"/api/v1/tenants/{tenant.id}"
    assert client.get(path, headers=api_token("viewer")).json["topics"] == ALL_ON

    changed = client.patch(path, json={"topics": {"surveys": False}}, headers=api_token("officer"))

    assert changed.status_code == 200
    assert changed.json["topics"] == {**ALL_ON, "surveys": False}
    create_poll(db, now=clock(), closes_at=POLL_CLOSES_AT)
    db.commit()
    assert sent_topics(db, tenant, dispatcher, fake_twilio) == set()
    logged = db.scalars(select(ConsentChange).where(ConsentChange.tenant_id == tenant.id)).all()
    assert {(row.topic, row.granted, row.wording_version) for row in logged} == {
        ("surveys", False, "staff")
    }
    assert all(row.source.startswith("staff ") and row.source.endswith("by api") for row in logged)
    assert audit_lines(db) == [("api", tenant.id, "surveys off")]

    again = client.patch(path, json={"topics": {"surveys": True}}, headers=api_token("officer"))
    assert again.json["topics"] == ALL_ON


def test_an_unknown_topic_or_a_value_not_true_or_false_is_a_400_naming_the_field(
    client: FlaskClient, api_token: Token, tenant: Tenant
) -> None:
    path = f"/api/v1/tenants/{tenant.id}"
    for topics in ({"gossip": False}, {"news": "no"}, ["news"]):
        refused = client.patch(path, json={"topics": topics}, headers=api_token("officer"))
        assert refused.status_code == 400, topics
        assert "topics" in refused.json["error"]


def test_a_viewer_may_not_change_topics(
    client: FlaskClient, api_token: Token, db: Session, tenant: Tenant
) -> None:
    path = f"/api/v1/tenants/{tenant.id}"
    refused = client.patch(path, json={"topics": {"news": False}}, headers=api_token("viewer"))
    assert refused.status_code == 403
    assert db.scalars(select(ConsentChange)).all() == []
