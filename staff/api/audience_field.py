"""The audience of an event, a poll or a broadcast, as the API reads and documents it.

One reading for all three, so a bad audience gets the same answer everywhere: 400
for the wrong shape, 422 for an area that does not exist or an audience that names
nobody. Each resource says which parts it takes (a poll is not sent to a list of
tenants; only a broadcast chooses channels).

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
from models.tenants import Area, Channel, Role
from staff.api.common import LARGEST_ID
from staff.shoppers import (
    audience_roles_kept,
    audience_roles_shown,
    audience_roles_withheld,
    hidden_roles,
    may_see_shoppers,
)

EVERYONE, AREAS, ROLES, TENANTS, CHANNELS = (
    "everyone",
    "area_ids",
    "roles",
    "tenant_ids",
    "channels",
)
PARTS = (EVERYONE, AREAS, ROLES, TENANTS, CHANNELS)
WITHHELD = "roles_withheld"
ROLE_NAMES = tuple(role.value for role in Role)
CHANNEL_NAMES = tuple(channel.value for channel in Channel)
MOST = {AREAS: 500, TENANTS: 20_000}


def audience_field(
    session: Session,
    value: object,
    *,
    parts: Collection[str],
    default_roles: Collection[str] = (),
    was: Audience | None = None,
) -> Audience:
    """The audience given; ``default_roles`` stand in when it chooses nobody at all, and
    ``was`` is the one it replaces, whose roles hidden from the token's owner stay."""
    if not isinstance(value, dict):
        abort(400, "audience: must be an object")
    unknown = sorted(set(value) - set(parts))
    if unknown:
        abort(400, f"audience.{str(unknown[0])[:40]}: not a part of this audience")
    everyone = value.get(EVERYONE, False)
    if not isinstance(everyone, bool):
        abort(400, "audience.everyone: must be true or false")
    area_ids, tenant_ids = _ids(value, AREAS), _ids(value, TENANTS)
    roles = _roles_allowed(session, _names(value, ROLES, ROLE_NAMES), was)
    if not (everyone or area_ids or roles or tenant_ids):
        roles = list(default_roles)
    _known_areas_or_422(session, area_ids)
    try:
        return Audience(
            everyone=everyone,
            area_ids=frozenset(area_ids),
            roles=frozenset(roles),
            tenant_ids=frozenset(tenant_ids),
            channels=tuple(dict.fromkeys(_names(value, CHANNELS, CHANNEL_NAMES))),
        )
    except EmptyAudience as problem:
        abort(422, f"audience: {problem}")


def audience_json(session: Session, audience: Audience, parts: Collection[str]) -> dict[str, Any]:
    """The audience as the token's owner may read it."""
    sees = may_see_shoppers(session)
    shown = {part: given for part, given in audience.as_json().items() if part in parts}
    if ROLES in shown:
        shown[ROLES] = audience_roles_shown(audience, sees)
    return {**shown, WITHHELD: audience_roles_withheld(audience, sees)}


def audience_schema(parts: Collection[str], *, shown: bool = False) -> dict[str, Any]:
    """The OpenAPI schema of an audience made of ``parts``; ``shown``: as answers give it."""
    ids = {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}}
    every_part: dict[str, Any] = {
        EVERYONE: {"type": "boolean"},
        AREAS: {**ids, "maxItems": MOST[AREAS]},
        ROLES: {
            "type": "array",
            "description": (
                "mystery_shopper only from a token whose owner an admin let see mystery "
                "shoppers (403); anyone else's change keeps it where it was"
            ),
            "items": {"type": "string", "enum": list(ROLE_NAMES)},
        },
        TENANTS: {**ids, "maxItems": MOST[TENANTS], "description": "when given, just these"},
        CHANNELS: {
            "type": "array",
            "description": "only tenants reachable by these, in order of preference",
            "items": {"type": "string", "enum": list(CHANNEL_NAMES)},
        },
    }
    properties = {part: every_part[part] for part in every_part if part in parts}
    if shown:
        properties[WITHHELD] = {
            "type": "boolean",
            "description": (
                "true when it also holds a role left out of `roles` here: mystery_shopper, "
                "unless an admin let the token's owner see mystery shoppers"
            ),
        }
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "everyone, or tenants in these areas and/or with these roles",
        "properties": properties,
    }


def _ids(value: dict[str, Any], part: str) -> list[int]:
    ids = value.get(part, [])
    if not isinstance(ids, list) or len(ids) > MOST[part]:
        abort(400, f"audience.{part}: must be a list of at most {MOST[part]} ids")
    if not all(
        isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= LARGEST_ID for i in ids
    ):
        abort(400, f"audience.{part}: each must be an id")
    return list(dict.fromkeys(ids))


def _names(value: dict[str, Any], part: str, allowed: tuple[str, ...]) -> list[str]:
    found = value.get(part, [])
    if not isinstance(found, list) or not all(item in allowed for item in found):
        abort(400, f"audience.{part}: must be a list of {', '.join(allowed)}")
    return [str(item) for item in found]


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
