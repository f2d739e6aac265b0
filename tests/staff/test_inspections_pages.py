"""Estate inspections in the console: book, move, cancel, record findings, close, report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from doorstep.config import Config
from doorstep.wiring import StaffTelegram
from models.inspections import (
    Inspection,
    InspectionFinding,
    IssueReport,
    answer_rsvp,
    close_inspection,
    file_report,
    mark_action_done,
    mark_all_told,
    record_finding,
)
from models.messages import OutboundRecord
from models.tenants import Area, Tenant
from tests.factories import create_area, create_inspection, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import Clock, StaffBrowser

Staff = Callable[[str], StaffBrowser]
LIST = "/staff/inspections/"
NEW = "/staff/inspections/new"
WALK_TIME = datetime(2026, 4, 14, 9, 30, tzinfo=UTC)  # 10:30 in London (BST)
JPEG = b"\xff\xd8\xff\xe0 a photo of a broken light"


@pytest.fixture
def config(config: Config, bot_api: FakeBotApi) -> Config:
    """Telegram photos come from the offline Bot API."""
    return replace(config, telegram_api_url=bot_api.root_url)


@pytest.fixture
def telegram(app: Flask, bot_api: FakeBotApi) -> Iterator[FakeBotApi]:
    yield bot_api
    app.extensions["doorstep.telegram"].close()


def booking(place: Area, **changes: str) -> dict[str, str]:
    form = {
        "area": str(place.id),
        "day": "2026-04-14",
        "at": "10:30",
        "meeting_point": "Outside the Co-op, Wellesley Road",
        "officer": "Jean Brown",
        "notes": "Bring the high-vis vests",
    }
    return {**form, **changes}


def book(db: Session, area: Area, now: datetime, starts_at: datetime = WALK_TIME) -> Inspection:
    """A walk booked earlier, where and with whom this module's pages expect it."""
    inspection = create_inspection(
        db,
        area=area,
        now=now,
        starts_at=starts_at,
        meeting_point="Outside the Co-op",
        officer="Jean Brown",
    )
    db.commit()
    return inspection


def report(
    db: Session, tenant: Tenant, now: datetime, *, photos: tuple[str, ...] = ()
) -> IssueReport:
    filed = file_report(
        db,
        tenant=tenant,
        category="lighting",
        location="Close at 12 Wellesley Road",
        description="The stair light has been out for a week",
        photo_ids=photos,
        channel="telegram" if photos else "sms",
        now=now,
    )
    db.commit()
    return filed


def stored(db: Session) -> list[Inspection]:
    db.expire_all()
    found = list(db.scalars(select(Inspection).order_by(Inspection.id)))
    db.commit()
    return found


def outbound_to(db: Session, tenant: Tenant) -> int:
    db.expire_all()
    count = db.scalar(
        select(func.count(OutboundRecord.id)).where(OutboundRecord.tenant_id == tenant.id)
    )
    db.commit()
    return int(count or 0)


def html_of(browser: StaffBrowser, path: str, status: int = 200) -> str:
    response = browser.client.get(path)
    assert response.status_code == status, path
    return response.get_data(as_text=True)


# --- booking ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "at", "stored_utc"),
    [
        ("2026-04-14", "10:30", datetime(2026, 4, 14, 9, 30, tzinfo=UTC)),  # summer time
        ("2026-03-20", "10:30", datetime(2026, 3, 20, 10, 30, tzinfo=UTC)),  # winter time
    ],
)
def test_an_officer_books_a_walk_in_london_time_and_it_is_stored_in_utc(
    staff_as: Staff, db: Session, methil: Area, day: str, at: str, stored_utc: datetime
) -> None:
    officer = staff_as("officer")

    response = officer.submit(NEW, NEW, booking(methil, day=day, at=at))

    (inspection,) = stored(db)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LIST}{inspection.id}"
    assert inspection.starts_at == stored_utc
    assert (inspection.notice_days, inspection.reminder_days) == (7, 1)
    assert inspection.meeting_point == "Outside the Co-op, Wellesley Road"
    page = html_of(officer, f"{LIST}{inspection.id}")
    assert f"{int(day[-2:])} {'Apr' if day[5:7] == '04' else 'Mar'} 2026, {at}" in page
    assert "Booked the inspection of Methil." in page


def test_a_time_that_does_not_exist_when_the_clocks_go_forward_gets_the_form_back(
    staff_as: Staff, db: Session, methil: Area
) -> None:
    response = staff_as("officer").submit(NEW, NEW, booking(methil, day="2026-03-29", at="01:30"))

    assert response.status_code == 422
    assert "The clocks go forward that day, so 01:30 on 29 March 2026 does not exist." in (
        response.get_data(as_text=True)
    )
    assert stored(db) == []


def test_an_hour_that_happens_twice_when_the_clocks_go_back_gets_the_form_back(
    staff_as: Staff, db: Session, methil: Area
) -> None:
    response = staff_as("officer").submit(NEW, NEW, booking(methil, day="2026-10-25", at="01:30"))

    assert response.status_code == 422
    assert "01:30 on 25 October 2026 happens twice" in response.get_data(as_text=True)
    assert stored(db) == []


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"meeting_point": "   "}, "Enter where tenants should meet."),
        ({"meeting_point": "x" * 81}, "Keep the meeting point to 80 characters"),
        ({"day": ""}, "Enter the date of the walk."),
        ({"day": "2026-02-31"}, "Not a valid date value."),
        ({"at": "25:99"}, "Not a valid time value."),
        ({"day": "2026-03-02"}, "That time has passed."),
        ({"area": "999999"}, "Not a valid choice."),
        ({"area": "Methil"}, "Invalid Choice: could not coerce."),
        ({"notes": "n" * 4001}, "Field cannot be longer than 4000 characters."),
    ],
)
def test_bad_booking_answers_get_the_form_back_with_an_error(
    staff_as: Staff, db: Session, methil: Area, changes: dict[str, str], error: str
) -> None:
    response = staff_as("officer").submit(NEW, NEW, booking(methil, **changes))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error in html and "Please correct the answers marked below." in html
    assert stored(db) == []


def test_the_list_shows_walks_with_counts_and_filters_by_area_and_status(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    leven = create_area(db, name="Leven")
    tenant = create_tenant(db, area=methil, name="Ann Smith")
    upcoming = book(db, methil, clock())
    report(db, tenant, clock())
    answer_rsvp(db, upcoming, tenant.id, coming=True, channel="sms", now=clock())
    held = book(db, leven, clock(), starts_at=clock() + timedelta(days=1))
    close_inspection(db, held, now=clock() + timedelta(days=2))
    db.commit()
    viewer = staff_as("viewer")

    html = html_of(viewer, LIST)
    row = html.split(f'href="{LIST}{upcoming.id}"', 1)[1].split("</tr>", 1)[0]
    assert "14 Apr 2026, 10:30" in row and "Methil" in row and "Jean Brown" in row
    assert "<td>Scheduled</td>" in row and row.count("<td>1</td>") == 2  # 1 report, 1 coming
    assert f'href="{LIST}{held.id}"' in html and "Book an inspection" not in html

    only_leven = html_of(viewer, f"{LIST}?area={leven.id}")
    assert f'href="{LIST}{held.id}"' in only_leven
    assert f'<option selected value="{leven.id}">Leven</option>' in only_leven
    assert f'href="{LIST}{upcoming.id}"' not in only_leven
    only_closed = html_of(viewer, f"{LIST}?status=closed&area=nonsense")
    assert f'href="{LIST}{held.id}"' in only_closed
    assert f'href="{LIST}{upcoming.id}"' not in only_closed


def test_reports_with_no_walk_booked_wait_on_the_list_then_join_the_walk_booked(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    tenant = create_tenant(db, area=methil, name="Ann Smith")
    waiting = report(db, tenant, clock())
    officer = staff_as("officer")

    html = html_of(officer, LIST)
    assert "Tenant reports waiting for a walk" in html
    assert waiting.reference in html and "The stair light has been out for a week" in html
    assert f'href="/staff/inspections/new?area={methil.id}"' in html

    officer.submit(NEW, NEW, booking(methil))
    (inspection,) = stored(db)
    assert waiting.reference not in html_of(officer, LIST).split("waiting for a walk", 1)[1]
    assert waiting.reference in html_of(officer, f"{LIST}{inspection.id}")


# --- changing and cancelling -----------------------------------------------------------


def test_an_officer_moves_a_walk_and_the_tenants_already_told_hear_of_it(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    tenant = create_tenant(db, area=methil)
    inspection = book(db, methil, clock())
    mark_all_told(db, inspection.id, [tenant.id], now=clock())
    db.commit()
    path = f"{LIST}{inspection.id}/edit"
    officer = staff_as("officer")
    assert 'value="2026-04-14"' in html_of(officer, path) and 'value="10:30"' in html_of(
        officer, path
    )

    response = officer.submit(path, path, booking(methil, day="2026-04-21", at="14:00"))

    assert response.status_code == 302
    (moved,) = stored(db)
    assert moved.starts_at == datetime(2026, 4, 21, 13, 0, tzinfo=UTC)
    assert moved.area_id == methil.id and moved.notes == "Bring the high-vis vests"
    assert outbound_to(db, tenant) == 1
    assert "1 tenants will hear of the change." in html_of(officer, f"{LIST}{inspection.id}")


def test_moving_a_walk_into_the_hour_the_clocks_skip_is_refused(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    inspection = book(db, methil, clock())
    path = f"{LIST}{inspection.id}/edit"

    response = staff_as("officer").submit(path, path, booking(methil, day="2026-03-29", at="01:15"))

    assert response.status_code == 422
    assert "does not exist" in response.get_data(as_text=True)
    assert stored(db)[0].starts_at == WALK_TIME


def test_cancelling_asks_first_then_calls_the_walk_off_and_tells_those_told(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    tenant = create_tenant(db, area=methil)
    inspection = book(db, methil, clock())
    mark_all_told(db, inspection.id, [tenant.id], now=clock())
    db.commit()
    path = f"{LIST}{inspection.id}/cancel"
    officer = staff_as("officer")

    asked = html_of(officer, path)
    assert "Cancel the inspection of Methil?" in asked
    assert "1 tenant already told about it will hear that it is off." in asked
    response = officer.submit(path, path, {})

    assert response.status_code == 302
    assert stored(db)[0].status == "cancelled"
    assert outbound_to(db, tenant) == 1
    assert officer.client.get(f"{LIST}{inspection.id}/edit").status_code == 409


def test_a_cancel_without_its_form_token_changes_nothing(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    inspection = book(db, methil, clock())

    response = staff_as("officer").client.post(f"{LIST}{inspection.id}/cancel")

    assert response.status_code == 400
    assert stored(db)[0].status == "scheduled"


# --- findings and closing --------------------------------------------------------------


def test_an_officer_records_a_finding_that_answers_a_tenant_report(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    tenant = create_tenant(db, area=methil, name="Ann Smith")
    inspection = book(db, methil, clock())
    filed = report(db, tenant, clock())
    path = f"{LIST}{inspection.id}"
    officer = staff_as("officer")
    page = html_of(officer, path)
    assert filed.reference in page and "Lighting" in page and "Ann Smith" in page

    response = officer.submit(
        path,
        f"{path}/findings",
        {
            "found": "Stair light out at 12 Wellesley Road",
            "action": "Electrician to replace the fitting",
            "responsible": "Repairs team",
            "due_on": "2026-04-28",
            "reports": [str(filed.id)],
        },
    )

    assert response.status_code == 302
    db.expire_all()
    (finding,) = db.scalars(select(InspectionFinding))
    assert (finding.responsible, finding.due_on) == ("Repairs team", date(2026, 4, 28))
    assert [r.id for r in finding.reports] == [filed.id]
    db.commit()
    shown = html_of(officer, path).split('id="findings"', 1)[1]
    assert "Electrician to replace the fitting" in shown and "28 Apr 2026" in shown
    assert filed.reference in shown


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"found": ""}, "Say what the walk found."),
        ({"found": "x" * 1001}, "Field cannot be longer than 1000 characters."),
        ({"due_on": "next week"}, "Not a valid date value."),
        ({"reports": ["999999"]}, "not a valid choice"),
    ],
)
def test_a_bad_finding_gets_the_form_back_with_an_error(
    staff_as: Staff,
    db: Session,
    clock: Clock,
    methil: Area,
    changes: dict[str, object],
    error: str,
) -> None:
    inspection = book(db, methil, clock())
    report(db, create_tenant(db, area=methil), clock())
    path = f"{LIST}{inspection.id}"

    response = staff_as("officer").submit(
        path, f"{path}/findings", {"found": "A broken bench", **changes}
    )

    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert db.scalar(select(func.count(InspectionFinding.id))) == 0


def test_marking_an_action_done_tells_the_reporter_once(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    tenant = create_tenant(db, area=methil)
    inspection = book(db, methil, clock())
    filed = report(db, tenant, clock())
    finding = record_finding(
        db,
        inspection,
        found="Light out",
        action="Replace it",
        responsible="Repairs",
        due_on=None,
        report_ids=[filed.id],
        now=clock(),
    )
    db.commit()
    path = f"{LIST}{inspection.id}"
    done = f"{path}/findings/{finding.id}/done"
    officer = staff_as("officer")

    assert officer.submit(path, done, {}).status_code == 302
    assert officer.submit(path, done, {}).status_code == 302

    db.expire_all()
    marked = db.get(InspectionFinding, finding.id)
    assert marked is not None and marked.done_at == clock()
    db.commit()
    assert outbound_to(db, tenant) == 1
    assert "That action was already marked done." in html_of(officer, path)
    assert officer.submit(path, f"{LIST}999/findings/{finding.id}/done", {}).status_code == 404


def test_closing_shows_who_will_be_told_then_closes_the_walk(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    reporter = create_tenant(db, area=methil)
    neighbour = create_tenant(db, area=methil)
    inspection = book(db, methil, clock())
    report(db, reporter, clock())
    path = f"{LIST}{inspection.id}/close"
    officer = staff_as("officer")
    assert officer.client.get(path).status_code == 409  # not walked yet: nothing to close

    clock.now = WALK_TIME + timedelta(hours=2)
    asked = html_of(officer, path)
    assert "2 tenants of Methil will get a short summary" in asked
    assert "1 tenant who reported something will hear what happened" in asked
    assert officer.submit(path, path, {}).status_code == 302

    assert stored(db)[0].status == "closed"
    assert outbound_to(db, neighbour) >= 1 and outbound_to(db, reporter) >= 1
    page = html_of(officer, f"{LIST}{inspection.id}")
    assert "Record a finding" not in page and "Closed the inspection." in page
    again = officer.submit(f"{LIST}{inspection.id}", path, {})
    assert again.status_code == 409 and "This inspection is closed" in again.text


def test_a_viewer_reads_every_inspection_page_but_changes_nothing(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    inspection = book(db, methil, clock())
    finding = record_finding(
        db, inspection, found="Bins", action="Empty", responsible="", due_on=None, now=clock()
    )
    db.commit()
    path = f"{LIST}{inspection.id}"
    viewer = staff_as("viewer")
    for page in (LIST, path, f"{path}/walk-sheet", f"{LIST}report", f"{LIST}report.csv"):
        assert viewer.client.get(page).status_code == 200, page
    assert "Record a finding" not in html_of(viewer, path)

    token = viewer.token_for(path)
    for action in (
        NEW,
        f"{path}/edit",
        f"{path}/cancel",
        f"{path}/close",
        f"{path}/findings",
        f"{path}/findings/{finding.id}/done",
    ):
        response = viewer.client.post(action, data={**booking(methil), "csrf_token": token})
        assert response.status_code == 403, action
    assert viewer.client.get(NEW).status_code == 403
    assert stored(db)[0].status == "scheduled" and len(stored(db)[0].findings) == 1


def test_an_inspection_that_does_not_exist_is_a_404(staff_as: Staff) -> None:
    viewer = staff_as("viewer")
    for path in (f"{LIST}424242", f"{LIST}99999999999999/walk-sheet"):
        assert viewer.client.get(path).status_code == 404, path


# --- the walk sheet and photos ---------------------------------------------------------


def test_the_walk_sheet_lists_every_report_with_room_for_notes(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    inspection = book(db, methil, clock())
    first = report(db, create_tenant(db, area=methil), clock())
    second = file_report(
        db,
        tenant=create_tenant(db, area=methil),
        category="fly_tipping",
        location="Behind block 4",
        description="An old sofa and a mattress",
        photo_ids=[],
        channel="sms",
        now=clock(),
    )
    db.commit()

    html = html_of(staff_as("viewer"), f"{LIST}{inspection.id}/walk-sheet")

    assert "Estate inspection: Methil" in html and "14 Apr 2026, 10:30" in html
    assert "Outside the Co-op" in html and "Jean Brown" in html
    assert html.index(first.reference) < html.index(second.reference)
    assert "Where: Behind block 4" in html and "What: An old sofa and a mattress" in html
    assert "Fly-tipping" in html and html.count('class="note-line"') >= 4
    assert 'class="no-print"' in html


def test_a_reports_photo_is_fetched_from_telegram_by_its_file_id(
    staff_as: Staff, db: Session, clock: Clock, methil: Area, telegram: FakeBotApi
) -> None:
    telegram.add_file("AgAC-light", JPEG)
    inspection = book(db, methil, clock())
    filed = report(db, create_tenant(db, area=methil), clock(), photos=("AgAC-light",))
    viewer = staff_as("viewer")
    photo = f"{LIST}reports/{filed.id}/photos/1"
    assert f'href="{photo}"' in html_of(viewer, f"{LIST}{inspection.id}")

    response = viewer.client.get(photo)

    assert response.status_code == 200 and response.data == JPEG
    assert response.mimetype == "image/jpeg"
    assert f"{filed.reference}-photo-1.jpg" in response.headers["Content-Disposition"]
    assert telegram.calls_to("getFile") == [{"file_id": "AgAC-light"}]


def test_a_photo_telegram_no_longer_has_or_cannot_send_gets_a_clear_page(
    staff_as: Staff, db: Session, clock: Clock, methil: Area, telegram: FakeBotApi
) -> None:
    filed = report(db, create_tenant(db, area=methil), clock(), photos=("AgAC-gone",))
    viewer = staff_as("viewer")
    photo = f"{LIST}reports/{filed.id}/photos/1"

    gone = viewer.client.get(photo)
    telegram.fail_next(status=500, method="getFile")
    down = viewer.client.get(photo)

    assert gone.status_code == 404 and "Telegram no longer has this photo" in gone.text
    assert down.status_code == 502 and "Telegram did not answer" in down.text
    assert viewer.client.get(f"{LIST}reports/{filed.id}/photos/2").status_code == 404
    assert viewer.client.get(f"{LIST}reports/424242/photos/1").status_code == 404


def test_a_photo_without_telegram_set_up_gets_a_clear_404(
    app: Flask, config: Config, staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    app.extensions["doorstep.telegram"] = StaffTelegram(replace(config, telegram_bot_token=""))
    filed = report(db, create_tenant(db, area=methil), clock(), photos=("AgAC-light",))

    response = staff_as("viewer").client.get(f"{LIST}reports/{filed.id}/photos/1")

    assert response.status_code == 404 and "Telegram is not set up here" in response.text


# --- the report and the dashboard ------------------------------------------------------


def held_walk(
    db: Session, area: Area, *, starts_at: datetime, reports: int, on_time: bool
) -> Inspection:
    """A closed walk with ``reports`` tenant reports and two actions, one of them done."""
    before = starts_at - timedelta(days=3)
    inspection = book(db, area, before, starts_at=starts_at)
    for _ in range(reports):
        report(db, create_tenant(db, area=area), before)
    due = starts_at.date() + timedelta(days=14)
    done = record_finding(
        db, inspection, found="Bins", action="Empty", responsible="", due_on=due, now=starts_at
    )
    record_finding(
        db, inspection, found="Moss", action="Clear", responsible="", due_on=due, now=starts_at
    )
    close_inspection(db, inspection, now=starts_at + timedelta(hours=2))
    mark_action_done(done, now=starts_at + timedelta(days=7 if on_time else 30))
    db.commit()
    return inspection


def test_the_report_counts_walks_reports_and_actions_per_area_with_a_csv(
    staff_as: Staff, db: Session, methil: Area
) -> None:
    leven = create_area(db, name="Leven")
    first = held_walk(
        db, methil, starts_at=datetime(2026, 1, 20, 10, tzinfo=UTC), reports=2, on_time=True
    )
    held_walk(db, methil, starts_at=datetime(2026, 6, 9, 9, tzinfo=UTC), reports=1, on_time=False)
    held_walk(db, leven, starts_at=datetime(2026, 2, 3, 10, tzinfo=UTC), reports=0, on_time=True)
    held_walk(db, leven, starts_at=datetime(2025, 11, 4, 10, tzinfo=UTC), reports=5, on_time=True)
    viewer = staff_as("viewer")

    html = html_of(viewer, f"{LIST}report?year=2026")

    methil_row = html.split('<th scope="row">Methil</th>', 1)[1].split("</tr>", 1)[0]
    cells = [cell.split("</svg>")[-1].strip() for cell in methil_row.split("<td>")[1:]]
    assert [cell.split("</td>")[0].strip() for cell in cells] == ["2", "3", "4", "2", "1 (25%)"]
    assert '<svg class="bar"' in methil_row
    assert f'href="{LIST}{first.id}"' in html and "20 Jan 2026, 10:00" in html

    response = viewer.client.get(f"{LIST}report.csv?year=2026")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["inspection", "area", "local_start"]
    assert rows[1:] == [
        [str(first.id), "Methil", "2026-01-20 10:00", "2", "2", "1", "1"],
        [rows[2][0], "Leven", "2026-02-03 10:00", "0", "2", "1", "1"],
        [rows[3][0], "Methil", "2026-06-09 10:00", "1", "2", "1", "0"],
    ]
    assert "No inspections were held in 2024." in html_of(viewer, f"{LIST}report?year=2024")
    for year in ("1999", "abc", "99999999999999999999"):
        assert viewer.client.get(f"{LIST}report?year={year}").status_code == 404


def test_the_dashboard_shows_the_next_inspections_with_their_report_counts(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    leven = create_area(db, name="Leven")
    soon = book(db, leven, clock(), starts_at=clock() + timedelta(days=2))
    later = book(db, methil, clock())
    report(db, create_tenant(db, area=methil), clock())
    report(db, create_tenant(db, area=methil), clock())
    past = book(db, methil, clock() - timedelta(days=9), starts_at=clock() - timedelta(days=1))

    html = html_of(staff_as("viewer"), "/staff/")

    upcoming = html.split("Inspections coming up", 1)[1]
    assert upcoming.index(f"/staff/inspections/{soon.id}") < upcoming.index(
        f"/staff/inspections/{later.id}"
    )
    methil_line = upcoming.split(f"/staff/inspections/{later.id}", 1)[1].split("</li>", 1)[0]
    assert "<strong>2</strong> tenant reports" in methil_line
    assert f"/staff/inspections/{past.id}" not in upcoming
