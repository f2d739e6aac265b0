"""The inbox, used as an officer would: read what tenants wrote, reply, mark it done."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.messages import InboundRecord, InboxState, OutboundRecord
from scheduler.dispatcher import Dispatcher
from tests.factories import create_area, create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Phone, StaffBrowser

Staff = Callable[[str], StaffBrowser]
INBOX = "/staff/inbox/"


def sign_up_and_write(phone: Phone, db: Session, message: str = "The lift is broken") -> int:
    """Register as Ann Smith of Methil by text, then send free text; the inbox item's id."""
    create_area(db, name="Methil")
    db.commit()
    phone.text("Hi")
    phone.text("Ann Smith")
    phone.text("1")  # yes, that is my name
    if any("Do you live in Methil?" in reply for reply in phone.text("Methil")):
        phone.text("Yes")
    phone.text(message)
    db.expire_all()
    item = db.scalar(select(InboundRecord).where(InboundRecord.inbox == InboxState.OPEN))
    db.commit()
    assert item is not None and item.body == message
    return item.id


def staff_replies(db: Session, inbound_id: int) -> list[OutboundRecord]:
    db.expire_all()
    found = list(
        db.scalars(
            select(OutboundRecord)
            .where(OutboundRecord.in_reply_to == inbound_id)
            .order_by(OutboundRecord.id)
        )
    )
    db.commit()
    return found


def reply(officer: StaffBrowser, item_id: int, text: str) -> tuple[int, str]:
    response = officer.submit(INBOX, f"/staff/inbox/{item_id}/reply", {"text": text})
    return response.status_code, response.get_data(as_text=True)


def test_a_tenants_free_text_is_listed_with_their_name_linked(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    item_id = sign_up_and_write(phone, db)
    tenant_id = db.get(InboundRecord, item_id).tenant_id  # type: ignore[union-attr]
    db.commit()

    html = staff_as("viewer").client.get(INBOX).get_data(as_text=True)

    assert f'<a href="/staff/tenants/{tenant_id}">Ann Smith</a>' in html
    assert "The lift is broken" in html and "by SMS" in html
    assert "1 message waiting" in html


def test_an_officers_reply_reaches_the_tenants_phone_and_the_item_can_be_marked_done(
    staff_as: Staff, phone: Phone, db: Session, dispatcher: Dispatcher, fake_twilio: FakeTwilio
) -> None:
    item_id = sign_up_and_write(phone, db)
    officer = staff_as("officer")

    response = officer.submit(
        INBOX, f"/staff/inbox/{item_id}/reply", {"text": "Sorry Ann, an engineer comes today."}
    )

    assert response.status_code == 302
    [queued] = [row for row in staff_replies(db, item_id) if row.body.startswith("Sorry Ann")]
    assert (queued.channel, queued.address, queued.status) == ("sms", phone.number, "queued")
    assert "Your reply is on its way" in officer.client.get(INBOX).get_data(as_text=True)

    dispatcher.run_once()
    assert [m["body"] for m in fake_twilio.sent_to(phone.number)] == [
        "Sorry Ann, an engineer comes today."
    ]

    done = officer.submit(INBOX, f"/staff/inbox/{item_id}/done", {})
    assert done.status_code == 302
    still_open = officer.client.get(INBOX).get_data(as_text=True)
    assert "Marked done." in still_open and "The lift is broken" not in still_open
    assert "The lift is broken" in officer.client.get(INBOX + "?state=done").get_data(as_text=True)


def test_a_reply_to_a_tenant_who_said_stop_is_refused_with_the_reason(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    item_id = sign_up_and_write(phone, db)
    phone.text("STOP")
    before = len(staff_replies(db, item_id))

    status, html = reply(staff_as("officer"), item_id, "We will fix the lift.")

    assert status == 422
    assert "Not sent: this tenant has opted out of messages on this channel." in html
    assert ">We will fix the lift.</textarea>" in html  # the officer's words are kept
    assert len(staff_replies(db, item_id)) == before


def test_a_reply_too_long_for_two_texts_is_refused_with_the_reason(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    item_id = sign_up_and_write(phone, db)
    status, html = reply(staff_as("officer"), item_id, "word " * 80)
    assert status == 422 and "keep the reply to 2 text messages" in html


def test_an_empty_reply_is_refused(staff_as: Staff, phone: Phone, db: Session) -> None:
    item_id = sign_up_and_write(phone, db)
    status, html = reply(staff_as("officer"), item_id, "   ")
    assert status == 422 and "Write a reply first." in html


def test_a_reply_to_a_telegram_message_goes_back_to_that_chat(staff_as: Staff, db: Session) -> None:
    tenant = create_tenant(db, name="Ann Smith", channels=("telegram",))
    chat = tenant.identities[0].address
    item = InboundRecord(
        tenant_id=tenant.id,
        channel="telegram",
        address=chat,
        provider_id="1",
        body="Hello?",
        inbox=InboxState.OPEN,
    )
    db.add(item)
    db.commit()

    status, _html = reply(staff_as("officer"), item.id, "Hello Ann, how can we help?")

    assert status == 302
    [sent] = staff_replies(db, item.id)
    assert (sent.channel, sent.address, sent.body) == (
        "telegram",
        chat,
        "Hello Ann, how can we help?",
    )


def test_a_viewer_sees_no_reply_form_and_cannot_reply_or_mark_done(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    item_id = sign_up_and_write(phone, db)
    viewer = staff_as("viewer")
    assert "Send reply" not in viewer.client.get(INBOX).get_data(as_text=True)
    assert reply(viewer, item_id, "Hello")[0] == 403
    assert viewer.submit(INBOX, f"/staff/inbox/{item_id}/done", {}).status_code == 403
    assert [row for row in staff_replies(db, item_id) if row.body == "Hello"] == []
    db.expire_all()
    assert db.get(InboundRecord, item_id).inbox == InboxState.OPEN  # type: ignore[union-attr]
    db.commit()


def test_a_reply_with_a_forged_csrf_token_is_refused(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    item_id = sign_up_and_write(phone, db)
    before = len(staff_replies(db, item_id))
    response = staff_as("officer").client.post(
        f"/staff/inbox/{item_id}/reply", data={"text": "Hello", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert len(staff_replies(db, item_id)) == before


def test_a_reply_to_a_message_that_is_not_in_the_inbox_is_a_404(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    phone.text("Hello")
    first = db.scalar(select(InboundRecord))
    db.commit()
    assert first is not None and first.inbox is None
    status, html = reply(staff_as("officer"), first.id, "Hello")
    assert status == 404 and f"There is no inbox message number {first.id}" in html


def test_html_in_a_message_is_shown_as_text(staff_as: Staff, phone: Phone, db: Session) -> None:
    sign_up_and_write(phone, db, message='<img src=x onerror="alert(1)"> the lift')
    html = staff_as("viewer").client.get(INBOX).get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; the lift" in html
    assert "<img src=x" not in html


def test_the_csv_export_lists_the_tab_shown(staff_as: Staff, phone: Phone, db: Session) -> None:
    sign_up_and_write(phone, db)
    viewer = staff_as("viewer")

    response = viewer.client.get("/staff/inbox/export.csv?state=open")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows == [
        ["received", "tenant", "channel", "message", "state"],
        ["3 Mar 2026, 10:00", "Ann Smith", "sms", "The lift is broken", "open"],
    ]
    done = viewer.client.get("/staff/inbox/export.csv?state=done").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(done))) == [
        ["received", "tenant", "channel", "message", "state"]
    ]


def test_a_done_item_can_be_moved_back_to_open(staff_as: Staff, phone: Phone, db: Session) -> None:
    item_id = sign_up_and_write(phone, db)
    officer = staff_as("officer")
    officer.submit(INBOX, f"/staff/inbox/{item_id}/done", {})
    response = officer.submit(INBOX + "?state=done", f"/staff/inbox/{item_id}/reopen", {})
    assert response.status_code == 302
    assert "The lift is broken" in officer.client.get(INBOX).get_data(as_text=True)


def test_the_tenants_thread_shows_which_officer_wrote_a_reply(
    staff_as: Staff, phone: Phone, db: Session
) -> None:
    item_id = sign_up_and_write(phone, db)
    officer = staff_as("officer")
    assert reply(officer, item_id, "A joiner will call on Tuesday.")[0] == 302
    (row,) = [r for r in staff_replies(db, item_id) if r.sent_by_staff_id is not None]
    tenant_id = row.tenant_id
    page = officer.client.get(f"/staff/tenants/{tenant_id}").get_data(as_text=True)
    assert f"written by {officer.email}" in page
