"""Staff accounts, their API tokens and their recovery codes.

Passwords are hashed by the caller's chosen library (werkzeug's scrypt); API
tokens and recovery codes are random and only their SHA-256 is kept, so a
database leak gives no working token or code. Five failed sign-ins in a row
(a wrong password or a wrong second-factor code) lock an account for fifteen
minutes; an admin can lift the lock sooner.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
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
# A token's last use is noted at most this often, so a busy housing system's calls do not
# each write to the database.
TOKEN_USE_NOTED_EVERY = timedelta(minutes=1)


class StaffAccountError(ValueError):
    """A staff account detail that cannot be used; the message says why, for the person typing.

    StaffAccountError
    +-- EmailRefused      not an email address, or one that has an account already
    +-- PasswordRefused   too short, too common, or the email or the landlord's name
    """


class EmailRefused(StaffAccountError):
    pass


class PasswordRefused(StaffAccountError):
    pass


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
    # The authenticator app's shared secret (base32); set when enrolment starts.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    # When the staff member confirmed a code from their app: None means not enrolled.
    two_factor_since: Mapped[datetime | None]
    # The 30-second step of the last code accepted, so no code is accepted twice.
    totp_last_step: Mapped[int | None]

    def may(self, role: str) -> bool:
        return role_allows(self.role, role)

    @property
    def two_factor_enrolled(self) -> bool:
        return self.two_factor_since is not None


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class RecoveryCode(Base):
    """A single-use code for signing in when the authenticator app is out of reach."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, staff: StaffUser) -> str:
    """Make a new API token; the plain token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(staff_id=staff.id, token_hash=hash_token(token)))
    return token


def use_token(session: Session, token: str, *, now: datetime) -> StaffUser | None:
    """The staff member a live token speaks for, noting when the token was last used.

    Noted at most once a minute, so admins can see a token that is still in use (or
    forgotten) without every API call writing to the database.
    """
    found = session.execute(
        select(StaffUser, ApiToken)
        .join(ApiToken, ApiToken.staff_id == StaffUser.id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            StaffUser.active.is_(True),
        )
    ).first()
    if found is None:
        return None
    staff, api_token = found
    if api_token.last_used_at is None or now - api_token.last_used_at >= TOKEN_USE_NOTED_EVERY:
        api_token.last_used_at = now
    return staff


def find_staff(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def checked_email(typed: str) -> str:
    """The address as we keep it (lower case), or StaffAccountError saying what is wrong.

    Checked for shape only, not by asking the mail server: staff add colleagues
    before their mailbox exists.
    """
    try:
        valid = validate_email(typed.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise EmailRefused(f"{typed.strip() or 'That'} is not an email address: {exc}") from exc
    return valid.normalized.lower()


def note_failed_sign_in(user: StaffUser, *, now: datetime) -> bool:
    """Count a wrong password or code; True when this one locks the account."""
    user.failed_logins += 1
    if user.failed_logins < MAX_FAILED_LOGINS:
        return False
    user.locked_until, user.failed_logins = now + LOCKOUT, 0
    return True


def clear_failures(user: StaffUser) -> None:
    """After a whole sign-in, or when an admin lifts a lock: the count starts afresh."""
    user.failed_logins, user.locked_until = 0, None


def is_locked(user: StaffUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now
