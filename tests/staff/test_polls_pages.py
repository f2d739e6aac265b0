"""Polls in the console: publish, read results and coverage, paper votes, remind, outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.messages import OutboundRecord
from models.polls import Poll, PollVote
from models.tenants import Area
from tests.factories import create_area, create_tenant
from tests.helpers import Clock, Phone, StaffBrowser

Staff = Callable[[str], StaffBrowser]
NEW = "/staff/polls/new"
CLOSES_AT = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


@pytest.fixture
def methil(db: Session) -> Area:
    area = create_area(db, name="Methil")
    area.homes = 4
    db.commit()
    return area


def poll_form(**changes: str) -> dict[str, str]:
    form = {
        "question": "Which rent rise do you prefer for 2027?",
        "options": "3% rise\n4% with new kitchens",
        "everyone": "y",
        "day": "2026-03-10",
        "at": "17:00",
        "reminder_days": "2",
    }
    return {**form, **changes}


def publish(officer: StaffBrowser, **changes: str) -> int:
    response = officer.submit(NEW, NEW, poll_form(**changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def notices(db: Session) -> list[OutboundRecord]:
    db.expire_all()
    return list(db.scalars(select(OutboundRecord).where(OutboundRecord.kind == "notice")))


def test_an_officer_publishes_a_poll_and_the_audience_is_invited_in_the_window(
    staff_as: Staff, db: Session, methil: Area, clock: Clock
) -> None:
    tenant = create_tenant(db, area=methil)
    db.commit()
    poll_id = publish(staff_as("officer"))
    poll = db.get_one(Poll, poll_id)
    assert poll.options == ["3% rise", "4% with new kitchens"]
    assert poll.closes_at == CLOSES_AT
    [invitation] = notices(db)
    assert invitation.tenant_id == tenant.id and invitation.topic == "surveys"
    assert "Reply VOTE to answer by Tue 10 Mar, 17:00." in invitation.body


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"question": ""}, "Write the question."),
        ({"options": "Only one"}, "Give 2 to 6 options."),
        ({"options": "a\nb\nc\nd\ne\nf\ng"}, "Give 2 to 6 options."),
        ({"options": "Yes\nyes"}, "Two options are the same."),
        ({"options": "Yes\n" + "x" * 41}, "Keep each option to 40 characters."),
        ({"everyone": ""}, "Choose everyone, some areas or some roles."),
        ({"day": "2026-03-01"}, "The closing time has passed"),
        ({"day": "not a date"}, "Not a valid date value."),
        ({"reminder_days": "-1"}, "Choose 0 to 60 days."),
        ({"question": "Which? " * 50}, "Keep the question to 300 characters."),
        (
            {
                "question": "Which rent rise do you prefer? " * 8,
                "options": "x" * 40 + "\n" + "y" * 40,
            },
            "do not fit in 2 text messages",
        ),
    ],
)
def test_a_poll_with_bad_input_is_refused_with_the_reason(
    staff_as: Staff, db: Session, changes: dict[str, str], reason: str
) -> None:
    response = staff_as("officer").submit(NEW, NEW, poll_form(**changes))
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert db.scalars(select(Poll)).all() == []


def test_a_viewer_reads_polls_but_cannot_publish_one(staff_as: Staff) -> None:
    viewer = staff_as("viewer")
    assert viewer.client.get("/staff/polls/").status_code == 200
    assert viewer.client.get(NEW).status_code == 403


def test_results_show_counts_percentages_a_chart_and_coverage_against_homes(
    staff_as: Staff, db: Session, methil: Area, phone: Phone
) -> None:
    create_tenant(db, phone=phone.number, area=methil)
    db.commit()
    officer = staff_as("officer")
    poll_id = publish(officer)
    phone.text("VOTE")
    phone.text("2")
    page = officer.client.get(f"/staff/polls/{poll_id}").get_data(as_text=True)
    assert "Results (1 vote)" in page
    assert '<svg class="bar"' in page and "100.0%" in page and "0.0%" in page
    assert '<th scope="row">Methil</th>\n      <td>1</td>\n      <td>4</td>' in page
    assert "25.0%" in page
    assert f"/staff/polls/{poll_id}/remind/{methil.id}" in page


def test_a_paper_vote_is_recorded_with_its_source_and_the_staff_member(
    staff_as: Staff, db: Session, methil: Area
) -> None:
    tenant = create_tenant(db, area=methil)
    db.commit()
    officer = staff_as("officer")
    poll_id = publish(officer)
    page = f"/staff/polls/{poll_id}"
    response = officer.submit(
        page, f"{page}/votes", {"tenant": tenant.phone, "choice": "0", "source": "paper"}
    )
    assert response.status_code == 302
    vote = db.scalars(select(PollVote)).one()
    assert (vote.tenant_id, vote.choice, vote.source) == (tenant.id, 0, "paper")
    assert vote.staff_id is not None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"tenant": "07700 900198", "choice": "0", "source": "paper"}, "No tenant has that"),
        ({"tenant": "", "choice": "0", "source": "paper"}, "Enter the tenant"),
        ({"tenant": "1", "choice": "5", "source": "paper"}, "Not a valid choice"),
        ({"tenant": "1", "choice": "0", "source": "sms"}, "Not a valid choice"),
    ],
)
def test_a_paper_vote_with_bad_input_is_refused_with_the_reason(
    staff_as: Staff, db: Session, data: dict[str, str], reason: str
) -> None:
    officer = staff_as("officer")
    poll_id = publish(officer)
    page = f"/staff/polls/{poll_id}"
    response = officer.submit(page, f"{page}/votes", data)
    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert db.scalars(select(PollVote)).all() == []


def test_reminding_an_area_asks_first_then_reaches_only_its_tenants_who_have_not_voted(
    staff_as: Staff, db: Session, methil: Area, phone: Phone
) -> None:
    create_tenant(db, phone=phone.number, area=methil)
    quiet = create_tenant(db, area=methil)
    create_tenant(db, area=create_area(db, name="Leven"))
    db.commit()
    officer = staff_as("officer")
    poll_id = publish(officer)
    phone.text("VOTE")
    phone.text("1")
    before = len(notices(db))
    remind = f"/staff/polls/{poll_id}/remind/{methil.id}"
    confirm = officer.client.get(remind).get_data(as_text=True)
    assert "1 tenant of Methil who were asked and have not voted" in confirm
    assert len(notices(db)) == before
    assert officer.submit(remind, remind, {}).status_code == 302
    reminders = notices(db)[before:]
    assert [row.tenant_id for row in reminders] == [quiet.id]
    assert reminders[0].body.startswith("Reminder: ")


def test_the_outcome_is_published_once_after_the_close_and_shown_on_the_poll(
    staff_as: Staff, db: Session, methil: Area, phone: Phone, clock: Clock
) -> None:
    voter = create_tenant(db, phone=phone.number, area=methil)
    create_tenant(db, area=methil)
    db.commit()
    officer = staff_as("officer")
    poll_id = publish(officer)
    phone.text("VOTE")
    phone.text("1")
    page = f"/staff/polls/{poll_id}"
    early = officer.submit(page, f"{page}/outcome", {"outcome": "Rents rise 3%."})
    assert early.status_code == 409
    clock.now = CLOSES_AT + timedelta(hours=1)
    too_long = officer.submit(page, f"{page}/outcome", {"outcome": "Rents rise 3%. " * 30})
    assert too_long.status_code == 422
    before = len(notices(db))
    response = officer.submit(page, f"{page}/outcome", {"outcome": "Rents rise 3% in April."})
    assert response.status_code == 302
    [told] = notices(db)[before:]
    assert told.tenant_id == voter.id
    assert told.body.startswith("You said, we did: Rents rise 3% in April.")
    assert "Rents rise 3% in April." in officer.client.get(page).get_data(as_text=True)
    again = officer.submit(page, f"{page}/outcome", {"outcome": "Something else."})
    assert again.status_code == 409


def test_closing_early_asks_first_and_then_no_vote_counts(
    staff_as: Staff, db: Session, methil: Area, phone: Phone
) -> None:
    create_tenant(db, phone=phone.number, area=methil)
    db.commit()
    officer = staff_as("officer")
    poll_id = publish(officer)
    close = f"/staff/polls/{poll_id}/close"
    assert "Close the poll now?" in officer.client.get(close).get_data(as_text=True)
    assert officer.submit(close, close, {}).status_code == 302
    phone.text("VOTE")
    phone.text("1")
    assert db.scalars(select(PollVote)).all() == []
    assert officer.client.get(close).status_code == 409


def test_a_missing_poll_is_a_404(staff_as: Staff) -> None:
    assert staff_as("viewer").client.get("/staff/polls/99999999999").status_code == 404
