"""An erased tenant stays erased: a provider's retry or a replay of their message stores nothing.

Twilio signs a request without a time, so a captured one stays valid for ever, and
Telegram resends an update it thinks we missed. After erasure each must be known
again from its tombstone, not taken as a stranger's first message.
"""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.messages import InboundRecord, OutboundRecord
from models.tenants import Identity, Tenant
from models.tombstones import Tombstone
from tests.factories import create_tenant
from tests.fakes import telegram_updates as updates
from tests.helpers import Phone, TelegramChat, new_sid

Token = Callable[[str], dict[str, str]]
WORDS = "My neighbour at 14 keeps a dog that bites"


def rows(db: Session, model: type[object]) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0  # type: ignore[arg-type]


def erase(client: FlaskClient, tenant_id: int, api_token: Token) -> None:
    response = client.delete(f"/api/v1/tenants/{tenant_id}", headers=api_token("admin"))
    assert response.status_code == 200, response.json


def test_a_replayed_sms_of_an_erased_tenant_is_answered_200_and_stores_nothing(
    client: FlaskClient, db: Session, phone: Phone, tenant: Tenant, api_token: Token
) -> None:
    sid = new_sid()
    assert phone.text(WORDS, sid=sid)
    erase(client, tenant.id, api_token)
    assert rows(db, Tenant) == 0 and rows(db, Tombstone) == 1

    replay = phone.send(WORDS, sid=sid)

    assert replay.status_code == 200
    assert rows(db, Tenant) == 0
    assert rows(db, Identity) == 0
    assert rows(db, InboundRecord) == 0
    assert rows(db, OutboundRecord) == 0


def test_a_new_text_from_the_erased_number_is_a_strangers_first_message(
    client: FlaskClient, db: Session, phone: Phone, tenant: Tenant, api_token: Token
) -> None:
    assert phone.text(WORDS)
    erase(client, tenant.id, api_token)

    replies = phone.text("Hello")

    assert replies, "a new message from that number is answered as a stranger's"
    db.expire_all()
    stranger = db.scalars(select(Tenant)).one()
    assert stranger.registered is False and stranger.name is None
    assert [m.body for m in db.scalars(select(InboundRecord))] == ["Hello"]


def test_a_replayed_telegram_update_of_an_erased_tenant_stores_nothing(
    client: FlaskClient, db: Session, chat: TelegramChat, api_token: Token
) -> None:
    ann = create_tenant(db, name="Ann Smith", channels=("sms", "telegram"))
    db.execute(
        Identity.__table__.update()
        .where(Identity.tenant_id == ann.id, Identity.channel == "telegram")
        .values(address=str(chat.chat_id))
    )
    db.commit()
    update = updates.text_update(update_id=chat.next_id(), chat_id=chat.chat_id, text=WORDS)
    assert chat.post(update).status_code == 200
    assert rows(db, InboundRecord) == 1
    erase(client, ann.id, api_token)

    assert chat.post(update).status_code == 200

    assert rows(db, Tenant) == 0 and rows(db, InboundRecord) == 0
