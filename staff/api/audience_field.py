"""What an audience's schema cannot judge alone: who is asking, and what is stored.

The schemas (``staff.api.audience_schemas``) refuse the wrong shape with 400. Here:
422 for an area that does not exist or an audience that names nobody, the same
for an event, a poll and a broadcast.

Those who answered are named beside it, so a role the token's owner may not see (the
mystery-shopper role, without the admin's leave: staff.shoppers) is refused (403), kept
when they change an audience that held it, and left out of what they read, which says
instead that a role was withheld.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.audiences import Audience, EmptyAudience
from models.tenants import Area
from staff.api.audience_schemas import AREAS, CHANNELS, EVERYONE, ROLES, TENANTS, WITHHELD
from staff.shoppers import (
    audience_roles_kept,
    audience_roles_shown,
    audience_roles_withheld,
    hidden_roles,
    may_see_shoppers,
)


def chosen_audience(
    session: Session,
    given: dict[str, Any],
    *,
    default_roles: Collection[str] = (),
    was: Audience | None = None,
) -> Audience:
    """The audience a schema read; ``default_roles`` stand in when it chooses nobody at all,
    and ``was`` is the one it replaces, whose roles hidden from the token's owner stay."""
    everyone = given.get(EVERYONE, False)
    area_ids, tenant_ids = given.get(AREAS, []), given.get(TENANTS, [])
    roles = _roles_allowed(session, given.get(ROLES, []), was)
    if not (everyone or area_ids or roles or tenant_ids):
        roles = list(default_roles)
    _known_areas_or_422(session, area_ids)
    try:
        return Audience(
            everyone=everyone,
            area_ids=frozenset(area_ids),
            roles=frozenset(roles),
            tenant_ids=frozenset(tenant_ids),
            channels=tuple(dict.fromkeys(given.get(CHANNELS, []))),
        )
    except EmptyAudience as problem:
        abort(422, f"audience: {problem}")


def as_seen(session: Session, audience: Audience) -> dict[str, Any]:
    """The audience as the token's owner may read it; the resource's schema picks its parts."""
    sees = may_see_shoppers(session)
    return {
        **audience.as_json(),
        ROLES: audience_roles_shown(audience, sees),
        WITHHELD: audience_roles_withheld(audience, sees),
    }


def _roles_allowed(session: Session, roles: list[str], was: Audience | None) -> list[str]:
    """The roles chosen, refusing one the token's owner may not see; and any of those the
    audience held before."""
    sees = may_see_shoppers(session)
    refused = sorted(set(roles) & hidden_roles(sees))
    if refused:
        abort(403, f"audience.roles: only staff an admin lets see shoppers may choose {refused[0]}")
    return sorted(audience_roles_kept(was, roles, sees))


def _known_areas_or_422(session: Session, area_ids: list[int]) -> None:
    known = (
        set(session.scalars(select(Area.id).where(Area.id.in_(area_ids)))) if area_ids else set()
    )
    missing = [area_id for area_id in area_ids if area_id not in known]
    if missing:
        abort(422, f"audience.area_ids: there is no area {missing[0]}")
