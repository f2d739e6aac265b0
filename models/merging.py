"""Joining two records of one person: a Telegram chat that turns out to be a known tenant."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.consent import Consent, ConsentChange
from models.conversations import Conversation, SavedProgress
from models.messages import InboundMessage, OutboundMessage
from models.tenants import LinkCode, Tenant


def merge_tenant_into(session: Session, source: Tenant, target: Tenant) -> None:
    """Move the stranger's channels and messages to the known tenant, then forget the stranger."""
    for identity in list(source.identities):
        identity.tenant = target
    _move_consents(session, source, target)
    for table in (InboundMessage, OutboundMessage, ConsentChange):
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
