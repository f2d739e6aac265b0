"""Staff enter, in the console, what a tenant said by phone, on paper or in person: an event
answer counts as the tenant's own (capacity, the waiting list), is marked with how it came
and who entered it, and leaves an audit line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audit import AuditEntry
from models.events import Event, EventRsvp, answer_rsvp
from models.inspections import IssueReport
from models.messages import OutboundRecord
from models.tenants import Area
from tests.factories import create_event, create_tenant
from tests.helpers import Clock, StaffBrowser

Staff = Callable[[str], StaffBrowser]


def event_page(event: Event) -> str:
    return f"/staff/events/{event.id}"


def enter(officer: StaffBrowser, event: Event, **given: str) -> tuple[int, str]:
    page = event_page(event)
    data = {"answer": "yes", "party": "1", "source": "phone", **given}
    response = officer.submit(page, f"{page}/answers", data)
    return response.status_code, response.get_data(as_text=True)


def rsvps(db: Session) -> list[EventRsvp]:
    db.expire_all()
    return list(db.scalars(select(EventRsvp).order_by(EventRsvp.tenant_id)))


def test_an_answer_taken_by_phone_counts_as_the_tenants_marked_with_how_and_who(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(db, now=clock(), area=methil, starts_at=clock() + timedelta(days=10))
    ann = create_tenant(db, area=methil, name="Ann Smith")
    db.commit()
    officer = staff_as("officer")

    status, _ = enter(officer, event, tenant=ann.phone or "", source="phone")

    assert status == 302
    (rsvp,) = rsvps(db)
    assert (rsvp.tenant_id, rsvp.answer, rsvp.channel) == (ann.id, "yes", "phone")
    assert rsvp.entered_by_staff_id is not None
    page = officer.client.get(event_page(event)).get_data(as_text=True)
    assert "Recorded for Ann Smith: coming." in page
    assert "(by phone, entered by staff)" in page
    line = db.scalars(select(AuditEntry).where(AuditEntry.action == "entered_for_tenant")).one()
    assert (line.tenant_id, line.via, line.staff_id) == (
        ann.id,
        "console",
        rsvp.entered_by_staff_id,
    )
    assert line.detail == f"event {event.id}: yes, phone"


def test_a_yes_entered_for_a_full_event_goes_on_the_waiting_list_after_those_already_there(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(
        db,
        now=clock(),
        area=methil,
        starts_at=clock() + timedelta(days=10),
        capacity=2,
        most_per_party=2,
    )
    first, waiting, walk_in = (create_tenant(db, area=methil) for _ in range(3))
    db.commit()
    answer_rsvp(db, event, first.id, answer="yes", party=2, channel="sms", now=clock())
    answer_rsvp(db, event, waiting.id, answer="yes", party=1, channel="sms", now=clock())
    db.commit()
    officer = staff_as("officer")

    status, _ = enter(officer, event, tenant=str(walk_in.id), party="2", source="in_person")

    assert status == 302
    by_tenant = {rsvp.tenant_id: rsvp for rsvp in rsvps(db)}
    assert (by_tenant[walk_in.id].answer, by_tenant[walk_in.id].waiting_number) == ("waiting", 2)
    assert by_tenant[walk_in.id].party == 2 and by_tenant[walk_in.id].channel == "in_person"


def test_a_no_entered_for_a_tenant_frees_their_place_and_the_waiting_list_is_told(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(
        db, now=clock(), area=methil, starts_at=clock() + timedelta(days=10), capacity=1
    )
    coming, waiting = create_tenant(db, area=methil), create_tenant(db, area=methil)
    db.commit()
    answer_rsvp(db, event, coming.id, answer="yes", party=1, channel="sms", now=clock())
    answer_rsvp(db, event, waiting.id, answer="yes", party=1, channel="sms", now=clock())
    db.commit()

    status, _ = enter(staff_as("officer"), event, tenant=str(coming.id), answer="no")

    assert status == 302
    assert [(rsvp.tenant_id, rsvp.answer) for rsvp in rsvps(db)] == [
        (coming.id, "no"),
        (waiting.id, "yes"),
    ]
    told = db.scalars(select(OutboundRecord).where(OutboundRecord.tenant_id == waiting.id))
    assert any("place" in message.body.lower() for message in told)


def test_the_tenants_own_later_answer_replaces_the_one_staff_entered(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(db, now=clock(), area=methil, starts_at=clock() + timedelta(days=10))
    ann = create_tenant(db, area=methil)
    db.commit()
    enter(staff_as("officer"), event, tenant=str(ann.id), answer="maybe", source="paper")

    answer_rsvp(db, event, ann.id, answer="no", party=1, channel="sms", now=clock())
    db.commit()

    (rsvp,) = rsvps(db)
    assert (rsvp.answer, rsvp.channel, rsvp.entered_by_staff_id) == ("no", "sms", None)


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ({"tenant": "07700 900198"}, "No tenant has that phone number"),
        ({"tenant": ""}, "Enter the tenant"),
        ({"source": "sms"}, "Not a valid choice"),
        ({"answer": "waiting"}, "Not a valid choice"),
        ({"party": "0"}, "Enter 1 to 10"),
    ],
)
def test_an_entry_with_bad_input_is_refused_with_the_reason_and_nothing_kept(
    staff_as: Staff,
    db: Session,
    clock: Clock,
    methil: Area,
    given: dict[str, str],
    reason: str,
) -> None:
    event = create_event(db, now=clock(), area=methil, starts_at=clock() + timedelta(days=10))
    ann = create_tenant(db, area=methil)
    db.commit()

    status, page = enter(staff_as("officer"), event, **{"tenant": str(ann.id), **given})

    assert status == 422 and reason in page
    assert rsvps(db) == []


def test_a_party_larger_than_the_event_allows_or_a_tenant_not_invited_is_refused(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(db, now=clock(), area=methil, starts_at=clock() + timedelta(days=10))
    ann, elsewhere = create_tenant(db, area=methil), create_tenant(db)
    db.commit()
    officer = staff_as("officer")

    too_many = enter(officer, event, tenant=str(ann.id), party="3")
    not_invited = enter(officer, event, tenant=str(elsewhere.id))

    assert too_many[0] == 409 and "The party must be 1 to 1 people." in too_many[1]
    assert not_invited[0] == 409 and "This event is not open to this tenant." in not_invited[1]
    assert rsvps(db) == []


def test_answers_past_the_deadline_are_refused_and_viewers_cannot_enter_any(
    staff_as: Staff, db: Session, clock: Clock, methil: Area
) -> None:
    event = create_event(
        db,
        now=clock(),
        area=methil,
        starts_at=clock() + timedelta(days=10),
        rsvp_by=clock() + timedelta(days=1),
    )
    ann = create_tenant(db, area=methil)
    db.commit()
    assert enter(staff_as("viewer"), event, tenant=str(ann.id))[0] == 403
    clock.advance(days=2)

    officer = staff_as("officer")
    assert "Enter an answer for a tenant" not in officer.client.get(event_page(event)).text
    status, page = enter(officer, event, tenant=str(ann.id))

    assert status == 409 and "Answers for this event are closed." in page
    assert rsvps(db) == []


REPORT = "/staff/inspections/reports/new"


def a_report(who: str, **changes: str) -> dict[str, str]:
    given = {
        "tenant": who,
        "category": "graffiti",
        "location": "The wall behind the shops",
        "description": "Paint sprayed all over it",
        "source": "in_person",
    }
    return {**given, **changes}


def test_an_estate_report_made_at_the_office_is_kept_for_the_areas_walk_marked_and_audited(
    staff_as: Staff, db: Session, methil: Area
) -> None:
    ann = create_tenant(db, area=methil, name="Ann Smith")
    db.commit()
    officer = staff_as("officer")
    assert "Enter a report for a tenant" in officer.client.get("/staff/inspections/").text

    response = officer.submit(REPORT, REPORT, a_report(ann.phone or ""))

    assert response.status_code == 302
    report = db.scalars(select(IssueReport)).one()
    assert (report.tenant_id, report.area_id, report.channel) == (ann.id, methil.id, "in_person")
    assert report.entered_by_staff_id is not None and not report.urgent
    page = officer.client.get("/staff/inspections/").text
    assert f"Recorded report {report.reference} for Ann Smith." in page
    line = db.scalars(select(AuditEntry).where(AuditEntry.action == "entered_for_tenant")).one()
    assert (line.tenant_id, line.detail) == (ann.id, f"issue report {report.reference}: in_person")


def test_a_report_that_sounds_dangerous_is_flagged_as_one_a_tenant_texts_is(
    staff_as: Staff, db: Session, methil: Area
) -> None:
    ann = create_tenant(db, area=methil)
    db.commit()
    officer = staff_as("officer")

    details = a_report(str(ann.id), description="There is a smell of gas on the stair")
    assert officer.submit(REPORT, REPORT, details).status_code == 302

    assert db.scalars(select(IssueReport)).one().urgent


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"tenant": "07700 900198"}, "No tenant has that phone number"),
        ({"location": ""}, "Say where it is."),
        ({"description": ""}, "Say what is wrong."),
        ({"category": "noise"}, "Not a valid choice"),
        ({"source": "sms"}, "Not a valid choice"),
    ],
)
def test_a_report_with_bad_input_is_refused_with_the_reason_and_nothing_kept(
    staff_as: Staff, db: Session, methil: Area, changes: dict[str, str], reason: str
) -> None:
    ann = create_tenant(db, area=methil)
    db.commit()

    response = staff_as("officer").submit(REPORT, REPORT, a_report(str(ann.id), **changes))

    assert response.status_code == 422 and reason in response.text
    assert db.scalars(select(IssueReport)).all() == []
    assert staff_as("viewer").client.get(REPORT).status_code == 403
