"""What the media tests share: sending files as tenants do, fetching them as the scheduler does.

An MMS is posted as Twilio posts it (NumMedia, MediaUrl{N}, MediaContentType{N}), its
files served at Twilio-shaped URLs by the fake (tests/fakes/twilio_media.py); a
Telegram file is announced in its update and served by the fake Bot API's getFile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from channels.base import Channel
from models.media import Media
from models.messages import InboundRecord, OutboundRecord, find_inbound
from models.tenants import Identity, Tenant
from scheduler.media_fetch import MediaFetcher
from tests.conftest import TWILIO_TOKEN
from tests.factories import create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, TelegramChat, new_sid

ACCOUNT_SID = "AC" + "0" * 32  # the conftest config's
CREDENTIALS = (ACCOUNT_SID, TWILIO_TOKEN)
FIVE_MB = 5 * 1024 * 1024

# Enough of each kind of file to tell one from another.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF a photo of the bin store"
OGG = b"OggS\x00\x02 a voice message about the lift"
M4A = b"\x00\x00\x00\x20ftypM4A  a recording"
MP4 = b"\x00\x00\x00\x18ftypmp42 a video of the stairwell"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 a thumbs-up"
PDF = b"%PDF-1.7 a letter from the council"
AMR = b"#!AMR\n a voice clip by MMS"
GP3 = b"\x00\x00\x00\x14ftyp3gp4 a video by MMS"
VCARD = (
    b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Brown;Jean;;;\r\nFN:Jean Brown\r\n"
    b"TEL;TYPE=CELL:+447700900999\r\nEND:VCARD\r\n"
)

Fetch = Callable[[], int]  # one round of the scheduler's fetching: how many it settled


def fetcher(
    sessions: sessionmaker[Session],
    channels: dict[str, Channel],
    clock: Clock,
    max_bytes: int = FIVE_MB,
) -> Fetch:
    return MediaFetcher(sessions, channels, clock, max_bytes=max_bytes).run_once


def send_mms(
    phone: Phone,
    fake_twilio: FakeTwilio,
    files: Sequence[tuple[bytes, str]],
    body: str = "",
    *,
    sid: str | None = None,
) -> TestResponse:
    """An MMS as Twilio posts it, each file at a media URL of its own."""
    fields = {"NumMedia": str(len(files)), "NumSegments": "1", "SmsStatus": "received"}
    for n, (content, content_type) in enumerate(files):
        fields[f"MediaUrl{n}"] = fake_twilio.media.add(
            content, content_type, credentials=CREDENTIALS
        )
        fields[f"MediaContentType{n}"] = content_type
    response = phone.send(body, sid=sid or new_sid(), **fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def post_update(chat: TelegramChat, build: Callable[..., dict[str, Any]], **fields: Any) -> None:
    """An update made by ``build`` (a telegram_updates builder) for this chat."""
    response = chat.post(build(update_id=chat.next_id(), chat_id=chat.chat_id, **fields))
    assert response.status_code == 200, response.get_data(as_text=True)


def telegram_tenant(
    db: Session, chat: TelegramChat, *, language: str = "en", name: str = "Ann Smith"
) -> Tenant:
    """A registered tenant whose Telegram chat is linked already."""
    tenant = create_tenant(db, name=name, language=language)
    tenant.identities.append(Identity(channel="telegram", address=str(chat.chat_id)))
    db.commit()
    return tenant


def last_message(db: Session, channel: str, provider_id: str) -> InboundRecord:
    db.expire_all()
    found = find_inbound(db, channel, provider_id)
    assert found is not None, "the message was not stored"
    return found


def last_from(db: Session, chat: TelegramChat) -> InboundRecord:
    return last_message(db, "telegram", str(chat.sent_update_ids[-1]))


def files_of(db: Session, message: InboundRecord) -> list[Media]:
    db.expire_all()
    return list(db.scalars(select(Media).where(Media.message_id == message.id).order_by(Media.id)))


def replies_to(db: Session, message: InboundRecord) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(OutboundRecord.body)
            .where(OutboundRecord.in_reply_to == message.id)
            .order_by(OutboundRecord.id)
        )
    )
