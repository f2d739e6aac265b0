"""Tombstones: what is left of an erased tenant's messages, so a replay stores nothing.

Providers retry a message they think we missed (Twilio for hours, Telegram for a
day), and a captured Twilio request stays validly signed for ever. Once a tenant is
erased their messages are gone, so such a request would look new and re-create them.
Each erased message leaves a SHA-256 of its channel and provider id: enough to know
it again, nothing that says who sent it or what it said. Tombstones are kept for
good; a few dozen bytes a message is cheaper than an erased tenant coming back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base


class Tombstone(Base):
    __tablename__ = "tombstones"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime]


class ErasedMessage(Exception):
    """The message belonged to an erased tenant: store nothing and answer nothing."""


def fingerprint(channel: str, provider_id: str) -> str:
    return hashlib.sha256(f"{channel}\n{provider_id}".encode()).hexdigest()


def bury(session: Session, messages: Iterable[tuple[str, str]], *, now: datetime) -> None:
    """Leave a tombstone for each (channel, provider id) about to be erased."""
    prints = {fingerprint(channel, provider_id) for channel, provider_id in messages}
    known = set(
        session.scalars(select(Tombstone.fingerprint).where(Tombstone.fingerprint.in_(prints)))
    )
    session.add_all(Tombstone(fingerprint=p, erased_at=now) for p in sorted(prints - known))


def was_erased(session: Session, channel: str, provider_id: str) -> bool:
    return session.get(Tombstone, fingerprint(channel, provider_id)) is not None
