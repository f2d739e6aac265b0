"""The admin's leave to see mystery shoppers, given to a test's staff member directly."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from models.staff import StaffUser


def let_see_shoppers(db: Session, email: str) -> None:
    """What "Let them see the names of mystery shoppers" on the member's page does."""
    db.execute(update(StaffUser).where(StaffUser.email == email).values(may_see_shoppers=True))
    db.commit()
