"""The audience of an event, a poll or a broadcast, as the API reads and shows it.

One reading for all three, so a bad audience gets the same answer everywhere.
Each resource says which parts it takes (a poll is not sent to a list of tenants;
only a broadcast chooses channels), and so each has its own pair of schemas,
named for it in the document. What the schema cannot judge alone (an area that
does not exist, an audience of nobody, a role the token's owner may not choose)
is judged by ``staff.api.audience_field``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, cast

from apiflask import Schema
from marshmallow import fields, validate

from models.tenants import Channel, Role
from staff.api.common import Body, Ids, Representation, TrueOrFalse

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
CHOSEN = "everyone, or tenants in these areas and/or with these roles"
ROLES_CHOSEN = (
    "mystery_shopper only from a token whose owner an admin let see mystery shoppers (403); "
    "anyone else's change keeps it where it was"
)
ROLES_WITHHELD = (
    "true when it also holds a role left out of `roles` here: mystery_shopper, unless an "
    "admin let the token's owner see mystery shoppers"
)


class AudienceGiven(Body):
    """An audience in a request: not an object is refused as such, not as a whole body."""

    error_messages = {"type": "must be an object"}


def audience_given(name: str, parts: Collection[str]) -> type[Schema]:
    """The audience a request may choose, made of ``parts``, called ``name`` in the document."""
    every_part: dict[str, fields.Field[Any]] = {
        EVERYONE: TrueOrFalse(),
        AREAS: Ids(most=MOST[AREAS]),
        ROLES: _names(ROLE_NAMES, description=ROLES_CHOSEN),
        TENANTS: Ids(most=MOST[TENANTS], metadata={"description": "when given, just these"}),
        CHANNELS: _names(
            CHANNEL_NAMES, description="only tenants reachable by these, in order of preference"
        ),
    }
    chosen = {part: field for part, field in every_part.items() if part in parts}
    return cast(type[Schema], AudienceGiven.from_dict(chosen, name=name))


def audience_shown(name: str, parts: Collection[str]) -> type[Schema]:
    """The audience as a token's owner may read it (``audience_field.as_seen`` makes it)."""
    every_part: dict[str, fields.Field[Any]] = {
        EVERYONE: fields.Boolean(),
        AREAS: fields.List(fields.Integer()),
        ROLES: fields.List(fields.String(validate=validate.OneOf(ROLE_NAMES))),
        TENANTS: fields.List(fields.Integer()),
        CHANNELS: fields.List(fields.String(validate=validate.OneOf(CHANNEL_NAMES))),
    }
    shown: dict[str, fields.Field[Any]] = {
        part: field for part, field in every_part.items() if part in parts
    }
    shown[WITHHELD] = fields.Boolean(metadata={"description": ROLES_WITHHELD})
    return cast(type[Schema], Representation.from_dict(shown, name=name))


def nested_audience(given: type[Schema], *, required: bool) -> fields.Nested:
    """A body's ``audience``: the object ``given`` describes."""
    return fields.Nested(
        given,
        required=required,
        error_messages={"null": "must be an object"},
        metadata={"description": CHOSEN},
    )


def _names(allowed: tuple[str, ...], *, description: str) -> fields.List[str]:
    refusal = f"must be a list of {', '.join(allowed)}"
    return fields.List(
        fields.String(
            validate=validate.OneOf(allowed, error=refusal),
            error_messages={"invalid": refusal, "null": refusal},
        ),
        error_messages={"invalid": refusal, "null": refusal},
        metadata={"description": description},
    )
