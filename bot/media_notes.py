"""Telling a tenant, truthfully, that a file they sent could not be kept.

A file is fetched just after its message was answered, so only then is it known to be
too big or gone. The tenant hears it then, in their language, as a reply to that
message: what it was, why, and to put it in words instead.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import catalogue
from bot.messages import Reply
from bot.presentation import presentation_of
from models.messages import InboundRecord, OutboundKind, OutboundRecord
from models.tenants import Tenant

BYTES_IN_A_MB = 1024 * 1024


def tell_not_kept(
    session: Session,
    message_id: int,
    *,
    kind: str,
    too_big: bool,
    limit_bytes: int,
    now: datetime,
) -> OutboundRecord | None:
    """Queue the note at once (it answers the tenant's own message); None for a stranger."""
    message = session.get(InboundRecord, message_id)
    tenant = session.get(Tenant, message.tenant_id) if message and message.tenant_id else None
    if message is None or tenant is None:
        return None
    language = tenant.language
    what = catalogue.render(language, f"media.kind.{kind}")
    if too_big:
        text = catalogue.render(language, "media.too_big", kind=what, limit=_megabytes(limit_bytes))
    else:
        text = catalogue.render(language, "media.lost", kind=what)
    rendered = presentation_of(message.channel).reply(language, Reply(text))
    row = OutboundRecord(
        tenant_id=tenant.id,
        channel=message.channel,
        address=message.address,
        body=rendered.body,
        kind=OutboundKind.REPLY,
        in_reply_to=message.id,
        segments=rendered.segments,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def _megabytes(limit_bytes: int) -> str:
    """5 MB as "5", 2.5 MB as "2.5": the limit as a tenant would say it."""
    return f"{limit_bytes / BYTES_IN_A_MB:.1f}".removesuffix(".0")
