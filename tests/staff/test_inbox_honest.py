"""The inbox is honest: a message is filed as a reply to a broadcast only when it plausibly
answers it, each item shows what was sent back and by whom, "replied" is a state staff can
list by, and opening an item another officer has open says so. A reply to a broadcast for
mystery shoppers is not linked to it for staff without an admin's leave."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from models.audit import AuditAction, AuditEntry
from models.messages import InboundRecord
from models.staff import StaffUser
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from tests.broadcast_helpers import create, deliver_all, send
from tests.conftest import make_staff
from tests.helpers import Clock, Phone, StaffBrowser
from tests.staff.shopper_leave import let_see_shoppers

Headers = Callable[[str], dict[str, str]]
Staff = Callable[[str], StaffBrowser]
INBOX = "/staff/inbox/"
MOULD = (
    "I am writing about black mould in my child's bedroom. It has been growing on the wall "
    "behind the bed for three months and now it is on the ceiling too. My daughter is four "
    "and she has had a cough all winter. We wipe it down with bleach every week but it comes "
    "back within days. The window frame is rotten and water runs down the glass every "
    "morning. I reported this by phone in October and nobody came. Please can someone come "
    "and look at it this week, I am really worried about her health and her sleep."
)
PROBLEM = "The close door at number 12 will not lock"


def broadcast_delivered(
    client: FlaskClient, headers: dict[str, str], dispatcher: Dispatcher, **body: Any
) -> int:
    """A notice (the lifts at Methil Court, to everyone unless told) sent and delivered."""
    broadcast = create(client, headers, **body)
    send(client, headers, broadcast["id"])
    deliver_all(dispatcher)
    return int(broadcast["id"])


def inbox_item(db: Session, body: str) -> InboundRecord:
    db.expire_all()
    found = db.scalar(select(InboundRecord).where(InboundRecord.body == body))
    db.commit()
    assert found is not None and found.inbox == "open", body
    return found


def staff_id(db: Session, email: str) -> int:
    found = db.scalar(select(StaffUser.id).where(StaffUser.email == email))
    db.commit()
    assert found is not None
    return found


def api_inbox(client: FlaskClient, headers: dict[str, str], query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/inbox{query}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json  # type: ignore[no-any-return]


def test_a_long_complaint_about_mould_soon_after_a_notice_is_not_filed_as_a_reply_to_it(
    client: FlaskClient,
    db: Session,
    clock: Clock,
    dispatcher: Dispatcher,
    phone: Phone,
    tenant: Tenant,
    api_token: Headers,
    staff_as: Staff,
) -> None:
    headers = api_token("officer")
    broadcast_delivered(client, headers, dispatcher)
    clock.advance(hours=2)

    phone.text(MOULD)

    assert inbox_item(db, MOULD).broadcast_id is None
    page = staff_as("viewer").client.get(INBOX).get_data(as_text=True)
    assert "black mould in my child" in page and "In reply to" not in page
    [item] = api_inbox(client, headers)["items"]
    assert (item["body"], item["in_reply_to_broadcast"]) == (MOULD, None)


def test_a_short_reply_within_a_day_of_a_notice_is_filed_as_a_reply_to_it(
    client: FlaskClient,
    db: Session,
    clock: Clock,
    dispatcher: Dispatcher,
    phone: Phone,
    tenant: Tenant,
    api_token: Headers,
    staff_as: Staff,
) -> None:
    headers = api_token("officer")
    broadcast_id = broadcast_delivered(client, headers, dispatcher)
    clock.advance(hours=5)

    phone.text("What time do they start?")

    assert inbox_item(db, "What time do they start?").broadcast_id == broadcast_id
    page = staff_as("viewer").client.get(INBOX).get_data(as_text=True)
    assert f'In reply to <a href="/staff/broadcasts/{broadcast_id}">' in page
    [item] = api_inbox(client, headers)["items"]
    assert item["in_reply_to_broadcast"] == broadcast_id


def test_days_after_a_notice_only_a_message_that_repeats_its_words_is_filed_as_a_reply(
    client: FlaskClient,
    db: Session,
    clock: Clock,
    dispatcher: Dispatcher,
    phone: Phone,
    tenant: Tenant,
    api_token: Headers,
) -> None:
    broadcast_id = broadcast_delivered(client, api_token("officer"), dispatcher)
    clock.advance(days=3)
    echoes = "Are the lifts done yet?"
    unrelated = "My boiler is broken"
    long_echo = (
        "I missed your text about Methil Court. My mother is in a wheelchair and cannot use "
        "the stairs, so if the lifts are off on Monday she will be stuck in the flat all day. "
        "Can somebody ring me about it, please?"
    )

    for said in (echoes, unrelated, long_echo, MOULD):
        phone.text(said)

    linked = {said: inbox_item(db, said).broadcast_id for said in (echoes, unrelated, long_echo)}
    assert linked == {echoes: broadcast_id, unrelated: None, long_echo: broadcast_id}
    assert inbox_item(db, MOULD).broadcast_id is None
    clock.advance(days=5)  # eight days on, nothing is a reply to it any more
    phone.text("Are the lifts working again?")
    assert inbox_item(db, "Are the lifts working again?").broadcast_id is None


def test_each_item_shows_the_replies_sent_to_it_by_whom_and_when(
    client: FlaskClient,
    db: Session,
    clock: Clock,
    phone: Phone,
    tenant: Tenant,
    api_token: Headers,
    staff_as: Staff,
) -> None:
    phone.text(PROBLEM)
    item_id = inbox_item(db, PROBLEM).id
    officer = staff_as("officer")
    clock.advance(minutes=20)

    sent = officer.submit(INBOX, f"/staff/inbox/{item_id}/reply", {"text": "A joiner comes today."})

    assert sent.status_code == 302
    viewer = staff_as("viewer")
    for page in (INBOX, f"/staff/inbox/{item_id}"):
        html = viewer.client.get(page).get_data(as_text=True)
        assert "A joiner comes today." in html and f"Replied by {officer.email}" in html
        assert "3 Mar 2026, 10:20" in html  # when the officer replied
        assert "Automatic reply" in html and "We have passed your message" in html
        assert "· replied" in html
    [item] = api_inbox(client, api_token("viewer"))["items"]
    assert item["replied"] is True
    answers = [(r["body"], r["sent_by_staff_id"]) for r in item["replies"]]
    assert answers[-1] == ("A joiner comes today.", staff_id(db, officer.email))
    assert answers[0][1] is None and "passed your message" in answers[0][0]


def test_replied_is_a_state_the_console_and_the_api_list_by(
    client: FlaskClient,
    db: Session,
    phone: Phone,
    tenant: Tenant,
    api_token: Headers,
    staff_as: Staff,
) -> None:
    answered, waiting = PROBLEM, "The stair light flickers"
    for said in (answered, waiting):
        phone.text(said)
    officer = staff_as("officer")
    officer.submit(INBOX, f"/staff/inbox/{inbox_item(db, answered).id}/reply", {"text": "Noted."})
    headers = api_token("viewer")

    replied = officer.client.get(INBOX + "?replied=yes").get_data(as_text=True)
    not_yet = officer.client.get(INBOX + "?replied=no").get_data(as_text=True)

    assert answered in replied and waiting not in replied
    assert waiting in not_yet and answered not in not_yet
    assert [i["body"] for i in api_inbox(client, headers, "?replied=true")["items"]] == [answered]
    assert [i["body"] for i in api_inbox(client, headers, "?replied=false")["items"]] == [waiting]
    assert api_inbox(client, headers)["total"] == 2, "both stay open until marked done"
    refused = client.get("/api/v1/inbox?replied=maybe", headers=headers)
    assert refused.status_code == 400 and "replied" in refused.json["error"]


def test_opening_an_item_another_officer_opened_minutes_ago_says_they_may_be_answering_it(
    client: FlaskClient,
    db: Session,
    clock: Clock,
    phone: Phone,
    tenant: Tenant,
    api_token: Headers,
    staff_as: Staff,
) -> None:
    phone.text(PROBLEM)
    item = f"/staff/inbox/{inbox_item(db, PROBLEM).id}"
    sam, kim, viewer = staff_as("officer"), staff_as("officer"), staff_as("viewer")
    first = sam.client.get(item).get_data(as_text=True)
    assert "may be answering it" not in first and "Last opened" not in first
    clock.advance(minutes=3)

    seen_by_kim = kim.client.get(item).get_data(as_text=True)

    assert f"{sam.email} opened this 3 minutes ago and may be answering it" in seen_by_kim
    listed = sam.client.get(INBOX).get_data(as_text=True)
    assert f"{kim.email} opened this just now and may be answering it" in listed
    assert "You last opened this" in kim.client.get(INBOX).get_data(as_text=True)
    clock.advance(minutes=1)
    viewer.client.get(item)  # a viewer cannot reply, so reading is not answering
    [listed] = api_inbox(client, api_token("viewer"))["items"]
    assert listed["opened_by_staff_id"] == staff_id(db, kim.email)
    clock.advance(minutes=45)
    later = sam.client.get(item).get_data(as_text=True)
    assert "may be answering it" not in later
    assert f"Last opened by {kim.email}, 46 minutes ago." in later


@pytest.fixture
def shoppers_notice(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    dispatcher: Dispatcher,
    phone: Phone,
    tenant: Tenant,
) -> tuple[int, int]:
    """A notice for mystery shoppers only (from an officer with leave), and Ann's answer."""
    tenant.set_roles({"mystery_shopper"})
    db.commit()
    headers = {"Authorization": f"Bearer {make_staff(sessions, 'booker@fhg.example', 'officer')}"}
    let_see_shoppers(db, "booker@fhg.example")
    broadcast_id = broadcast_delivered(
        client, headers, dispatcher, audience={"roles": ["mystery_shopper"]}
    )
    clock.advance(hours=1)
    phone.text("What time on Monday?")
    item = inbox_item(db, "What time on Monday?")
    assert item.broadcast_id == broadcast_id, "it answers the notice"
    return broadcast_id, item.id


def test_a_reply_to_a_notice_for_mystery_shoppers_is_not_linked_to_it_for_staff_without_leave(
    client: FlaskClient, api_token: Headers, staff_as: Staff, shoppers_notice: tuple[int, int]
) -> None:
    broadcast_id, item_id = shoppers_notice
    officer = staff_as("officer")

    for page in (INBOX, f"/staff/inbox/{item_id}"):
        html = officer.client.get(page).get_data(as_text=True)
        assert "What time on Monday?" in html and "Ann Smith" in html
        assert "In reply to" not in html and f"/staff/broadcasts/{broadcast_id}" not in html
    [item] = api_inbox(client, api_token("officer"))["items"]
    assert item["tenant"]["name"] == "Ann Smith" and item["in_reply_to_broadcast"] is None


def test_staff_with_leave_see_the_link_and_the_audit_log_says_they_were_shown_a_shopper(
    db: Session, staff_as: Staff, tenant: Tenant, shoppers_notice: tuple[int, int]
) -> None:
    broadcast_id, _item_id = shoppers_notice
    allowed = staff_as("officer")
    let_see_shoppers(db, allowed.email)

    html = allowed.client.get(INBOX).get_data(as_text=True)

    assert f'In reply to <a href="/staff/broadcasts/{broadcast_id}">' in html
    db.expire_all()
    lines = db.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.SHOPPER_IDENTITY_VIEWED)
    )
    seen = [(line.staff_id, line.tenant_id) for line in lines]
    assert (staff_id(db, allowed.email), tenant.id) in seen


def test_an_item_that_is_not_in_the_inbox_has_no_page(
    db: Session, phone: Phone, tenant: Tenant, staff_as: Staff
) -> None:
    phone.text("MENU")  # answered by the bot: never an inbox item
    menu = db.scalar(select(InboundRecord.id).where(InboundRecord.body == "MENU"))
    db.commit()
    viewer = staff_as("viewer")
    assert viewer.client.get(f"/staff/inbox/{menu}").status_code == 404
    assert viewer.client.get("/staff/inbox/99999999999").status_code == 404


def test_the_list_and_an_item_need_a_signed_in_staff_member(
    client: FlaskClient, db: Session, phone: Phone, tenant: Tenant
) -> None:
    phone.text(PROBLEM)
    item = inbox_item(db, PROBLEM)
    answer = client.get(f"/staff/inbox/{item.id}")
    assert answer.status_code == 302 and "/staff/login" in answer.headers["Location"]
    db.expire_all()
    assert db.get(InboundRecord, item.id).opened_by_staff_id is None  # type: ignore[union-attr]
