"""Whether the staff member behind this request may see who a mystery shopper is.

The colleagues being assessed must never learn who reported. Without the leave only an
admin grants (``may_see_shoppers``), no page, export or API answer shows a check-in beside
the tenant who gave it, shows who holds or asked for the mystery-shopper role, or dates an
anonymous answer finer than the day. Each time a member with that leave is shown who a
shopper is, the audit log gets one line per shopper per page, in the page's transaction.

Events, broadcasts and polls name who answered them, so for anyone else the role is no
part of their audience either: not shown, not offered, and kept as it was when they change
one (the audience then says it holds a role not shown to them, never "everyone"). And
since only one role is ever hidden, whoever answered one picked by that role is a shopper:
anyone else sees those answers only as counts, and may not answer for a tenant there
(marking who came, entering a paper vote), where what is accepted would say who answered.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import g
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audiences import Audience
from models.audit import AuditAction
from models.broadcasts import Broadcast
from models.console import holding_role
from models.messages import InboundRecord
from models.mystery_shopping import SHOPPER_ROLE
from models.staff import StaffUser
from models.tenants import Tenant
from staff.audit_trail import note

WHY_WITHHELD = "this is for tenants with a role only staff an admin allows may see"
ANSWERERS_WITHHELD = f"Who answered is not shown: {WHY_WITHHELD}."


def may_see_shoppers(session: Session) -> bool:
    """The signed-in member's leave in the console; the token owner's in the API."""
    api_staff_id = g.get("api_staff_id")
    if api_staff_id:
        staff = session.get(StaffUser, api_staff_id)
        return staff is not None and staff.may_see_shoppers
    return bool(current_user.may_see_shoppers)


def hidden_roles(sees_shoppers: bool) -> frozenset[str]:
    """The roles this member may not see anyone hold or ask for."""
    return frozenset() if sees_shoppers else frozenset({SHOPPER_ROLE})


def roles_shown(tenant: Tenant, sees_shoppers: bool) -> list[str]:
    return sorted(tenant.role_names - hidden_roles(sees_shoppers))


def roles_kept(tenant: Tenant, chosen: Iterable[str], sees_shoppers: bool) -> set[str]:
    """The roles to save from a form or request that could not show the hidden ones: those
    chosen, and any hidden role the tenant holds, untouched by someone who cannot see it."""
    return set(chosen) | (tenant.role_names & hidden_roles(sees_shoppers))


def shoppers_shown(session: Session, tenant_ids: Iterable[int | None]) -> None:
    """Audit lines: a member with leave was just shown these tenants as shoppers."""
    for tenant_id in sorted({tenant_id for tenant_id in tenant_ids if tenant_id is not None}):
        note(session, AuditAction.SHOPPER_IDENTITY_VIEWED, tenant_id=tenant_id)


def audience_roles_shown(audience: Audience, sees_shoppers: bool) -> list[str]:
    return sorted(audience.roles - hidden_roles(sees_shoppers))


def audience_roles_withheld(audience: Audience, sees_shoppers: bool) -> bool:
    """Whether the audience holds a role this member may not see: said, so that an audience
    of that role alone does not read as everyone."""
    return bool(audience.roles & hidden_roles(sees_shoppers))


def audience_roles_kept(
    was: Audience | None, chosen: Iterable[str], sees_shoppers: bool
) -> frozenset[str]:
    """The roles to save from a form or request that could not show the hidden ones: those
    chosen, and any hidden role the audience had, untouched by someone who cannot see it."""
    kept = was.roles & hidden_roles(sees_shoppers) if was is not None else frozenset()
    return frozenset(chosen) | kept


def picked_by_role(audience: Audience, roles: frozenset[str]) -> bool:
    """Whether the audience picks its tenants by one of these roles, so that each who
    answered is shown holding one; not so for everyone, or a list of tenants."""
    return not (audience.everyone or audience.tenant_ids) and bool(audience.roles & roles)


def answerers_withheld(session: Session, audience: Audience) -> bool:
    """Whether those who answered may be shown to this member only as counts: named, each
    would be named as holding a role the member may not see."""
    return picked_by_role(audience, hidden_roles(may_see_shoppers(session)))


def audience_shoppers_shown(
    session: Session, audience: Audience, answered: Iterable[int | None]
) -> None:
    """Audit lines: a member with leave was shown these tenants (by id) beside an audience
    of mystery shoppers, so shown which of them hold the role."""
    if not picked_by_role(audience, frozenset({SHOPPER_ROLE})):
        return
    if may_see_shoppers(session):
        shoppers_shown(session, holding_role(session, SHOPPER_ROLE, answered))


def answered_broadcasts(session: Session, messages: Iterable[InboundRecord]) -> dict[int, int]:
    """The broadcast each message answers, by message id, where this member may see it.

    A reply to a broadcast picked by a role the member may not see would say its sender
    holds that role, so the link is left out for them; a member with leave is shown it,
    and the audit log says so.
    """
    linked: dict[int, tuple[int, int | None]] = {}
    for message in messages:
        if message.broadcast_id is not None:
            linked[message.id] = (message.broadcast_id, message.tenant_id)
    wanted = {broadcast_id for broadcast_id, _tenant_id in linked.values()}
    audiences = {
        broadcast_id: Audience.from_json(audience)
        for broadcast_id, audience in session.execute(
            select(Broadcast.id, Broadcast.audience).where(Broadcast.id.in_(wanted))
        )
    }
    shown: dict[int, int] = {}
    for message_id, (broadcast_id, tenant_id) in linked.items():
        if not answerers_withheld(session, audiences[broadcast_id]):
            audience_shoppers_shown(session, audiences[broadcast_id], [tenant_id])
            shown[message_id] = broadcast_id
    return shown
