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
from bot.message_kinds import declare
from bot.notices import queue_notices
from models import involvement
from models.consent import Topic
from models.involvement import InvolvementRequest
from models.tenants import Tenant, recipient_of

GRANTED = declare("involvement.granted")
DECLINED = declare("involvement.declined")


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
    recipient = recipient_of(request.tenant)
    if recipient is None:
        return False

    def text_in(language: str) -> str:
        return catalogue.render(
            language,
            (GRANTED if grant else DECLINED).key,
            landlord=settings.landlord,
            role=catalogue.render(language, f"involvement.role.{request.role}"),
        )

    queue_notices(session, [recipient], text_in, topic=Topic.ALL, now=now, settings=settings)
    return True
