"""Queueing a message nobody asked for: an invitation, a notice, a reminder, an outcome.

It goes in the outbox like a reply, but waits for the sending window, carries the
topic its consent is checked against when it is sent, and is rendered for the
channel (GSM-7 for SMS where the words allow).

A notice to an estate goes to tens of thousands of tenants at once, so queue_notices
renders each language and channel once, works out the window once, and inserts the
rows in bulk a page at a time, without an ORM object per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import cache
from itertools import islice
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.flow import Reply, Settings
from bot.outbox import BUTTON_CHANNELS, render_for_channel
from bot.sms import count_segments, fit_for_sms
from models.messages import OutboundKind, OutboundMessage
from models.tenants import CHUNK, Identity, Recipient, Tenant


def queue_notice(
    session: Session,
    *,
    tenant: Tenant,
    identity: Identity,
    text: str,
    topic: str,
    now: datetime,
    settings: Settings,
    urgent: bool = False,
) -> OutboundMessage:
    """Queue ``text`` (already in the tenant's language) for the first allowed moment."""
    body, segments = _body(identity.channel, tenant.language, text)
    row = OutboundMessage(
        tenant_id=tenant.id,
        channel=identity.channel,
        address=identity.address,
        body=body,
        kind=OutboundKind.NOTICE,
        topic=topic,
        segments=segments,
        next_attempt_at=now if urgent else settings.sending_window.first_moment(now),
        created_at=now,
    )
    session.add(row)
    return row


def queue_notices(
    session: Session,
    recipients: Iterable[Recipient],
    text_in: Callable[[str], str],
    *,
    topic: str,
    now: datetime,
    settings: Settings,
    urgent: bool = False,
    broadcast_id: int | None = None,
) -> int:
    """Queue one notice to each recipient, ``text_in(language)`` in theirs; how many queued.

    The rows are the ones queue_notice would write, inserted a page at a time, each
    tagged with the broadcast it belongs to, if any, for that broadcast's report.
    """
    send_at = now if urgent else settings.sending_window.first_moment(now)

    @cache
    def body_for(channel: str, language: str) -> tuple[str, int]:
        return _body(channel, language, text_in(language))

    def row(recipient: Recipient) -> dict[str, Any]:
        body, segments = body_for(recipient.channel, recipient.language)
        return {
            "tenant_id": recipient.tenant_id,
            "channel": recipient.channel,
            "address": recipient.address,
            "body": body,
            "kind": OutboundKind.NOTICE,
            "topic": topic,
            "segments": segments,
            "next_attempt_at": send_at,
            "created_at": now,
            "broadcast_id": broadcast_id,
        }

    queued = 0
    for page in _pages(recipients, CHUNK):
        session.execute(insert(OutboundMessage), [row(recipient) for recipient in page])
        queued += len(page)
    return queued


def _body(channel: str, language: str, text: str) -> tuple[str, int]:
    """The text as sent on ``channel``, and the segments it costs (1 where there are none)."""
    body = render_for_channel(channel, language, Reply(text))
    if channel in BUTTON_CHANNELS:
        return body, 1
    body = fit_for_sms(body)
    return body, count_segments(body).segments


def _pages(recipients: Iterable[Recipient], size: int) -> Iterator[list[Recipient]]:
    remaining = iter(recipients)
    while page := list(islice(remaining, size)):
        yield page
