"""Who an invitation, a notice or a poll is for, as staff choose it.

One shape for events, broadcasts and polls: everyone, or some areas and/or some
roles, or a list of tenants (from a CSV); optionally only those reachable on some
channels. Stored as JSON on the thing it belongs to, so the audience a notice went
to can be read back later exactly as it was chosen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from models.tenants import SMS_FIRST, Channel, Recipient, Tenant, TenantRole, recipients


class EmptyAudience(ValueError):
    """An audience that names nobody: say so rather than send to no one, or to everyone."""


@dataclass(frozen=True)
class Audience:
    everyone: bool = False
    area_ids: frozenset[int] = frozenset()
    roles: frozenset[str] = frozenset()
    tenant_ids: frozenset[int] = frozenset()  # a chosen list; when given, the rest is ignored
    channels: tuple[str, ...] = ()  # in order of preference; () for SMS, else Telegram

    def __post_init__(self) -> None:
        if not (self.everyone or self.area_ids or self.roles or self.tenant_ids):
            raise EmptyAudience("choose everyone, some areas, some roles or a list of tenants")

    def criteria(self) -> list[ColumnElement[bool]]:
        """The tenants it names: registered ones only, matched on every part chosen."""
        found: list[ColumnElement[bool]] = [Tenant.registered.is_(True)]
        if self.tenant_ids:
            return [*found, Tenant.id.in_(sorted(self.tenant_ids))]
        if self.everyone:
            return found
        if self.area_ids:
            found.append(Tenant.area_id.in_(sorted(self.area_ids)))
        if self.roles:
            holders = select(TenantRole.tenant_id).where(TenantRole.role.in_(sorted(self.roles)))
            found.append(Tenant.id.in_(holders))
        return found

    def recipients(
        self, session: Session, *, call_landlines: bool = False
    ) -> Iterator[list[Recipient]]:
        """Pages of the reachable tenants it names, each on its preferred channel; with
        ``call_landlines``, a landline-only tenant by phone call."""
        channels = tuple(self.channels or SMS_FIRST)
        if call_landlines:
            channels = (*channels, Channel.VOICE)
        return recipients(session, *self.criteria(), channels=channels)

    def count_by_channel(self, session: Session) -> Counter[str]:
        """How many it would reach on each channel, for the count staff see before sending."""
        counted: Counter[str] = Counter()
        for page in self.recipients(session):
            counted.update(recipient.channel for recipient in page)
        return counted

    def as_json(self) -> dict[str, Any]:
        return {
            "everyone": self.everyone,
            "area_ids": sorted(self.area_ids),
            "roles": sorted(self.roles),
            "tenant_ids": sorted(self.tenant_ids),
            "channels": list(self.channels),
        }

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> Audience:
        return cls(
            everyone=bool(stored.get("everyone")),
            area_ids=frozenset(int(n) for n in stored.get("area_ids", ())),
            roles=frozenset(str(r) for r in stored.get("roles", ())),
            tenant_ids=frozenset(int(n) for n in stored.get("tenant_ids", ())),
            channels=tuple(str(c) for c in stored.get("channels", ())),
        )
