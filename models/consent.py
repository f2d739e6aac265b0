"""Consent: what each tenant agreed to hear, on which channel, and the log of every change.

A channel-wide opt-out (STOP) is stored under the topic ``all`` and wins over
everything; topic rows (events, inspections, surveys, news) narrow it further.
The log is append-only and records the wording version the tenant saw, which is
what a regulator or the tenant will ask for.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.tenants import Channel, Recipient


class Topic(StrEnum):
    ALL = "all"
    EVENTS = "events"
    INSPECTIONS = "inspections"
    SURVEYS = "surveys"
    NEWS = "news"


CHOSEN_TOPICS = (Topic.EVENTS, Topic.SURVEYS, Topic.NEWS, Topic.INSPECTIONS)
"""The topics a tenant (or staff for them) may stop and restart one by one."""


class Consent(Base):
    __tablename__ = "consents"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    topic: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted: Mapped[bool]
    updated_at: Mapped[datetime]


class ConsentChange(Base):
    __tablename__ = "consent_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool]
    source: Mapped[str] = mapped_column(String(40))
    wording_version: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]


def record_consent(
    session: Session,
    *,
    tenant_id: int,
    channel: str,
    topic: str,
    granted: bool,
    source: str,
    wording_version: str,
    now: datetime,
) -> None:
    """Set one consent and log the change, with who or what caused it."""
    consent = session.get(Consent, (tenant_id, channel, topic))
    if consent is None:
        session.add(
            Consent(
                tenant_id=tenant_id, channel=channel, topic=topic, granted=granted, updated_at=now
            )
        )
    else:
        consent.granted = granted
        consent.updated_at = now
    session.add(
        ConsentChange(
            tenant_id=tenant_id,
            channel=channel,
            topic=topic,
            granted=granted,
            source=source,
            wording_version=wording_version,
            at=now,
        )
    )


def set_topic(
    session: Session,
    *,
    tenant_id: int,
    topic: str,
    granted: bool,
    source: str,
    wording_version: str,
    now: datetime,
) -> None:
    """Stop or restart one topic on every channel: the choice is about what, not how.

    A tenant who says STOP EVENTS by SMS means no event invitations at all, so a
    Telegram chat linked later or a landline call holds them back too.
    """
    for channel in Channel:
        record_consent(
            session,
            tenant_id=tenant_id,
            channel=channel,
            topic=topic,
            granted=granted,
            source=source,
            wording_version=wording_version,
            now=now,
        )


def topics_of(session: Session, tenant_id: int) -> dict[str, bool]:
    """Each chosen topic and whether the tenant gets it (off if refused on any channel)."""
    return topics_among(session, [tenant_id])[tenant_id]


def topics_among(session: Session, tenant_ids: Collection[int]) -> dict[int, dict[str, bool]]:
    """topics_of() for each of ``tenant_ids``: one query for a whole page."""
    found = session.execute(
        select(Consent.tenant_id, Consent.topic).where(
            Consent.tenant_id.in_(tenant_ids),
            Consent.topic.in_([str(topic) for topic in CHOSEN_TOPICS]),
            Consent.granted.is_(False),
        )
    )
    refused = {(tenant_id, topic) for tenant_id, topic in found}
    return {
        tenant_id: {str(topic): (tenant_id, str(topic)) not in refused for topic in CHOSEN_TOPICS}
        for tenant_id in tenant_ids
    }


def _refused_topics(topic: str | None) -> list[str]:
    """The consent rows that stop a message on ``topic``: STOP always, the topic's own if any."""
    return [Topic.ALL.value] if topic in (None, Topic.ALL) else [Topic.ALL.value, str(topic)]


def opted_out(session: Session, tenant_id: int, channel: str, topic: str | None = None) -> bool:
    """True when the tenant said STOP on this channel, or declined this topic there."""
    topics = _refused_topics(topic)
    refusals = session.scalars(
        select(Consent.topic).where(
            Consent.tenant_id == tenant_id,
            Consent.channel == channel,
            Consent.topic.in_(topics),
            Consent.granted.is_(False),
        )
    )
    return next(iter(refusals), None) is not None


def opted_out_among(
    session: Session, tenant_ids: Collection[int], channel: str, topic: str | None = None
) -> set[int]:
    """Those of ``tenant_ids`` for whom opted_out() is True: one query for a whole page."""
    if not tenant_ids:
        return set()
    refusals = session.scalars(
        select(Consent.tenant_id)
        .where(
            Consent.tenant_id.in_(tenant_ids),
            Consent.channel == channel,
            Consent.topic.in_(_refused_topics(topic)),
            Consent.granted.is_(False),
        )
        .distinct()
    )
    return set(refusals)


def accepting(session: Session, recipients: Sequence[Recipient], topic: str) -> list[Recipient]:
    """The recipients who have not opted out of ``topic`` on the channel they would get it by."""
    refused: set[tuple[int, str]] = set()
    for channel in {recipient.channel for recipient in recipients}:
        ids = [recipient.tenant_id for recipient in recipients if recipient.channel == channel]
        refused.update(
            (tenant_id, channel) for tenant_id in opted_out_among(session, ids, channel, topic)
        )
    return [r for r in recipients if (r.tenant_id, r.channel) not in refused]


def consent_history(session: Session, tenant_id: int) -> list[ConsentChange]:
    return list(
        session.scalars(
            select(ConsentChange)
            .where(ConsentChange.tenant_id == tenant_id)
            .order_by(ConsentChange.at, ConsentChange.id)
        )
    )
