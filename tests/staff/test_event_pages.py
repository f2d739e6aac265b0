"""Events in the console: book one or a monthly series, see the answers counted, cancel
after a confirm step, the sign-in sheet as CSV and to print, and who came."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.events import Event, EventRsvp, answer_rsvp
from models.messages import OutboundRecord
from models.tenants import Area
from tests.factories import create_event, create_tenant
from tests.helpers import Clock, StaffBrowser

Staff = Callable[[str], StaffBrowser]
LIST = "/staff/events/"
NEW = "/staff/events/new"


def booking(area: Area, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": "Summer fun day",
        "kind": "community",
        "areas": [str(area.id)],
        "day": "2026-07-04",
        "at": "12:00",
        "until": "16:00",
        "venue": "Methil Community Hall",
        "capacity": "40",
        "most_per_party": "4",
        "repeat_months": "1",
        "notes": "",
    }
    return {**form, **changes}


def stored(db: Session) -> list[Event]:
    db.expire_all()
    return list(db.scalars(select(Event).order_by(Event.starts_at)))


def html_of(browser: StaffBrowser, path: str) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_an_officer_books_an_event_in_london_time_and_the_area_is_invited(
    staff_as: Staff, db: Session, methil: Area
) -> None:
    tenant = create_tenant(db, area=methil)
    db.commit()
    officer = staff_as("officer")

    response = officer.submit(NEW, NEW, booking(methil))

    (event,) = stored(db)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LIST}{event.id}"
    assert event.starts_at == datetime(2026, 7, 4, 11, 0, tzinfo=UTC)  # 12:00 BST
    assert (event.capacity, event.most_per_party, event.series_id) == (40, 4, None)
    invited = db.scalars(select(OutboundRecord).where(OutboundRecord.tenant_id == tenant.id)).one()
    assert invited.body.startswith("Fife Housing Group: Summer fun day, Sat 4 Jul, 12:00")
    page = html_of(officer, f"{LIST}{event.id}")
    assert "Booked the event. 1 tenants are invited." in page and "4 Jul 2026, 12:00" in page


def test_a_monthly_drop_in_is_a_series_on_the_same_weekday_of_each_month(
    staff_as: Staff, db: Session, methil: Area
) -> None:
    officer = staff_as("officer")
    form = booking(
        methil, title="Drop-in", kind="drop_in", day="2026-03-03", at="11:00", until="13:00"
    )
    response = officer.submit(NEW, NEW, {**form, "repeat_months": "3"})

    assert response.status_code == 302
    events = stored(db)
    # the first Tuesday of March, April and May; April's is in summer time
    assert [e.starts_at for e in events] == [
        datetime(2026, 3, 3, 11, 0, tzinfo=UTC),
        datetime(2026, 4, 7, 10, 0, tzinfo=UTC),
        datetime(2026, 5, 5, 10, 0, tzinfo=UTC),
    ]
    assert {e.series_id for e in events} == {events[0].id}
    assert events[0].invited_at is not None and events[2].invited_at is None


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"title": "  "}, "Enter the event&#39;s title."),
        ({"venue": "x" * 81}, "Keep the venue to 80 characters."),
        ({"areas": []}, "Choose everyone, some areas or some roles."),
        ({"until": "11:00"}, "The event must end after it starts."),
        ({"day": "2026-03-02"}, "That time has passed."),
        ({"day": "2026-03-29", "at": "01:30"}, "does not exist"),
        ({"most_per_party": "0"}, "From 1 (no guests) to 10."),
        ({"capacity": "0"}, "At least 1, or leave empty."),
        ({"rsvp_day": "2026-07-05"}, "Answers must close before it starts."),
        ({"kind": "rave"}, "Not a valid choice."),
    ],
)
def test_bad_booking_answers_get_the_form_back_with_an_error(
    staff_as: Staff, db: Session, methil: Area, changes: dict[str, Any], error: str
) -> None:
    response = staff_as("officer").submit(NEW, NEW, booking(methil, **changes))

    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert stored(db) == []


def test_the_event_page_counts_the_answers_and_the_list_shows_them(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(
        db,
        now=clock(),
        area=methil,
        starts_at=clock() + timedelta(days=10),
        capacity=3,
        most_per_party=2,
    )
    people = [
        create_tenant(db, area=methil, name=name) for name in ("Ann", "Brian", "Chloe", "Dan")
    ]
    db.commit()
    for tenant, said, party in zip(
        people, ("yes", "yes", "no", "maybe"), (2, 2, 1, 1), strict=True
    ):
        answer_rsvp(db, event, tenant.id, answer=said, party=party, channel="sms", now=clock())
    db.commit()
    viewer = staff_as("viewer")

    page = html_of(viewer, f"{LIST}{event.id}")
    assert "<strong>1</strong> coming (2 people)" in page
    assert "<strong>1</strong> waiting (2 people)" in page
    assert "<strong>1</strong> maybe" in page and "<strong>1</strong> not coming" in page
    assert "Waiting list" in page
    listed = html_of(viewer, LIST)
    assert "1 (2 of 3)" in listed
    dashboard = html_of(viewer, "/staff/")
    assert (
        "Summer fun day" in dashboard and "<strong>1</strong> coming (2 people of 3)" in dashboard
    )
    assert viewer.client.get(NEW).status_code == 403


def test_cancelling_asks_first_then_calls_it_off_and_tells_those_coming(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(db, now=clock(), area=methil, starts_at=clock() + timedelta(days=10))
    coming, not_coming = create_tenant(db, area=methil), create_tenant(db, area=methil)
    db.commit()
    answer_rsvp(db, event, coming.id, answer="yes", party=1, channel="sms", now=clock())
    answer_rsvp(db, event, not_coming.id, answer="no", party=1, channel="sms", now=clock())
    db.commit()
    path = f"{LIST}{event.id}/cancel"
    officer = staff_as("officer")

    asked = html_of(officer, path)
    assert "Cancel Summer fun day?" in asked and "1 tenants who said yes or maybe" in asked
    assert officer.client.post(path).status_code == 400  # no form token: nothing happens
    assert stored(db)[0].status == "scheduled"
    response = officer.submit(path, path, {})

    assert response.status_code == 302
    assert stored(db)[0].status == "cancelled"
    told = db.scalars(select(OutboundRecord.tenant_id)).all()
    assert told == [coming.id]
    assert officer.client.get(f"{LIST}{event.id}/edit").status_code == 409


def test_the_sign_in_sheet_comes_as_csv_and_as_a_page_to_print(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(
        db, now=clock(), area=methil, starts_at=clock() + timedelta(days=10), most_per_party=3
    )
    ann = create_tenant(db, area=methil, name="Ann Smith", phone="+447700900101")
    brian = create_tenant(db, area=methil, name="=Brian", phone="+447700900102")
    db.commit()
    answer_rsvp(db, event, ann.id, answer="yes", party=3, channel="sms", now=clock())
    answer_rsvp(db, event, brian.id, answer="no", party=1, channel="sms", now=clock())
    db.commit()
    viewer = staff_as("viewer")

    response = viewer.client.get(f"{LIST}{event.id}/sign-in.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["name", "phone", "party", "answer"]
    assert rows[1:] == [["Ann Smith", "+447700900101", "3", "Coming", ""]]
    printable = html_of(viewer, f"{LIST}{event.id}/sign-in")
    assert "Ann Smith" in printable and "Brian" not in printable and "Walk-in" in printable


def test_after_the_event_an_officer_marks_who_came(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(db, now=clock(), area=methil, starts_at=clock() + timedelta(days=1))
    ann, brian = (
        create_tenant(db, area=methil, name="Ann"),
        create_tenant(db, area=methil, name="Bo"),
    )
    db.commit()
    for tenant in (ann, brian):
        answer_rsvp(db, event, tenant.id, answer="yes", party=1, channel="sms", now=clock())
    db.commit()
    officer = staff_as("officer")
    path = f"{LIST}{event.id}"
    assert "Tick everyone who came" not in html_of(officer, path)
    assert officer.submit(path, f"{path}/attendance", {"came": [str(ann.id)]}).status_code == 409

    clock.advance(days=1, hours=1)
    response = officer.submit(path, f"{path}/attendance", {"came": [str(ann.id)]})

    assert response.status_code == 302
    db.expire_all()
    came = {r.tenant_id: r.attended for r in db.scalars(select(EventRsvp))}
    assert came == {ann.id: True, brian.id: False}
    page = html_of(officer, path)
    assert "<strong>1</strong> came" in page


def test_an_officer_moves_an_event_and_those_coming_hear_of_it(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(
        db, now=clock(), area=methil, starts_at=datetime(2026, 7, 4, 11, 0, tzinfo=UTC)
    )
    coming = create_tenant(db, area=methil)
    db.commit()
    answer_rsvp(db, event, coming.id, answer="yes", party=1, channel="sms", now=clock())
    db.commit()
    path = f"{LIST}{event.id}/edit"
    officer = staff_as("officer")
    assert 'value="Summer fun day"' in html_of(officer, path)

    response = officer.submit(path, path, booking(methil, day="2026-07-11"))

    assert response.status_code == 302
    assert stored(db)[0].starts_at == datetime(2026, 7, 11, 11, 0, tzinfo=UTC)
    (told,) = db.scalars(select(OutboundRecord.body)).all()
    assert told.startswith("Fife Housing Group: Summer fun day has moved to Sat 11 Jul, 12:00")
    assert "1 tenants will hear of the change." in html_of(officer, f"{LIST}{event.id}")
