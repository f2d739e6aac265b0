"""Finding the tenant a paper or phone vote is for, from what staff have in front of them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.tenants import InvalidPhoneNumber, Tenant, find_tenant_by_phone, normalise_phone
from staff.lookup import LARGEST_ID

LONGEST_TENANT_NUMBER = 9  # digits; anything longer is a phone number


def tenant_named(db: Session, typed: str) -> Tenant | None:
    """The tenant with this tenant number (as on their page) or phone number, or None."""
    compact = typed.replace(" ", "")
    if compact.isascii() and compact.isdigit() and len(compact) <= LONGEST_TENANT_NUMBER:
        return db.get(Tenant, int(compact)) if 0 < int(compact) <= LARGEST_ID else None
    try:
        return find_tenant_by_phone(db, normalise_phone(typed))
    except InvalidPhoneNumber:
        return None
