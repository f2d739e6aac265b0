"""The broadcasts console: writing a notice, what it costs before sending, the characters
that would make it dearer, lists of tenants from a spreadsheet, and who may do what."""

from __future__ import annotations

import io
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.broadcasts import Broadcast
from models.schedule import ScheduledTask
from tests.factories import create_area, create_tenant
from tests.helpers import StaffBrowser

NEW = "/staff/broadcasts/new"
StaffAs = Callable[[str], StaffBrowser]


def write(browser: StaffBrowser, text: str, **fields: object) -> str:
    """Save a notice to everyone; the path of its page."""
    data = {"kind": "notice", "text_en": text, "everyone": "y", "topic": "news", **fields}
    saved = browser.submit(NEW, NEW, data)
    assert saved.status_code == 302, saved.text
    return saved.headers["Location"]


def test_pasted_curly_quotes_and_dashes_are_straightened_before_the_notice_is_saved(
    db: Session, staff_as: StaffAs
) -> None:
    create_tenant(db)
    db.commit()
    page = (
        staff_as("officer")
        .client.get(
            write(
                staff_as("officer"), "Don\u2019t miss the \u201cfun day\u201d \u2013 Sat 10am\u2026"
            )
        )
        .text
    )
    assert db.scalar(select(Broadcast.texts)) == {"en": 'Don\'t miss the "fun day" - Sat 10am...'}
    assert "1 SMS segment, GSM-7" in page
    assert "force UCS-2" not in page


def test_an_emoji_is_highlighted_with_what_it_costs_before_sending(
    db: Session, staff_as: StaffAs
) -> None:
    for _ in range(3):
        create_tenant(db)
    db.commit()
    officer = staff_as("officer")
    text = "Fun day on Saturday \U0001f389 bring the kids! " + "Face painting, games. " * 3
    page = officer.client.get(write(officer, text)).text
    assert '<mark class="ucs2-char">\U0001f389</mark>' in page
    assert "2 SMS segments, UCS-2" in page
    assert '<dd id="recipients">3</dd>' in page
    assert "£0.24 (at £0.040 a segment)" in page  # 3 tenants x 2 segments x 4p
    english = page.split('aria-labelledby="lang-en"')[1].split("</section>")[0]
    assert english.count('<pre class="sms">') == 2  # shown where the phone splits it


def test_a_notice_over_two_text_messages_cannot_be_sent(db: Session, staff_as: StaffAs) -> None:
    create_tenant(db)
    db.commit()
    officer = staff_as("officer")
    path = write(officer, "The lifts are being replaced. " * 12)
    page = officer.client.get(path).text
    assert "takes 3 text messages; keep it to 2" in page
    assert "Send now" not in page
    broadcast_id = path.rsplit("/", 1)[1]
    refused = officer.submit(path, f"/staff/broadcasts/{broadcast_id}/send", {})
    assert refused.status_code == 409


def test_a_polish_text_goes_to_polish_readers_and_english_to_the_rest(
    db: Session, staff_as: StaffAs
) -> None:
    create_tenant(db, language="pl")
    create_tenant(db)
    db.commit()
    officer = staff_as("officer")
    page = officer.client.get(
        write(officer, "Bins go out on Tuesday.", text_pl="Śmieci wystawiamy we wtorek.")
    ).text
    assert "Fife Housing Group: Śmieci wystawiamy we wtorek.</pre>" in page
    assert "Fife Housing Group: Bins go out on Tuesday.</pre>" in page
    assert "£0.08" in page


def test_a_csv_of_tenants_is_the_audience_and_rows_matching_nobody_are_listed(
    db: Session, staff_as: StaffAs
) -> None:
    by_phone = create_tenant(db, phone="+447700900150")
    by_id = create_tenant(db)
    create_tenant(db)  # not on the list
    db.commit()
    officer = staff_as("officer")
    listed = f"phone\n07700 900150\n{by_id.id}\n07700 900199\nnot a number\n".encode()
    saved = officer.client.post(
        NEW,
        data={
            "kind": "notice",
            "text_en": "Your block's meeting is on Monday.",
            "topic": "news",
            "tenants_csv": (io.BytesIO(listed), "tenants.csv"),
            "csrf_token": officer.token_for(NEW),
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302, saved.text
    page = officer.client.get(saved.headers["Location"]).text
    assert '<dd id="recipients">2</dd>' in page
    assert "2 rows of the list matched no tenant" in page
    assert "<li>07700 900199</li>" in page and "<li>not a number</li>" in page
    stored = db.scalar(select(Broadcast.audience))
    assert stored is not None and stored["tenant_ids"] == sorted([by_phone.id, by_id.id])


def test_a_notice_for_nobody_is_refused_with_a_reason(staff_as: StaffAs) -> None:
    officer = staff_as("officer")
    refused = officer.submit(NEW, NEW, {"kind": "notice", "text_en": "Hello", "topic": "news"})
    assert refused.status_code == 422
    assert "Choose everyone, some areas, some roles or a list of tenants." in refused.text


def test_only_an_admin_may_mark_a_notice_urgent(staff_as: StaffAs) -> None:
    officer = staff_as("officer")
    assert (
        officer.submit(NEW, NEW, {"text_en": "Hi", "everyone": "y", "urgent": "y"}).status_code
        == 403
    )
    assert "Urgent" in staff_as("admin").client.get(NEW).text
    assert "Urgent" not in officer.client.get(NEW).text


def test_an_opportunity_starts_out_for_the_volunteer_bank(staff_as: StaffAs) -> None:
    form = staff_as("officer").client.get(NEW + "?kind=opportunity").text
    assert (
        '<input checked id="roles-0" name="roles" type="checkbox" value="volunteer_bank">' in form
    )
    assert "Reply YES if you can help." in form


def test_a_viewer_sees_broadcasts_but_cannot_write_one(db: Session, staff_as: StaffAs) -> None:
    create_tenant(db)
    db.commit()
    path = write(staff_as("officer"), "Bins go out on Tuesday.")
    viewer = staff_as("viewer")
    assert "Bins go out on Tuesday." in viewer.client.get("/staff/broadcasts/").text
    assert "Send now" not in viewer.client.get(path).text
    assert viewer.client.get(NEW).status_code == 403


def test_scheduling_from_the_console_books_a_task_at_that_local_time(
    db: Session, sessions: sessionmaker[Session], staff_as: StaffAs
) -> None:
    create_tenant(db, area=create_area(db))
    db.commit()
    officer = staff_as("officer")
    path = write(officer, "Bins go out on Tuesday.")
    broadcast_id = path.rsplit("/", 1)[1]
    booked = officer.submit(
        path, f"/staff/broadcasts/{broadcast_id}/schedule", {"day": "2026-06-10", "at": "18:30"}
    )
    assert booked.status_code == 302, booked.text
    task = db.scalar(select(ScheduledTask))
    assert task is not None and task.due_at.isoformat() == "2026-06-10T17:30:00+00:00"  # BST
    assert "Scheduled for 10 Jun 2026, 18:30" in officer.client.get(path).text
