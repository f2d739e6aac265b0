"""Importing tenants from the housing management system's CSV export.

Each row is checked on its own: a bad row is reported with its line number and
the reason, and the good rows are kept. A tenant is matched on phone number, so
importing the same file again updates and never duplicates.

An import never undoes a tenant's own choice (a language picked by text, a Telegram
chat unlinked) nor a change staff made since: each tenant keeps what the housing
system said of every field at the last import, and a field is written only when the
housing system now says something else. Roles follow the same rule one role at a
time, so a role granted in the console stays. The report counts what actually
changed, field by field.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tenants import (
    Area,
    Channel,
    Identity,
    InvalidPhoneNumber,
    Role,
    Tenant,
    find_tenant_by_phone,
    keep_phone_identities,
    normalise_phone,
)

REQUIRED_COLUMNS = ("name", "phone", "area", "tenancy", "language", "roles")
LONGEST_TENANCY = 40
TRUE_WORDS = frozenset({"1", "true", "yes", "y"})
KNOWN_ROLES = frozenset(role.value for role in Role)


# What an import may change about a tenant, in the order a report lists them: the CSV's
# columns, and verified (a tenant who signed up by text, confirmed by the housing system).
FIELDS = (
    "name",
    "area",
    "tenancy",
    "language",
    "roles",
    "telegram_chat_id",
    "landline_only",
    "verified",
)


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)  # line numbers
    updated: list[int] = field(default_factory=list)  # something about the tenant changed
    unchanged: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    changed: Counter[str] = field(default_factory=Counter)  # field: tenants it changed for

    @property
    def changes(self) -> list[tuple[str, int]]:
        return [(name, self.changed[name]) for name in FIELDS if self.changed[name]]

    @property
    def summary(self) -> str:
        counts = (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.rejected)} rejected"
        )
        if not self.changed:
            return counts
        return f"{counts} ({', '.join(f'{name}: {n}' for name, n in self.changes)})"


class BadImportFile(ValueError):
    """The file as a whole cannot be read: not UTF-8 CSV, or required columns missing."""


def import_tenants(session: Session, data: bytes, *, languages: Iterable[str]) -> ImportReport:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadImportFile("the file is not UTF-8 text: save it as 'CSV UTF-8'") from exc
    reader = csv.DictReader(io.StringIO(text, newline=None))  # old Mac exports end lines in CR
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:
        raise BadImportFile(f"the header row cannot be read as CSV: {exc}") from exc
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise BadImportFile(f"missing columns: {', '.join(missing)}")
    reader.fieldnames = header
    allowed_languages = tuple(languages)  # in the order staff know them
    report = ImportReport()
    areas = {area.name.casefold(): area for area in session.scalars(select(Area))}
    try:
        for row in reader:
            line = reader.line_num
            try:
                record = _read_row(row, allowed_languages)
                changed = _import_record(session, record, areas)
            except RowProblem as problem:
                report.rejected.append((line, str(problem)))
                continue
            if changed is None:
                report.added.append(line)
            else:
                (report.updated if changed else report.unchanged).append(line)
                report.changed.update(changed)
    except csv.Error as exc:
        raise BadImportFile(f"line {reader.line_num} cannot be read as CSV: {exc}") from exc
    return report


class RowProblem(ValueError):
    pass


def _cell(row: dict[str, str | None], name: str, longest: int = 200) -> str:
    """A cell as text the database can keep: control characters out, cut to length."""
    value = row.get(name) or ""
    printable = "".join(ch for ch in str(value) if ch.isprintable())
    return printable.strip()[:longest]


@dataclass(frozen=True)
class HousingRecord:
    """One good row: what the housing system says of one tenant."""

    name: str
    phone: str
    area: str
    tenancy: str
    language: str
    roles: frozenset[str]
    telegram_chat_id: str
    landline_only: bool

    def as_said(self) -> dict[str, Any]:
        """The fields as kept in Tenant.last_imported, to compare with the next import."""
        return {
            "name": self.name,
            "area": self.area,
            "tenancy": self.tenancy,
            "language": self.language,
            "roles": sorted(self.roles),
            "telegram_chat_id": self.telegram_chat_id,
            "landline_only": self.landline_only,
        }


def _read_row(row: dict[str, str | None], languages: tuple[str, ...]) -> HousingRecord:
    name = _cell(row, "name", 120)
    if not name:
        raise RowProblem("name is empty")
    try:
        phone = normalise_phone(_cell(row, "phone"))
    except InvalidPhoneNumber as exc:
        raise RowProblem(f"phone: {exc}") from exc
    language = _cell(row, "language").lower() or "en"
    if language not in languages:
        raise RowProblem(f"language {language!r} is not one of {', '.join(languages)}")
    roles = {role.strip().lower() for role in _cell(row, "roles").split(";") if role.strip()}
    if unknown := roles - KNOWN_ROLES:
        raise RowProblem(f"unknown role: {', '.join(sorted(unknown))}")
    chat_id = _cell(row, "telegram_chat_id")
    if chat_id and not (chat_id.isascii() and chat_id.lstrip("-").isdigit() and len(chat_id) < 20):
        raise RowProblem("telegram_chat_id must be a Telegram chat number")
    tenancy = _cell(row, "tenancy")
    if len(tenancy) > LONGEST_TENANCY:
        raise RowProblem(f"tenancy is longer than {LONGEST_TENANCY} characters")
    return HousingRecord(
        name=name,
        phone=phone,
        area=_cell(row, "area", 120),
        tenancy=tenancy,
        language=language,
        roles=frozenset(roles),
        telegram_chat_id=chat_id,
        landline_only=_cell(row, "landline_only").lower() in TRUE_WORDS,
    )


def _import_record(
    session: Session, record: HousingRecord, areas: dict[str, Area]
) -> set[str] | None:
    """Write what the housing system says anew; the fields that changed, None for a new tenant."""
    tenant = find_tenant_by_phone(session, record.phone)
    said = record.as_said()
    before = {} if tenant is None else tenant.last_imported
    news = {name for name, value in said.items() if before.get(name) != value}
    if "telegram_chat_id" in news and record.telegram_chat_id:
        _check_chat_is_free(session, tenant, record.telegram_chat_id)
    held = None if tenant is None else _as_held(tenant)
    if tenant is None:
        tenant = Tenant(phone=record.phone)
        session.add(tenant)
    _write(session, tenant, record, news, areas, before)
    tenant.registered = tenant.verified = True
    tenant.last_imported = said
    session.flush()
    if held is None:
        return None
    now_held = _as_held(tenant)
    return {name for name in FIELDS if held[name] != now_held[name]}


def _write(
    session: Session,
    tenant: Tenant,
    record: HousingRecord,
    news: set[str],
    areas: dict[str, Area],
    before: dict[str, Any],
) -> None:
    """Write the fields the housing system says something new about, and only those."""
    if "name" in news:
        tenant.name = record.name
    if "area" in news:
        tenant.area = _area(session, areas, record.area)
    if "tenancy" in news:
        tenant.tenancy = record.tenancy or None
    if "language" in news:
        tenant.language = record.language
    if "roles" in news:
        _write_roles(tenant, record.roles, before.get("roles"))
    was_landline = tenant.landline_only
    if "landline_only" in news:
        tenant.landline_only = record.landline_only
    keep_phone_identities(session, tenant, became_mobile=was_landline and not tenant.landline_only)
    if "telegram_chat_id" in news and record.telegram_chat_id:
        _link_telegram(session, tenant, record.telegram_chat_id)


def _write_roles(tenant: Tenant, roles: frozenset[str], said_before: list[str] | None) -> None:
    """The roles the housing system added since last time granted, those it dropped taken
    away; the first import sets them all."""
    if said_before is None:
        tenant.set_roles(set(roles))
        return
    before = set(said_before)
    tenant.set_roles((tenant.role_names | (roles - before)) - (before - roles))


def _as_held(tenant: Tenant) -> dict[str, Any]:
    """The tenant as staff see them, field by field, to count what an import changed."""
    return {
        "name": tenant.name,
        "area": tenant.area,
        "tenancy": tenant.tenancy,
        "language": tenant.language,
        "roles": tenant.role_names,
        "telegram_chat_id": {
            identity.address
            for identity in tenant.identities
            if identity.channel == Channel.TELEGRAM
        },
        "landline_only": tenant.landline_only,
        "verified": tenant.verified,
    }


def _area(session: Session, areas: dict[str, Area], name: str) -> Area | None:
    if not name:
        return None
    area = areas.get(name.casefold())
    if area is None:
        area = Area(name=name[:120])
        session.add(area)
        areas[name.casefold()] = area
    return area


def _check_chat_is_free(session: Session, tenant: Tenant | None, chat_id: str) -> None:
    """Checked before anything changes, so a rejected row leaves nothing behind."""
    owner = session.scalar(
        select(Identity.tenant_id).where(
            Identity.channel == Channel.TELEGRAM, Identity.address == chat_id
        )
    )
    if owner is not None and (tenant is None or owner != tenant.id):
        raise RowProblem("telegram_chat_id belongs to another tenant")


def _link_telegram(session: Session, tenant: Tenant, chat_id: str) -> None:
    identity = session.scalar(
        select(Identity).where(Identity.channel == Channel.TELEGRAM, Identity.address == chat_id)
    )
    if identity is None:
        tenant.identities.append(Identity(channel=Channel.TELEGRAM, address=chat_id))
