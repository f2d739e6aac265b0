"""The files tenants send, kept in the database so that every web worker can serve them.

A file is written with its message, before its bytes are here: the provider's
reference (``source``) is enough to fetch it, and the scheduler does so soon after
(scheduler/media_fetch.py). Fetching leases a row as the outbox does, so two
schedulers never fetch one file at once, and a fetch that fails is tried again with
backoff until it is given up as lost. The bytes are loaded only when asked for, so
listing a thread never reads them. A file goes with its message (erasure, the nightly
purge); one sent with an estate report is linked to it too.

    waiting --fetched--> kept
    waiting --over the size limit--> too_big
    waiting --the provider no longer has it, or never answered--> lost
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, undefer

from models.base import Base, utcnow
from models.messages import InboundRecord

MAX_ATTEMPTS = 8
FIRST_RETRY_DELAY = timedelta(seconds=30)
LONGEST_RETRY_DELAY = timedelta(hours=1)


class MediaStatus(StrEnum):
    WAITING = "waiting"  # not fetched yet
    KEPT = "kept"
    TOO_BIG = "too_big"
    LOST = "lost"


class Media(Base):
    __tablename__ = "media"
    __table_args__ = (Index("ix_media_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("inbound_messages.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(  # the estate report it was sent for
        ForeignKey("issue_reports.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # bot.messages.MediaKind
    source: Mapped[str] = mapped_column(String(512))  # the provider's reference
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)  # announced, then as fetched
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    filename: Mapped[str | None] = mapped_column(String(200))
    emoji: Mapped[str | None] = mapped_column(String(16))  # what a sticker stands for
    status: Mapped[str] = mapped_column(String(12), default=MediaStatus.WAITING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fetched_at: Mapped[datetime | None]

    @property
    def kept(self) -> bool:
        return self.status == MediaStatus.KEPT


class Due(NamedTuple):
    """What fetching one file needs, read at the claim."""

    id: int
    message_id: int
    channel: str
    source: str
    kind: str
    size: int | None
    attempts: int


def expect(
    session: Session,
    *,
    message_id: int,
    kind: str,
    source: str,
    content_type: str,
    size: int | None,
    filename: str | None,
    emoji: str | None,
    now: datetime,
) -> Media:
    """A file that came with a message, to be fetched at once."""
    media = Media(
        message_id=message_id,
        kind=kind,
        source=source,
        content_type=content_type,
        size=size,
        filename=filename,
        emoji=emoji,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(media)
    return media


def claim_due(session: Session, *, now: datetime, until: datetime, limit: int) -> list[Due]:
    """Lease up to ``limit`` files waiting to be fetched until ``until``; others skip them."""
    due = list(
        session.execute(
            select(
                Media.id,
                Media.message_id,
                InboundRecord.channel,
                Media.source,
                Media.kind,
                Media.size,
                Media.attempts,
            )
            .join(InboundRecord, InboundRecord.id == Media.message_id)
            .where(Media.status == MediaStatus.WAITING, Media.next_attempt_at <= now)
            .order_by(Media.next_attempt_at, Media.id)
            .limit(limit)
            .with_for_update(of=Media, skip_locked=True)
        )
    )
    if due:
        session.execute(
            update(Media)
            .where(Media.id.in_([row.id for row in due]))
            .values(next_attempt_at=until)
            .execution_options(synchronize_session=False)
        )
    return [Due(*row) for row in due]


def keep(
    session: Session, media_id: int, *, content: bytes, content_type: str | None, now: datetime
) -> None:
    """The bytes are here: the type the provider served wins over the one it announced."""
    values: dict[str, object] = {
        "status": MediaStatus.KEPT,
        "content": content,
        "size": len(content),
        "fetched_at": now,
        "error": None,
    }
    if content_type:
        values["content_type"] = content_type.split(";", 1)[0].strip().lower()[:100]
    _settle(session, media_id, values)


def refuse(
    session: Session,
    media_id: int,
    status: MediaStatus,
    *,
    reason: str,
    now: datetime,
    size: int | None = None,
) -> None:
    """Not kept, for good: too big, or lost. A size learnt on the way is kept."""
    values: dict[str, object] = {"status": status, "error": reason[:200], "fetched_at": now}
    if size is not None:
        values["size"] = size
    _settle(session, media_id, values)


def try_again(session: Session, due: Due, *, now: datetime, reason: str) -> bool:
    """Back off and try later; False when this was the last try (the file is then lost)."""
    attempts = due.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        refuse(session, due.id, MediaStatus.LOST, reason=reason, now=now)
        return False
    delay = min(FIRST_RETRY_DELAY * 2 ** (attempts - 1), LONGEST_RETRY_DELAY)
    values = {"attempts": attempts, "next_attempt_at": now + delay, "error": reason[:200]}
    _settle(session, due.id, values)
    return True


def _settle(session: Session, media_id: int, values: dict[str, object]) -> None:
    session.execute(
        update(Media)
        .where(Media.id == media_id, Media.status == MediaStatus.WAITING)
        .values(values)
        .execution_options(synchronize_session=False)
    )


def note_contact(session: Session, message_id: int, *, name: str, phone: str) -> None:
    """A contact card read from its file, kept with its message as a Telegram one is."""
    message = session.get(InboundRecord, message_id)
    if message is not None:
        message.media = {**message.media, "contact": {"name": name, "phone": phone}}


def ids_of_message(session: Session, message_id: int) -> list[int]:
    return list(
        session.scalars(select(Media.id).where(Media.message_id == message_id).order_by(Media.id))
    )


def attach_to_report(session: Session, report_id: int, media_ids: Iterable[int]) -> None:
    session.execute(
        update(Media)
        .where(Media.id.in_(list(media_ids)))
        .values(report_id=report_id)
        .execution_options(synchronize_session=False)
    )


def media_by_message(session: Session, message_ids: Iterable[int]) -> dict[int, list[Media]]:
    """Each message's files, without their bytes, in one query."""
    wanted = sorted(set(message_ids))
    found: dict[int, list[Media]] = defaultdict(list)
    if wanted:
        for media in session.scalars(
            select(Media).where(Media.message_id.in_(wanted)).order_by(Media.id)
        ):
            found[media.message_id].append(media)
    return found


def with_content(session: Session, media_id: int) -> Media | None:
    """One file with its bytes, to serve."""
    return session.get(Media, media_id, options=[undefer(Media.content)])


def purge_before(session: Session, cutoff: datetime) -> None:
    """Files of messages older than the retention period go, as their words are blanked."""
    session.execute(
        delete(Media).where(
            Media.message_id.in_(select(InboundRecord.id).where(InboundRecord.received_at < cutoff))
        )
    )
