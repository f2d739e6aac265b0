"""Staff accounts and their API tokens.

Passwords are hashed by the caller's chosen library (werkzeug's scrypt); API
tokens are random and only their SHA-256 is kept, so a database leak gives no
working token.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, String, false, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, utcnow


class StaffRole(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    VIEWER = "viewer"


ROLE_RANK: dict[str, int] = {StaffRole.VIEWER: 0, StaffRole.OFFICER: 1, StaffRole.ADMIN: 2}
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def role_allows(held: str, needed: str) -> bool:
    """Roles nest: an admin may do what an officer may, an officer what a viewer may."""
    return ROLE_RANK.get(held, -1) >= ROLE_RANK.get(needed, len(ROLE_RANK))


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Granted by an admin: may see which tenant gave a mystery-shopping answer.
    may_see_shoppers: Mapped[bool] = mapped_column(default=False, server_default=false())

    def may(self, role: str) -> bool:
        return role_allows(self.role, role)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, staff: StaffUser) -> str:
    """Make a new API token; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(staff_id=staff.id, token_hash=hash_token(token)))
    return token


def staff_for_token(session: Session, token: str) -> StaffUser | None:
    return session.scalar(
        select(StaffUser)
        .join(ApiToken, ApiToken.staff_id == StaffUser.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            StaffUser.active.is_(True),
        )
    )


def find_staff(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def note_login_attempt(user: StaffUser, *, succeeded: bool, now: datetime) -> None:
    """Count failures; five in a row lock the account for fifteen minutes."""
    if succeeded:
        user.failed_logins, user.locked_until = 0, None
        return
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until, user.failed_logins = now + LOCKOUT, 0


def is_locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now
