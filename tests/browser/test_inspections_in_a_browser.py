"""An estate inspection in a real browser: book it, open it, record a finding, close it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.inspections import Inspection, IssueReport, file_report
from tests.browser.conftest import ARTEFACTS
from tests.conftest import STAFF_PASSWORD, make_staff
from tests.factories import create_area, create_tenant
from tests.helpers import Clock, authenticator_code


def test_an_officer_books_an_inspection_records_a_finding_against_a_report_and_closes_it(
    page: Any, app: Flask, sessions: sessionmaker[Session], db: Session, clock: Clock
) -> None:
    make_staff(sessions, "officer@fhg.example", "officer")
    methil = create_area(db, name="Methil")
    tenant = create_tenant(db, name="Morag Campbell", area=methil)
    reference = file_report(
        db,
        tenant=tenant,
        category="lighting",
        location="Close at 12 Wellesley Road",
        description="The stair light has been out for a week",
        photo_ids=[],
        channel="sms",
        now=clock(),
    ).reference
    db.commit()

    page.goto("/staff/")
    page.get_by_label("Email").fill("officer@fhg.example")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(authenticator_code(app, "officer@fhg.example"))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inspections").click()
    assert (
        reference
        in page.get_by_role("heading", name="Tenant reports waiting for a walk")
        .locator("xpath=following-sibling::ul[1]")
        .inner_text()
    )

    page.get_by_role("link", name="Book an inspection").click()
    page.get_by_label("Area").select_option(label="Methil")
    page.get_by_label("Date").fill("2026-04-14")
    page.get_by_label("Start time").fill("10:30")
    page.get_by_label("Meeting point").fill("Outside the Co-op, Wellesley Road")
    page.get_by_label("Officer leading the walk").fill("Jean Brown")
    page.get_by_role("button", name="Book the inspection").click()
    page.get_by_role("heading", name="Inspection of Methil").wait_for()
    assert "14 Apr 2026, 10:30" in page.content()

    page.get_by_label("What was found").fill("Stair light out at 12 Wellesley Road")
    page.get_by_label("Action agreed").fill("Electrician to replace the fitting")
    page.get_by_label("Who is responsible").fill("Repairs team")
    page.get_by_label("To be done by").fill("2026-04-28")
    page.get_by_label(f"{reference}: Close at 12 Wellesley Road").check()
    page.get_by_role("button", name="Record the finding").click()
    page.get_by_text("Recorded the finding.").wait_for()

    clock.now = datetime(2026, 4, 14, 12, 0, tzinfo=UTC)  # the walk is over
    page.get_by_role("link", name="Close the inspection").click()
    assert "1 tenant of Methil will get a short summary" in page.content()
    page.get_by_role("button", name="Close the inspection and tell tenants").click()
    page.get_by_text("Closed the inspection.").wait_for()
    page.screenshot(path=str(ARTEFACTS / "inspection-closed.png"), full_page=True)

    page.get_by_role("link", name="Walk sheet to print").click()
    page.emulate_media(media="print")
    assert page.get_by_role("navigation", name="Main").is_hidden()
    assert "The stair light has been out for a week" in page.locator("article").inner_text()
    page.screenshot(path=str(ARTEFACTS / "inspection-walk-sheet-print.png"), full_page=True)

    db.expire_all()
    (inspection,) = db.scalars(select(Inspection))
    (report,) = db.scalars(select(IssueReport))
    assert inspection.status == "closed" and inspection.meeting_point.startswith("Outside")
    assert report.finding is not None and report.finding.responsible == "Repairs team"
