"""The files a message carried, written with it so that none is lost.

Only the provider's reference is kept at first: the scheduler fetches the bytes
just after (scheduler/media_fetch.py), so the webhook answers without waiting on
the provider.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.messages import InboundMessage
from models import media


def expect_files(session: Session, message_id: int, message: InboundMessage, now: datetime) -> None:
    for attachment in message.attachments:
        media.expect(
            session,
            message_id=message_id,
            kind=attachment.kind.value,
            source=attachment.source,
            content_type=attachment.content_type,
            size=attachment.size,
            filename=attachment.filename,
            emoji=attachment.emoji,
            now=now,
        )
