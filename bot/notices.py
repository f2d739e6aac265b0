"""Queueing a message nobody asked for: an invitation, a notice, a reminder, an outcome.

It goes in the outbox like a reply, but waits for the sending window, carries the
topic its consent is checked against when it is sent, and is rendered for the
channel (GSM-7 for SMS where the words allow).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.flow import Reply, Settings
from bot.outbox import BUTTON_CHANNELS, render_for_channel
from bot.sms import count_segments, fit_for_sms
from models.messages import OutboundKind, OutboundMessage
from models.tenants import Identity, Tenant


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
    body = render_for_channel(identity.channel, tenant.language, Reply(text))
    if identity.channel not in BUTTON_CHANNELS:
        body = fit_for_sms(body)
    row = OutboundMessage(
        tenant_id=tenant.id,
        channel=identity.channel,
        address=identity.address,
        body=body,
        kind=OutboundKind.NOTICE,
        topic=topic,
        segments=1 if identity.channel in BUTTON_CHANNELS else count_segments(body).segments,
        next_attempt_at=now if urgent else settings.sending_window.first_moment(now),
        created_at=now,
    )
    session.add(row)
    return row
