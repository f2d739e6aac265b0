"""What is done to staff accounts, from the console or the command line, with its audit line.

The admin pages and the ``doorstep staff`` commands both come here, so an account
changed either way is checked the same way and leaves the same line in the audit
log. Each function takes the caller's session and never commits. Rules about who
may do what to whom (an admin cannot deactivate themself) stay with the pages:
the command line is the operator's, who is no account.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from models.audit import AuditAction, Via, record
from models.passwords import check_new_password
from models.staff import (
    ApiToken,
    EmailRefused,
    StaffAccountError,
    StaffRole,
    StaffUser,
    checked_email,
    clear_failures,
    find_staff,
    issue_token,
)
from models.two_factor import reset_two_factor

PASSWORD_LETTERS = "23456789abcdefghjkmnpqrstuvwxyz"  # noqa: S105 - none that read alike
PASSWORD_GROUPS, PASSWORD_GROUP = 4, 4


@dataclass(frozen=True)
class Actor:
    """Who acts, when and from where: a staff member in the console (their id), or the
    operator at the command line (no id: no account is signed in there)."""

    via: Via
    at: datetime
    staff_id: int | None = None

    def note(
        self, session: Session, action: AuditAction, account: StaffUser, said: str = ""
    ) -> None:
        """One audit line, naming the account acted on by email unless it is the actor's own."""
        about = "" if account.id == self.staff_id else account.email
        detail = ": ".join(part for part in (about, said) if part)
        record(session, action, at=self.at, via=self.via, staff_id=self.staff_id, detail=detail)


def new_password() -> str:
    """A password to read out or hand over: four groups of four, about 80 bits."""
    letters = "".join(
        secrets.choice(PASSWORD_LETTERS) for _ in range(PASSWORD_GROUPS * PASSWORD_GROUP)
    )
    groups = (letters[i : i + PASSWORD_GROUP] for i in range(0, len(letters), PASSWORD_GROUP))
    return "-".join(groups)


def add_account(
    session: Session, actor: Actor, *, email: str, role: str, password: str, landlord: str
) -> StaffUser:
    """A new account, or StaffAccountError saying what to change."""
    email = checked_email(email)
    if role not in set(StaffRole):
        raise StaffAccountError(f"{role} is not a role: use admin, officer or viewer.")
    check_new_password(password, email=email, landlord=landlord)
    if find_staff(session, email) is not None:
        raise EmailRefused(f"There is already an account for {email}.")
    user = StaffUser(email=email, role=role, password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    actor.note(session, AuditAction.ACCOUNT_ADDED, user, f"as {role}")
    return user


def give_token(session: Session, actor: Actor, user: StaffUser) -> str:
    """A new API token for the account; the plain token is for this moment only."""
    token = issue_token(session, user)
    actor.note(session, AuditAction.TOKEN_ISSUED, user)
    return token


def revoke_token(session: Session, actor: Actor, user: StaffUser, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = actor.at
        actor.note(session, AuditAction.TOKEN_REVOKED, user, f"token {token.id}")


def reset_password(session: Session, actor: Actor, user: StaffUser) -> str:
    """A new password made for the account (and its lock lifted), to be shown once."""
    password = new_password()
    user.password_hash = generate_password_hash(password)
    clear_failures(user)
    actor.note(session, AuditAction.PASSWORD_RESET, user)
    return password


def change_password(
    session: Session, actor: Actor, user: StaffUser, password: str, *, landlord: str
) -> None:
    """The staff member's own choice of a new password, once they have given the old one."""
    check_new_password(password, email=user.email, landlord=landlord)
    user.password_hash = generate_password_hash(password)
    actor.note(session, AuditAction.PASSWORD_CHANGED, user)


def unlock_account(session: Session, actor: Actor, user: StaffUser) -> None:
    clear_failures(user)
    actor.note(session, AuditAction.ACCOUNT_UNLOCKED, user)


def set_active(session: Session, actor: Actor, user: StaffUser, active: bool) -> None:
    """Deactivate (no sign-in, no API) or reactivate, with a clean slate of failures."""
    if user.active == active:
        return
    user.active = active
    clear_failures(user)
    done = AuditAction.ACCOUNT_REACTIVATED if active else AuditAction.ACCOUNT_DEACTIVATED
    actor.note(session, done, user)


def change_role(session: Session, actor: Actor, user: StaffUser, role: str) -> None:
    if role not in set(StaffRole):
        raise StaffAccountError(f"{role} is not a role: use admin, officer or viewer.")
    if user.role != role:
        actor.note(session, AuditAction.ROLE_CHANGED, user, f"{user.role} -> {role}")
        user.role = role


def let_see_shoppers(session: Session, actor: Actor, user: StaffUser, allowed: bool) -> None:
    """Grant or withdraw seeing which tenant gave a mystery-shopping answer."""
    if user.may_see_shoppers != allowed:
        user.may_see_shoppers = allowed
        granted = AuditAction.SHOPPER_NAMES_GRANTED
        actor.note(session, granted if allowed else AuditAction.SHOPPER_NAMES_WITHDRAWN, user)


def restart_two_factor(session: Session, actor: Actor, user: StaffUser) -> None:
    """For a lost or replaced phone: they set up their app again at their next sign-in."""
    reset_two_factor(session, user)
    actor.note(session, AuditAction.TWO_FACTOR_RESET, user)
