"""A tenant's message log, and the inbox: reading it, replying on the tenant's channel, closing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.consent import Topic, record_consent
from models.messages import InboundRecord, OutboundRecord
from models.tenants import Identity, Tenant
from tests.factories import create_tenant
from tests.helpers import Clock, Phone, TelegramChat

Headers = Callable[[str], dict[str, str]]
PROBLEM = "The lift in my block is broken again"


def tenant_with_phone(db: Session, phone: Phone, name: str = "Ann Example") -> Tenant:
    tenant = create_tenant(db, name=name, phone=phone.number)
    db.commit()
    return tenant


def inbox_item(db: Session, body: str = PROBLEM) -> InboundRecord:
    found = db.scalar(select(InboundRecord).where(InboundRecord.body == body))
    assert found is not None and found.inbox == "open"
    return found


def test_the_message_log_shows_what_a_tenant_texted_and_what_the_bot_answered(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers
) -> None:
    replies = phone.text("Hi")
    tenant = db.scalar(select(Tenant).where(Tenant.phone == phone.number))
    assert tenant is not None and replies
    response = client.get(f"/api/v1/tenants/{tenant.id}/messages", headers=api_token("viewer"))
    assert response.status_code == 200
    log = response.json
    assert log["total"] == 1 + len(replies)
    first, answer = log["items"][0], log["items"][1]
    assert (first["direction"], first["channel"], first["body"]) == ("in", "sms", "Hi")
    assert first["status"] is None and first["address"] == phone.number
    assert datetime.fromisoformat(first["time"]).utcoffset() is not None
    assert (answer["direction"], answer["body"], answer["status"]) == ("out", replies[0], "sent")
    assert answer["in_reply_to"] == first["id"]


def test_the_message_log_is_paged(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers, clock: Clock
) -> None:
    tenant_with_phone(db, phone)
    for text in ("one thing about my home", "two things about my home", "three things"):
        phone.text(text)
        clock.advance(minutes=1)
    tenant_id = db.scalar(select(Tenant.id).where(Tenant.phone == phone.number))
    path = f"/api/v1/tenants/{tenant_id}/messages"
    page = client.get(f"{path}?limit=2&offset=2", headers=api_token("viewer")).json
    assert (page["total"], page["limit"], page["offset"]) == (6, 2, 2)
    assert [m["direction"] for m in page["items"]] == ["in", "out"]
    assert page["items"][0]["body"] == "two things about my home"


def test_the_message_log_of_a_tenant_that_does_not_exist_is_404(
    client: FlaskClient, api_token: Headers
) -> None:
    response = client.get("/api/v1/tenants/555/messages", headers=api_token("viewer"))
    assert response.status_code == 404
    assert response.json["error"] == "There is no tenant number 555."


@pytest.mark.parametrize("query", ["limit=0", "limit=abc", "offset=-1"])
def test_paging_the_message_log_out_of_bounds_is_refused_with_400(
    client: FlaskClient, db: Session, api_token: Headers, query: str
) -> None:
    tenant = create_tenant(db)
    db.commit()
    response = client.get(
        f"/api/v1/tenants/{tenant.id}/messages?{query}", headers=api_token("viewer")
    )
    assert response.status_code == 400


def test_the_message_log_needs_a_token(client: FlaskClient) -> None:
    assert client.get("/api/v1/tenants/1/messages").status_code == 401


def test_a_message_no_flow_answers_is_in_the_open_inbox_with_the_tenants_name(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers
) -> None:
    tenant = tenant_with_phone(db, phone)
    phone.text(PROBLEM)
    headers = api_token("viewer")
    page = client.get("/api/v1/inbox", headers=headers).json
    assert page["total"] == 1
    item = page["items"][0]
    assert item["body"] == PROBLEM and item["state"] == "open" and item["channel"] == "sms"
    assert item["tenant"] == {"id": tenant.id, "name": "Ann Example"}
    assert client.get("/api/v1/inbox?state=done", headers=headers).json["total"] == 0


@pytest.mark.parametrize("query", ["state=closed", "limit=0", "limit=abc", "offset=-1"])
def test_bad_inbox_queries_are_refused_with_400(
    client: FlaskClient, api_token: Headers, query: str
) -> None:
    response = client.get(f"/api/v1/inbox?{query}", headers=api_token("viewer"))
    assert response.status_code == 400 and query.split("=")[0] in response.json["error"]


def test_an_inbox_reply_is_queued_in_the_outbox_on_the_tenants_sms_number(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers
) -> None:
    tenant = tenant_with_phone(db, phone)
    phone.text(PROBLEM)
    message = inbox_item(db)
    response = client.post(
        f"/api/v1/inbox/{message.id}/reply",
        json={"text": "Thanks Ann, a repair is booked for Tuesday."},
        headers=api_token("officer"),
    )
    assert response.status_code == 201
    queued = response.json
    assert (queued["direction"], queued["status"], queued["channel"]) == ("out", "queued", "sms")
    row = db.get(OutboundRecord, queued["id"])
    assert row is not None
    assert (row.channel, row.address, row.tenant_id) == ("sms", phone.number, tenant.id)
    assert (row.status, row.in_reply_to) == ("queued", message.id)
    assert row.body == "Thanks Ann, a repair is booked for Tuesday."
    assert row.sent_by_staff_id is not None and queued["sent_by_staff_id"] == row.sent_by_staff_id
    db.expire_all()
    assert inbox_item(db).inbox == "open"  # replying does not close it


def test_an_inbox_reply_to_a_telegram_message_goes_back_to_that_chat(
    client: FlaskClient, chat: TelegramChat, db: Session, api_token: Headers
) -> None:
    tenant = create_tenant(db, name="Bea Example", channels=())
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    chat.say(PROBLEM)
    message = inbox_item(db)
    response = client.post(
        f"/api/v1/inbox/{message.id}/reply",
        json={"text": "Sorry to hear it. What is your address?\nWe will send someone."},
        headers=api_token("admin"),
    )
    assert response.status_code == 201
    row = db.get(OutboundRecord, response.json["id"])
    assert row is not None
    assert (row.channel, row.address) == ("telegram", str(chat.chat_id))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "write a reply first"),
        ("x" * 400, "keep the reply to 2 text messages"),
    ],
)
def test_a_reply_that_cannot_go_is_refused_with_422_and_its_reason(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers, text: str, reason: str
) -> None:
    tenant_with_phone(db, phone)
    phone.text(PROBLEM)
    message = inbox_item(db)
    response = client.post(
        f"/api/v1/inbox/{message.id}/reply", json={"text": text}, headers=api_token("officer")
    )
    assert response.status_code == 422 and response.json["error"].startswith(reason)
    assert db.scalar(select(OutboundRecord).where(OutboundRecord.status == "queued")) is None


def test_a_reply_to_a_tenant_who_opted_out_is_refused_with_422(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers, clock: Clock
) -> None:
    tenant = tenant_with_phone(db, phone)
    phone.text(PROBLEM)
    record_consent(
        db,
        tenant_id=tenant.id,
        channel="sms",
        topic=Topic.ALL,
        granted=False,
        source="test",
        wording_version="test",
        now=clock(),
    )
    db.commit()
    response = client.post(
        f"/api/v1/inbox/{inbox_item(db).id}/reply",
        json={"text": "Hello"},
        headers=api_token("officer"),
    )
    assert response.status_code == 422 and "opted out" in response.json["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": 5}, "text"),
        ({"text": None}, "text"),
        ({"text": "Hi\x00"}, "text"),
        ({"text": "x" * 5000}, "text"),
        ({"text": "Hi", "urgent": True}, "urgent"),
    ],
)
def test_a_malformed_reply_is_refused_with_400_naming_the_field(
    client: FlaskClient,
    phone: Phone,
    db: Session,
    api_token: Headers,
    body: dict[str, object],
    field: str,
) -> None:
    tenant_with_phone(db, phone)
    phone.text(PROBLEM)
    response = client.post(
        f"/api/v1/inbox/{inbox_item(db).id}/reply", json=body, headers=api_token("officer")
    )
    assert response.status_code == 400 and response.json["error"].startswith(field)


def test_a_viewer_may_not_reply_or_close_an_inbox_message(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers
) -> None:
    tenant_with_phone(db, phone)
    phone.text(PROBLEM)
    message_id, headers = inbox_item(db).id, api_token("viewer")
    reply = client.post(f"/api/v1/inbox/{message_id}/reply", json={"text": "Hi"}, headers=headers)
    assert reply.status_code == 403
    assert client.post(f"/api/v1/inbox/{message_id}/done", headers=headers).status_code == 403


def test_replying_to_a_message_that_is_not_in_the_inbox_is_404(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers
) -> None:
    phone.text("Hi")  # the start of a registration: answered by the bot, not for staff
    hello = db.scalar(select(InboundRecord).where(InboundRecord.body == "Hi"))
    assert hello is not None and hello.inbox is None
    headers = api_token("officer")
    for message_id in (hello.id, 9999):
        response = client.post(
            f"/api/v1/inbox/{message_id}/reply", json={"text": "Hi"}, headers=headers
        )
        assert response.status_code == 404
        assert response.json["error"] == f"there is no message {message_id} in the inbox"
    assert client.post("/api/v1/inbox/9999/done", headers=headers).status_code == 404


def test_marking_a_message_done_moves_it_out_of_the_open_inbox(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers
) -> None:
    tenant_with_phone(db, phone)
    phone.text(PROBLEM)
    message_id, headers = inbox_item(db).id, api_token("officer")
    response = client.post(f"/api/v1/inbox/{message_id}/done", headers=headers)
    assert response.status_code == 200 and response.json["state"] == "done"
    assert client.get("/api/v1/inbox", headers=headers).json["total"] == 0
    done = client.get("/api/v1/inbox?state=done", headers=headers).json
    assert [item["id"] for item in done["items"]] == [message_id]
    again = client.post(f"/api/v1/inbox/{message_id}/done", headers=headers)
    assert again.status_code == 200 and again.json["state"] == "done"


def documented_fields(client: FlaskClient, name: str) -> set[str]:
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    return set(schemas[name]["required"])


def test_messages_both_ways_and_inbox_items_have_exactly_the_fields_their_schemas_document(
    client: FlaskClient, phone: Phone, db: Session, api_token: Headers
) -> None:
    tenant = tenant_with_phone(db, phone)
    phone.text(PROBLEM)
    headers = api_token("officer")
    message_id = inbox_item(db).id
    queued = client.post(f"/api/v1/inbox/{message_id}/reply", json={"text": "Hi"}, headers=headers)
    log = client.get(f"/api/v1/tenants/{tenant.id}/messages", headers=headers).json
    inbox = client.get("/api/v1/inbox", headers=headers).json

    message_fields = documented_fields(client, "Message")
    assert {m["direction"] for m in log["items"]} == {"in", "out"}
    assert all(set(m) == message_fields for m in [*log["items"], queued.json])
    inbound = next(m for m in log["items"] if m["direction"] == "in")
    assert (inbound["status"], inbound["in_reply_to"], inbound["sent_by_staff_id"]) == (
        None,
        None,
        None,
    )
    assert set(inbox["items"][0]) == documented_fields(client, "InboxItem")
    assert set(inbox["items"][0]["tenant"]) == documented_fields(client, "TenantRef")
