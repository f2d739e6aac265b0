"""Staff's changes to the bot's wording: an append-only history, newest row wins.

Translations arrive as drafts in the catalogues; staff review them in the console.
Every save is a new row, so who changed an entry, and when, is never lost. The
current wording of (language, key) is its latest row: a text overrides the
catalogue (the catalogue's own text, saved as it is, marks the entry reviewed),
and no text puts the catalogue's own wording back. The largest id is the
history's revision: every process compares it to decide whether to reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.staff import StaffUser


class WordingChange(Base):
    __tablename__ = "wording_changes"
    __table_args__ = (
        Index("ix_wording_changes_language_key", "language", "key", "id"),
        {"sqlite_autoincrement": True},  # ids never come back, so a revision means one state
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(120))
    text: Mapped[str | None] = mapped_column(Text)  # None: back to the catalogue's own
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime]


@dataclass(frozen=True)
class CurrentWording:
    """The latest change to one entry, with who made it."""

    language: str
    key: str
    text: str | None
    changed_by: str | None  # the staff member's email; None once their account is gone
    changed_at: datetime


def record_change(
    session: Session,
    *,
    language: str,
    key: str,
    text: str | None,
    staff_id: int | None,
    now: datetime,
) -> WordingChange:
    change = WordingChange(language=language, key=key, text=text, staff_id=staff_id, changed_at=now)
    session.add(change)
    session.flush()
    return change


def wording_revision(session: Session) -> int | None:
    """The id of the latest change, None before any: one cheap query."""
    return session.scalar(select(func.max(WordingChange.id)))


def current_wording(session: Session, language: str | None = None) -> list[CurrentWording]:
    """The latest change of every entry staff have touched (in one language, if given)."""
    latest = select(func.max(WordingChange.id)).group_by(WordingChange.language, WordingChange.key)
    if language is not None:
        latest = latest.where(WordingChange.language == language)
    found = session.execute(
        select(
            WordingChange.language,
            WordingChange.key,
            WordingChange.text,
            StaffUser.email,
            WordingChange.changed_at,
        )
        .outerjoin(StaffUser, StaffUser.id == WordingChange.staff_id)
        .where(WordingChange.id.in_(latest))
    )
    return [CurrentWording(*row) for row in found]
