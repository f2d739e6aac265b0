"""Joining two records of one person: a Telegram chat that turns out to be a known tenant.

And undoing it: a tenant told by SMS that a chat was linked to them, who did not do
it, takes every Telegram chat off their record.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.consent import Consent, ConsentChange
from models.conversations import Conversation, SavedProgress
from models.link_codes import LinkCode
from models.messages import InboundRecord, OutboundRecord, OutboxStatus
from models.tenants import Channel, Tenant


def merge_tenant_into(session: Session, source: Tenant, target: Tenant) -> None:
    """Move the stranger's channels and messages to the known tenant, then forget the stranger."""
    for identity in list(source.identities):
        identity.tenant = target
    _move_consents(session, source, target)
    for table in (InboundRecord, OutboundRecord, ConsentChange):
        session.execute(
            update(table)
            .where(table.tenant_id == source.id)
            .values(tenant_id=target.id)
            .execution_options(synchronize_session=False)
        )
    session.execute(delete(SavedProgress).where(SavedProgress.tenant_id == source.id))
    session.execute(delete(LinkCode).where(LinkCode.tenant_id == source.id))
    conversation = session.get(Conversation, source.id)
    if conversation is not None:
        session.delete(conversation)
    session.flush()
    session.delete(source)
    session.flush()


def _move_consents(session: Session, source: Tenant, target: Tenant) -> None:
    """The newer choice wins where both records said something about the same thing."""
    for choice in session.scalars(select(Consent).where(Consent.tenant_id == source.id)):
        kept = session.get(Consent, (target.id, choice.channel, choice.topic))
        if kept is None or kept.updated_at < choice.updated_at:
            if kept is not None:
                kept.granted, kept.updated_at = choice.granted, choice.updated_at
            else:
                session.add(
                    Consent(
                        tenant_id=target.id,
                        channel=choice.channel,
                        topic=choice.topic,
                        granted=choice.granted,
                        updated_at=choice.updated_at,
                    )
                )
        session.delete(choice)
    session.flush()


def unlink_telegram(session: Session, tenant: Tenant, now: datetime) -> int:
    """Take every Telegram chat off the tenant, and how many there were.

    What was still waiting to go to those chats is held back, so nothing more of the
    tenant's reaches a chat that may be a stranger's; the tenant's live code goes too.
    A chat unlinked writes next as a stranger, and is welcomed as one.
    """
    chats = [i for i in tenant.identities if i.channel == Channel.TELEGRAM]
    if not chats:
        return 0
    session.execute(
        update(OutboundRecord)
        .where(
            OutboundRecord.tenant_id == tenant.id,
            OutboundRecord.channel == Channel.TELEGRAM,
            OutboundRecord.address.in_([chat.address for chat in chats]),
            OutboundRecord.status == OutboxStatus.QUEUED,
        )
        .values(status=OutboxStatus.UNREACHABLE, final_at=now, error="chat unlinked by the tenant")
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(LinkCode).where(LinkCode.tenant_id == tenant.id))
    for chat in chats:
        tenant.identities.remove(chat)
    session.flush()
    return len(chats)
