"""Importing tenants from the housing management system's CSV export.

Each row is checked on its own: a bad row is reported with its line number and
the reason, and the good rows are kept. A tenant is matched on phone number, so
importing the same file again updates and never duplicates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

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


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)  # line numbers
    updated: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.rejected)} rejected"
        )


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
                added = _import_row(session, row, areas, allowed_languages)
            except RowProblem as problem:
                report.rejected.append((line, str(problem)))
                continue
            (report.added if added else report.updated).append(line)
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


def _import_row(
    session: Session, row: dict[str, str | None], areas: dict[str, Area], languages: tuple[str, ...]
) -> bool:
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
    tenant = find_tenant_by_phone(session, phone)
    if chat_id:
        _check_chat_is_free(session, tenant, chat_id)
    added = tenant is None
    if tenant is None:
        tenant = Tenant(phone=phone)
        session.add(tenant)
    tenant.name, tenant.language, tenant.tenancy = (
        name[:120],
        language,
        tenancy or None,
    )
    tenant.area = _area(session, areas, _cell(row, "area", 120))
    was_landline = tenant.landline_only
    tenant.landline_only = _cell(row, "landline_only").lower() in TRUE_WORDS
    tenant.registered = tenant.verified = True
    tenant.set_roles(roles)
    keep_phone_identities(session, tenant, became_mobile=was_landline and not tenant.landline_only)
    if chat_id:
        _link_telegram(session, tenant, chat_id)
    session.flush()
    return added


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
