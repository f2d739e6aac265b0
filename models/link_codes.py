"""One-time codes that link a Telegram chat to a tenant, and the limits that keep them unguessable.

A tenant texts TELEGRAM and gets a six-digit code; the chat that sends it to our
bot within LINK_CODE_LIFETIME becomes theirs. A code is a key to someone's account,
so tries are limited, and counted in the database because the web workers are many
processes:

- a tenant holds one live code: a new one replaces the old, so a tenant's codes
  never add up to more targets for a guesser;
- a chat may make TRIES_PER_CHAT = 5 wrong tries an hour, and all chats together
  TRIES_OVERALL = 60 an hour (real typing slips come a few a day). Past either, every
  try is refused unheard, without looking at the code, until an hour has passed since
  the oldest wrong try still counted, and the chat is told when that is;
- a code lives LINK_CODE_LIFETIME = 30 minutes, and dies once TRIES_A_CODE_OUTLIVES =
  10 wrong tries have been made since it was issued, by any chat against any code: we
  cannot tell whose guess is whose, so every wrong try counts against every live code.

The arithmetic. A try names one code in 10^6, and a guesser never repeats one, so
each try hits a given live code with a chance of at most 1 in (10^6 - tries so far).
A code faces at most min(10 tries before it dies, 60 in any hour and so in its 30
minutes) = 10 tries, however many chats share the guessing: the chance that a given code is ever
guessed is at most 10 / 999,990, about 1 in 100,000. A guesser at the full allowed
rate all year (60 x 8,760 = 525,600 tries) against a landlord that issues 2,000 codes
a year takes at most 2,000 x 10 / 999,990 = 0.02 codes a year, one in fifty years,
never one of their choosing; and the tenant is told by SMS, and UNLINK undoes it. One
chat alone puts at most 5 tries against a code in its 30 minutes (1 in 200,000).
The price: while someone guesses, codes die and every chat may be told to wait;
sharing the phone number with Telegram's button still links at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Select, String, delete, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.tenants import Tenant

CODE_LENGTH = 6
LINK_CODE_LIFETIME = timedelta(minutes=30)
TRIES_PER_CHAT = 5
TRIES_OVERALL = 60
TRIES_COUNTED_OVER = timedelta(hours=1)
TRIES_A_CODE_OUTLIVES = 10
TRIES_KEPT_FOR = timedelta(days=1)  # long enough to count; then the record goes
ONE_TRY_AT_A_TIME = 0x4C494E4B  # the PostgreSQL advisory lock for counting tries: "LINK"


class LinkCode(Base):
    """A one-time code that joins a Telegram chat to a tenant known by phone: one a tenant."""

    __tablename__ = "link_codes"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), unique=True
    )
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class LinkAttempt(Base):
    """One try of a code: which chat (a hash, not its id), when, and whether it linked."""

    __tablename__ = "link_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_hash: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
    succeeded: Mapped[bool]


@dataclass(frozen=True)
class Redemption:
    """What a try came to: the tenant whose code it was, or why not."""

    tenant: Tenant | None = None  # None: no live code of that number
    wait_until: datetime | None = None  # refused unheard: too many wrong tries until then


def new_link_code(session: Session, tenant: Tenant, now: datetime) -> str:
    """Six digits, unique among live codes, so a tenant can type it on any phone.

    The tenant's earlier code goes: one live code each, so asking twice doubles nothing.
    """
    session.execute(
        delete(LinkCode).where(or_(LinkCode.expires_at < now, LinkCode.tenant_id == tenant.id))
    )
    while True:
        code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
        if session.get(LinkCode, code) is None:
            break
    session.add(
        LinkCode(code=code, tenant_id=tenant.id, issued_at=now, expires_at=now + LINK_CODE_LIFETIME)
    )
    return code


def redeem_link_code(session: Session, code: str, *, chat: str, now: datetime) -> Redemption:
    """Try ``code`` from ``chat``; a live code is used up, and every try is recorded.

    A chat or a bot past its limits is refused without the code being looked at,
    so guessing on gains nothing; such refusals are not counted, so they never
    lengthen the wait.
    """
    _one_try_at_a_time(session)
    who = _chat_hash(chat)
    wait_until = _cooling_off_until(session, who, now)
    if wait_until is not None:
        return Redemption(wait_until=wait_until)
    tenant = _use_live_code(session, code, now)
    session.execute(delete(LinkAttempt).where(LinkAttempt.at < now - TRIES_KEPT_FOR))
    session.add(LinkAttempt(chat_hash=who, at=now, succeeded=tenant is not None))
    return Redemption(tenant=tenant)


def _one_try_at_a_time(session: Session) -> None:
    """Tries are counted, then recorded: two workers must not both count the same last room.

    SQLite already runs one writer at a time (BEGIN IMMEDIATE); on PostgreSQL a lock of
    our own, held until commit, queues the tries (they are few, and limited).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(ONE_TRY_AT_A_TIME)))


def _chat_hash(chat: str) -> str:
    """Tries are kept without the chat's id: the hash is enough to count a chat's tries."""
    return hashlib.sha256(f"telegram:{chat}".encode()).hexdigest()


def _cooling_off_until(session: Session, who: str, now: datetime) -> datetime | None:
    """When this chat may try again, if it or all chats together are past their limit."""
    counted = select(LinkAttempt.at).where(
        LinkAttempt.succeeded.is_(False), LinkAttempt.at > now - TRIES_COUNTED_OVER
    )
    waits = [
        _last_counted(session, counted.where(LinkAttempt.chat_hash == who), TRIES_PER_CHAT),
        _last_counted(session, counted, TRIES_OVERALL),
    ]
    found = [oldest + TRIES_COUNTED_OVER for oldest in waits if oldest is not None]
    return max(found, default=None)


def _last_counted(session: Session, counted: Select[datetime], limit: int) -> datetime | None:
    """The oldest of the last ``limit`` wrong tries, when there are that many: the limit is
    reached until it is an hour old."""
    return session.scalar(counted.order_by(LinkAttempt.at.desc()).offset(limit - 1).limit(1))


def _use_live_code(session: Session, code: str, now: datetime) -> Tenant | None:
    """The tenant whose live code this is; the code is gone either way once tried."""
    link = session.get(LinkCode, code)
    if link is None:
        return None
    session.delete(link)
    if link.expires_at <= now or _worn_out(session, link):
        return None
    return session.get(Tenant, link.tenant_id)


def _worn_out(session: Session, link: LinkCode) -> bool:
    """Too many wrong tries since the code was issued: someone may be closing in on it."""
    wrong = session.scalar(
        select(func.count())
        .select_from(LinkAttempt)
        .where(LinkAttempt.succeeded.is_(False), LinkAttempt.at >= link.issued_at)
    )
    return (wrong or 0) >= TRIES_A_CODE_OUTLIVES
