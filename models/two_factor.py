"""Two-factor sign-in: a code from an authenticator app (TOTP), or a recovery code.

The app and the server share a secret and each derive a six-digit code from it
and the time, in 30-second steps (RFC 6238, through pyotp). We accept the step
before and after the current one, for phones whose clock drifts, and never a
step at or before the last one accepted, so a code seen over someone's shoulder
cannot be used again. Recovery codes are for the day the phone is lost: ten,
each good once, only their SHA-256 kept (they are random, so no slow hash is
needed), shown to the staff member once.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models.staff import RecoveryCode, StaffUser, hash_token

ACCEPTED_STEPS = (-1, 0, 1)  # one 30-second step either side of now
RECOVERY_CODES = 10
RECOVERY_LETTERS = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i to misread
RECOVERY_GROUP = 5


def secret_to_enrol(user: StaffUser) -> str:
    """The secret the staff member's app is to learn: a new one unless enrolment began."""
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def setup_link(secret: str, *, email: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def accept_app_code(user: StaffUser, typed: str, *, now: datetime) -> bool:
    """True, and the step noted, when ``typed`` is a code the app shows now and is unused."""
    code = "".join(typed.split())
    if user.totp_secret is None or len(code) != 6 or not (code.isascii() and code.isdigit()):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(now)
    for offset in ACCEPTED_STEPS:
        step = current + offset
        used = user.totp_last_step is not None and step <= user.totp_last_step
        if not used and hmac.compare_digest(totp.at(now, counter_offset=offset), code):
            user.totp_last_step = step
            return True
    return False


def confirm_enrolment(session: Session, user: StaffUser, typed: str, *, now: datetime) -> list[str]:
    """Switch two-factor on once the app shows the right code; the new recovery codes.

    An empty list means the code was wrong and nothing changed.
    """
    if user.two_factor_since is not None or not accept_app_code(user, typed, now=now):
        return []
    user.two_factor_since = now
    return new_recovery_codes(session, user)


def new_recovery_codes(session: Session, user: StaffUser) -> list[str]:
    """Ten fresh codes in place of any left; returned once, only their hashes kept."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(staff_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def _recovery_code() -> str:
    letters = "".join(secrets.choice(RECOVERY_LETTERS) for _ in range(2 * RECOVERY_GROUP))
    return f"{letters[:RECOVERY_GROUP]}-{letters[RECOVERY_GROUP:]}"


def _hash(code: str) -> str:
    """Typed codes are compared without case, spaces or dashes, as people copy them."""
    return hash_token("".join(ch for ch in code.lower() if ch.isalnum()))


def use_recovery_code(session: Session, user: StaffUser, typed: str, *, now: datetime) -> bool:
    """True when ``typed`` is one of the staff member's unused codes; it is then used up."""
    found = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.staff_id == user.id,
            RecoveryCode.code_hash == _hash(typed),
            RecoveryCode.used_at.is_(None),
        )
    )
    if found is None:
        return False
    found.used_at = now
    return True


def recovery_codes_left(session: Session, staff_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(RecoveryCode.id)).where(
                RecoveryCode.staff_id == staff_id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def reset_two_factor(session: Session, user: StaffUser) -> None:
    """Forget the app and the recovery codes: the staff member enrols again at next sign-in."""
    user.totp_secret = user.two_factor_since = user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == user.id))
