"""Audit lines for what a staff member does through the console or the API.

One call at the place the action happens, in its transaction: the line names the
staff member behind this request (a signed-in console session or an API token),
so the pages and resources need not.
"""

from __future__ import annotations

from flask import g
from flask_login import current_user
from sqlalchemy.orm import Session

from models.audit import AuditAction, Via, record
from staff.accounts import Actor
from staff.context import clock


def acting() -> Actor:
    """The staff member behind this request: an API token's owner, else the console's."""
    api_staff_id = g.get("api_staff_id")
    if api_staff_id:
        return Actor(Via.API, clock()(), api_staff_id)
    return Actor(Via.CONSOLE, clock()(), current_user.id)


def note(
    session: Session, action: AuditAction, *, tenant_id: int | None = None, detail: str = ""
) -> None:
    actor = acting()
    record(
        session,
        action,
        at=actor.at,
        via=actor.via,
        staff_id=actor.staff_id,
        tenant_id=tenant_id,
        detail=detail,
    )
