"""The repair-survey console: importing finished repairs from CSV, the results by job type
and month, alerts, and publishing "you said, we did" once."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.messages import OutboundRecord
from models.repairs import Repair, record_survey
from models.schedule import ScheduledTask
from models.tenants import Tenant
from tests.factories import create_repair, create_tenant
from tests.helpers import Clock, StaffBrowser

Staff = Callable[[str], StaffBrowser]
PAGE = "/staff/repairs/"
IMPORT = "/staff/repairs/import"


@pytest.fixture(autouse=True)
def in_may(clock: Clock) -> None:
    clock.now = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


def import_csv(officer: StaffBrowser, text: str) -> str:
    response = officer.submit(
        IMPORT,
        IMPORT,
        {"file": (io.BytesIO(text.encode()), "repairs.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_a_csv_import_registers_good_rows_reports_bad_ones_by_line_and_never_twice(
    staff_as: Staff, db: Session
) -> None:
    ann = create_tenant(db, name="Ann Smith", phone="+447700900171")
    db.commit()
    text = (
        "job_reference,job_type,completed_at,phone,tenant_id\n"
        "J-1,Plumbing,2026-05-19 14:30,07700 900171,\n"
        f"J-2,electrics,2026-05-19T10:00:00+01:00,,{ann.id}\n"
        "J-3,heating,yesterday,07700 900171,\n"
        "J-4,roofing,2026-05-19 09:00,07700 900198,\n"
        "J-1,Plumbing,2026-05-19 14:30,07700 900171,\n"
    )
    officer = staff_as("officer")
    html = import_csv(officer, text)
    assert "<strong>2</strong> registered" in html
    assert "<strong>1</strong> already registered" in html
    assert "<td>4</td><td>completed_at &#39;yesterday&#39; is not a date and time" in html
    assert "<td>5</td><td>no tenant has that phone number</td>" in html
    rows = db.scalars(select(Repair).order_by(Repair.job_reference)).all()
    assert [(r.job_reference, r.job_type, r.tenant_id) for r in rows] == [
        ("J-1", "plumbing", ann.id),
        ("J-2", "electrical", ann.id),
    ]
    assert rows[0].completed_at == datetime(2026, 5, 19, 13, 30, tzinfo=UTC)  # BST

    again = import_csv(officer, text)
    assert "<strong>0</strong> registered" in again
    assert db.scalar(select(func.count(Repair.id))) == 2
    assert db.scalar(select(func.count(ScheduledTask.id))) == 2


def test_a_file_without_the_columns_is_refused_whole(staff_as: Staff) -> None:
    officer = staff_as("officer")
    response = officer.submit(
        IMPORT,
        IMPORT,
        {"file": (io.BytesIO(b"name,phone\nAnn,07700900171\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "missing columns: job_reference, job_type, completed_at" in response.get_data(
        as_text=True
    )


def test_a_viewer_sees_the_results_but_cannot_import(staff_as: Staff) -> None:
    viewer = staff_as("viewer")
    assert viewer.client.get(PAGE).status_code == 200
    assert viewer.client.get(IMPORT).status_code == 403


def surveyed(sessions: sessionmaker[Session], tenant_id: int, reference: str, score: int) -> None:
    moment = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    with sessions.begin() as session:
        repair = create_repair(
            session, tenant=session.get_one(Tenant, tenant_id), job_reference=reference, now=moment
        )
        repair.survey_sent_at = moment
        record_survey(
            session,
            repair,
            satisfaction=score,
            right_first_time=score > 2,
            comment=None,
            channel="sms",
            now=moment,
        )


def test_results_alerts_and_an_outcome_published_once(
    staff_as: Staff, db: Session, sessions: sessionmaker[Session]
) -> None:
    first, second = create_tenant(db), create_tenant(db)
    db.commit()
    surveyed(sessions, first.id, "R1", 5)
    surveyed(sessions, second.id, "R2", 1)
    officer = staff_as("officer")
    html = officer.client.get(PAGE).get_data(as_text=True)
    assert '<th scope="row">2026-05</th>' in html
    assert "2 / 2" in html
    assert "3.0" in html and "50.0%" in html
    assert "Plumbing repair R2: satisfaction 1/5, not right first time." in html
    dashboard = officer.client.get("/staff/").get_data(as_text=True)
    assert "<strong>1</strong> repair-survey alert open" in dashboard

    saved = officer.submit(
        PAGE,
        "/staff/repairs/outcomes",
        {
            "job_type": "plumbing",
            "first_month": "2026-05",
            "last_month": "2026-05",
            "outcome": "We now phone you the day before a plumber comes.",
        },
    )
    assert saved.status_code == 302
    assert db.scalar(select(func.count(OutboundRecord.id))) == 0  # written, not yet sent
    page = officer.client.get(PAGE).get_data(as_text=True)
    outcome_id = int(page.split("/staff/repairs/outcomes/", 1)[1].split("/", 1)[0])
    publish = f"/staff/repairs/outcomes/{outcome_id}/publish"
    assert officer.submit(PAGE, publish, {}).status_code == 302
    assert db.scalar(select(func.count(OutboundRecord.id))) == 2
    assert officer.submit(PAGE, publish, {}).status_code == 409
    assert db.scalar(select(func.count(OutboundRecord.id))) == 2
    assert "published" in officer.client.get(PAGE).get_data(as_text=True)


def test_an_outcome_with_a_bad_month_is_shown_again_with_the_reason(staff_as: Staff) -> None:
    officer = staff_as("officer")
    response = officer.submit(
        PAGE,
        "/staff/repairs/outcomes",
        {"job_type": "plumbing", "first_month": "May", "last_month": "2026-05", "outcome": "x"},
    )
    assert response.status_code == 422
    assert "Enter a month such as 2026-03." in response.get_data(as_text=True)
