"""Tenants, the estates they live on, and the channels they reach us by.

A tenant is one person; an identity is one way to reach them (an SMS number, a
Telegram chat). A conversation follows the tenant, so a tenant who starts on SMS
and carries on in Telegram is still mid-way through the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

import phonenumbers
from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    String,
    UniqueConstraint,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, contains_eager, lazyload, mapped_column, relationship

from models.base import Base, utcnow

DEFAULT_REGION = "GB"
# Ofcom keeps these ranges for drama and training; they can never reach a real person,
# so the demo and the tests use them, and they are accepted as numbers.
FICTIONAL_PREFIXES = ("+447700900", "+441632960", "+441314960", "+441414960")
CHUNK = 1000  # tenants read (and notices queued) at a time: memory stays flat for any estate


class Channel(StrEnum):
    SMS = "sms"
    TELEGRAM = "telegram"
    VOICE = "voice"  # phone calls, for tenants with only a landline


class Role(StrEnum):
    MYSTERY_SHOPPER = "mystery_shopper"
    RESIDENT_INSPECTOR = "resident_inspector"
    VOLUNTEER_BANK = "volunteer_bank"
    VOICES = "voices"
    TRA_REP = "tra_rep"
    MEMBER = "member"
    BOARD_OBSERVER = "board_observer"


class InvalidPhoneNumber(ValueError):
    """A phone number that cannot be dialled: say which, so staff can fix the row."""


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """The E.164 form of a number typed any usual way ("07700 900123", "+44 7700...")."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"not a phone number: {exc}") from exc
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    fictional = e164.startswith(FICTIONAL_PREFIXES) and len(e164) == len("+447700900123")
    if not (fictional or phonenumbers.is_valid_number(number)):
        raise InvalidPhoneNumber("not a valid phone number")
    return e164


class Area(Base):
    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    postcode_prefixes: Mapped[str] = mapped_column(String(400), default="")
    homes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def covers_postcode(self, postcode: str) -> bool:
        compact = postcode.replace(" ", "").upper()
        prefixes = (p.replace(" ", "").upper() for p in self.postcode_prefixes.split(","))
        return any(prefix and compact.startswith(prefix) for prefix in prefixes)


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    area_text: Mapped[str | None] = mapped_column(String(120))
    tenancy: Mapped[str | None] = mapped_column(String(40), index=True)
    verified: Mapped[bool] = mapped_column(default=False)
    registered: Mapped[bool] = mapped_column(default=False)
    landline_only: Mapped[bool] = mapped_column(default=False)
    # What the housing system's import said of each field last time: see tenant_import.
    last_imported: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    area: Mapped[Area | None] = relationship(lazy="joined")
    roles: Mapped[list[TenantRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    identities: Mapped[list[Identity]] = relationship(
        back_populates="tenant", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> set[str]:
        return {role.role for role in self.roles}

    def set_roles(self, names: set[str]) -> None:
        self.roles = [r for r in self.roles if r.role in names] + [
            TenantRole(role=name) for name in sorted(names - self.role_names)
        ]


class TenantRole(Base):
    __tablename__ = "tenant_roles"

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class Identity(Base):
    """One address a tenant can be reached at; unreachable when the provider says so."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    reachable: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tenant: Mapped[Tenant] = relationship(back_populates="identities")


def find_identity(session: Session, channel: str, address: str) -> Identity | None:
    return session.scalar(
        select(Identity).where(Identity.channel == channel, Identity.address == address)
    )


# Built once: the inbound path runs it for every message, and a statement that is the
# same object each time saves SQLAlchemy rebuilding its cache key.
_IDENTITY_WITH_TENANT = (
    select(Identity)
    .join(Identity.tenant)
    .where(
        Identity.channel == bindparam("channel"),
        Identity.address == bindparam("address"),
    )
    .options(
        contains_eager(Identity.tenant).options(lazyload(Tenant.roles), lazyload(Tenant.identities))
    )
)
_IDENTITY_WITH_TENANT_LOCKED = _IDENTITY_WITH_TENANT.with_for_update(of=Tenant)


def _find_identity_with_tenant(
    session: Session, channel: str, address: str, *, lock: bool
) -> Identity | None:
    """One query for the identity and its tenant; roles and other identities only if asked."""
    query = _IDENTITY_WITH_TENANT_LOCKED if lock else _IDENTITY_WITH_TENANT
    return session.scalar(query, {"channel": channel, "address": address})


def find_tenant_by_phone(session: Session, phone: str) -> Tenant | None:
    return session.scalar(select(Tenant).where(Tenant.phone == phone))


PHONE_CHANNELS = frozenset({Channel.SMS, Channel.VOICE})


def identity_for(session: Session, channel: str, address: str, *, lock: bool = False) -> Identity:
    """The identity behind an address, creating an unregistered tenant for a stranger.

    ``lock`` also holds the tenant's row until commit, as lock_tenant() does, in the
    same query that finds it.
    """
    identity = _find_identity_with_tenant(session, channel, address, lock=lock)
    if identity is not None:
        return identity
    by_phone = channel in PHONE_CHANNELS
    tenant = find_tenant_by_phone(session, address) if by_phone else None
    if tenant is None:
        tenant = Tenant(phone=address if by_phone else None)
        session.add(tenant)
    identity = Identity(channel=channel, address=address)
    tenant.identities.append(identity)
    session.flush()
    if lock:
        lock_tenant(session, tenant.id)
    return identity


def lock_tenant(session: Session, tenant_id: int) -> None:
    """Hold the tenant's row until commit, so two messages from one person queue up."""
    session.execute(select(Tenant.id).where(Tenant.id == tenant_id).with_for_update())


def reach(tenant: Tenant) -> Identity | None:
    """The identity to send an unasked message to: SMS first, else Telegram."""
    by_channel = {i.channel: i for i in tenant.identities if i.reachable}
    return by_channel.get(Channel.SMS) or by_channel.get(Channel.TELEGRAM)


class Recipient(NamedTuple):
    """Who an unasked message goes to, and where: just enough to queue it, no ORM objects."""

    tenant_id: int
    language: str
    channel: str
    address: str


SMS_FIRST = (Channel.SMS, Channel.TELEGRAM)
CALLING_LANDLINES = (*SMS_FIRST, Channel.VOICE)  # a notice staff chose to phone to landlines


def recipients(
    session: Session,
    *criteria: ColumnElement[bool],
    size: int = CHUNK,
    channels: Sequence[str] = SMS_FIRST,
) -> Iterator[list[Recipient]]:
    """The reachable tenants matching ``criteria``, in id order, ``size`` at a time.

    Each is reached on the first of ``channels`` they have; a tenant on none of them
    is left out. Pages are read by id (keyset), so a notice to 100,000 tenants holds
    one page in memory and no cursor stays open while the caller writes the page's
    outbox rows.
    """
    after = 0
    while True:
        page = session.execute(
            select(Tenant.id, Tenant.language)
            .where(*criteria, Tenant.id > after)
            .order_by(Tenant.id)
            .limit(size)
        ).all()
        if not page:
            return
        addresses = _reach_many(
            session, criteria, first=page[0].id, last=page[-1].id, channels=channels
        )
        after = page[-1].id
        yield [
            Recipient(tenant_id, language, *addresses[tenant_id])
            for tenant_id, language in page
            if tenant_id in addresses
        ]


def recipient_of(tenant: Tenant, channels: Sequence[str] = CALLING_LANDLINES) -> Recipient | None:
    """One tenant as the recipient of a message about their own affairs (their repair,
    their report): SMS, else Telegram, else, landline-only, a call; None if unreachable."""
    by_channel = {
        identity.channel: identity.address
        for identity in tenant.identities
        if identity.reachable and (identity.channel != Channel.VOICE or tenant.landline_only)
    }
    channel = next((channel for channel in channels if channel in by_channel), None)
    if channel is None:
        return None
    return Recipient(tenant.id, tenant.language, channel, by_channel[channel])


def _reach_many(
    session: Session,
    criteria: Sequence[ColumnElement[bool]],
    *,
    first: int,
    last: int,
    channels: Sequence[str],
) -> dict[int, tuple[str, str]]:
    """Each page tenant's (channel, address) on the first of ``channels`` they have.

    The page is named by its criteria and id range rather than by 1,000 ids: two
    parameters, and the same statement text for every page.
    """
    found = session.execute(
        select(Identity.tenant_id, Identity.channel, Identity.address)
        .join(Tenant, Tenant.id == Identity.tenant_id)
        .where(*criteria, Tenant.id.between(first, last), Identity.reachable)
        .where(or_(Identity.channel != Channel.VOICE, Tenant.landline_only))  # nobody else is rung
        .order_by(Identity.id)
    )
    by_tenant: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for tenant_id, channel, address in found:
        by_tenant[tenant_id][channel] = (channel, address)
    return {
        tenant_id: next(by_channel[channel] for channel in channels if channel in by_channel)
        for tenant_id, by_channel in by_tenant.items()
        if any(channel in by_channel for channel in channels)
    }


def find_area(session: Session, said: str) -> Area | None:
    """The one estate a tenant means by a name or postcode, or None when unsure."""
    wanted = " ".join(said.casefold().split())
    if not wanted:
        return None
    areas = list(session.scalars(select(Area).order_by(Area.name)))
    exact = [a for a in areas if a.name.casefold() == wanted]
    by_postcode = [a for a in areas if a.covers_postcode(wanted)]
    partial = [a for a in areas if wanted in a.name.casefold() or a.name.casefold() in wanted]
    for found in (exact, by_postcode, partial):
        if len(found) == 1:
            return found[0]
    return None


def ensure_identity(session: Session, tenant: Tenant, channel: str, address: str) -> Identity:
    identity = find_identity(session, channel, address)
    if identity is None:
        identity = Identity(channel=channel, address=address)
        tenant.identities.append(identity)
    return identity


def keep_phone_identities(session: Session, tenant: Tenant, *, became_mobile: bool) -> None:
    """A landline takes calls, not texts: its SMS identity is held unreachable, not deleted.

    A landline-only tenant gets notices as calls when staff choose so; ``became_mobile``
    is a landline corrected to a mobile.
    """
    if tenant.phone is None:
        return
    if tenant.landline_only:
        ensure_identity(session, tenant, Channel.VOICE, tenant.phone)
    sms = next(
        (i for i in tenant.identities if i.channel == Channel.SMS and i.address == tenant.phone),
        None,
    )
    if tenant.landline_only:
        if sms is not None:
            sms.reachable = False
    elif sms is None:
        ensure_identity(session, tenant, Channel.SMS, tenant.phone)
    elif became_mobile:
        sms.reachable = True


def search_tenants(
    session: Session,
    *,
    text: str = "",
    area_id: int | None = None,
    unverified: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Tenant], int]:
    """Tenants matching a name, a phone number (any usual form) or an estate; and how many."""
    query = select(Tenant)
    wanted = " ".join("".join(ch for ch in text if ch.isprintable()).split())[:100]
    if wanted:
        try:
            query = query.where(Tenant.phone == normalise_phone(wanted))
        except InvalidPhoneNumber:
            literal = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = f"%{literal}%"
            query = query.outerjoin(Area, Tenant.area_id == Area.id).where(
                Tenant.name.ilike(pattern, escape="\\")
                | Area.name.ilike(pattern, escape="\\")
                | Tenant.phone.ilike(pattern, escape="\\")
            )
    if area_id is not None:
        query = query.where(Tenant.area_id == area_id)
    if unverified:
        query = query.where(Tenant.registered, Tenant.verified.is_(False))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = session.scalars(query.order_by(Tenant.name, Tenant.id).limit(limit).offset(offset))
    return list(found), total
