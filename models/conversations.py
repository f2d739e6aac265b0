"""Where each tenant is in a conversation, and what they answered so far.

One current conversation per tenant, whatever the channel. When a tenant goes
quiet past the expiry, the conversation is put aside as saved progress, so the
next message starts fresh but the same flow can pick up where it stopped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base


class Conversation(Base):
    __tablename__ = "conversations"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class SavedProgress(Base):
    __tablename__ = "saved_progress"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    saved_at: Mapped[datetime]


def current_conversation(session: Session, tenant_id: int, now: datetime) -> Conversation | None:
    """The live conversation, or None; an expired one is put aside as saved progress."""
    conversation = session.get(Conversation, tenant_id, with_for_update=True)
    if conversation is None or conversation.expires_at > now:
        return conversation
    set_aside(session, conversation, now)
    return None


def set_aside(session: Session, conversation: Conversation, now: datetime) -> None:
    save_progress(
        session,
        tenant_id=conversation.tenant_id,
        flow=conversation.flow,
        state=conversation.state,
        answers=conversation.answers,
        now=now,
    )
    session.delete(conversation)
    session.flush()


def save_progress(
    session: Session,
    *,
    tenant_id: int,
    flow: str,
    state: str,
    answers: dict[str, Any],
    now: datetime,
) -> None:
    saved = session.get(SavedProgress, (tenant_id, flow))
    if saved is None:
        session.add(
            SavedProgress(
                tenant_id=tenant_id, flow=flow, state=state, answers=answers, saved_at=now
            )
        )
    else:
        saved.state, saved.answers, saved.saved_at = state, dict(answers), now


def take_saved_progress(session: Session, tenant_id: int, flow: str) -> SavedProgress | None:
    saved = session.get(SavedProgress, (tenant_id, flow))
    if saved is not None:
        session.delete(saved)
    return saved
