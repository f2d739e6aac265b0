"""The steps of a request to get involved, each in the caller's transaction.

The JOIN flow asks; the console grants or declines. The tenant's answer from staff is
queued as a notice in the same transaction as the decision, so a role granted is a
role the tenant hears about, whichever screen staff used.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.notices import queue_notice
from models import involvement
from models.consent import Topic
from models.involvement import InvolvementRequest
from models.tenants import Tenant, reach


def ask_to_join(
    session: Session, tenant: Tenant, role: str, *, channel: str, now: datetime
) -> bool:
    """Record the tenant's request for staff; False when they had already asked."""
    _request, new = involvement.ask_to_join(session, tenant, role, channel=channel, now=now)
    return new


def decide(
    session: Session,
    request: InvolvementRequest,
    *,
    grant: bool,
    staff_id: int | None,
    now: datetime,
    settings: Settings,
) -> bool:
    """Grant or decline the request and tell the tenant; False when they cannot be reached."""
    involvement.decide(request, grant=grant, staff_id=staff_id, now=now)
    tenant = request.tenant
    identity = reach(tenant)
    if identity is None:
        return False
    role = catalogue.render(tenant.language, f"involvement.role.{request.role}")
    text = catalogue.render(
        tenant.language,
        "involvement.granted" if grant else "involvement.declined",
        landlord=settings.landlord,
        role=role,
    )
    queue_notice(
        session,
        tenant=tenant,
        identity=identity,
        text=text,
        topic=Topic.ALL,
        now=now,
        settings=settings,
    )
    return True
