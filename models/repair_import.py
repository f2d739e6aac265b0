"""Registering finished repairs from the housing system's CSV export.

The same rules as the API, row by row: a bad row is reported with its line number and
the reason, and the good rows are kept. The job reference is the system's own, so
importing the same file again registers nothing twice and asks nobody twice.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from models.repairs import RepairProblem, register_repair
from models.tenant_import import BadImportFile
from models.tenants import InvalidPhoneNumber, Tenant, find_tenant_by_phone, normalise_phone

REQUIRED_COLUMNS = ("job_reference", "job_type", "completed_at")
LARGEST_ID = 2**31 - 1


@dataclass
class RepairImportReport:
    added: list[int] = field(default_factory=list)  # line numbers
    already: list[int] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{len(self.added)} registered, {len(self.already)} already registered, "
            f"{len(self.rejected)} rejected"
        )


def import_repairs(
    session: Session, data: bytes, *, now: datetime, zone: ZoneInfo
) -> RepairImportReport:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadImportFile("the file is not UTF-8 text: save it as 'CSV UTF-8'") from exc
    reader = csv.DictReader(io.StringIO(text, newline=None))
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:
        raise BadImportFile(f"the header row cannot be read as CSV: {exc}") from exc
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if "tenant_id" not in header and "phone" not in header:
        missing.append("tenant_id or phone")
    if missing:
        raise BadImportFile(f"missing columns: {', '.join(missing)}")
    reader.fieldnames = header
    report = RepairImportReport()
    try:
        for row in reader:
            _import_row(session, row, reader.line_num, report, now=now, zone=zone)
    except csv.Error as exc:
        raise BadImportFile(f"line {reader.line_num} cannot be read as CSV: {exc}") from exc
    return report


def _import_row(
    session: Session,
    row: dict[str, str | None],
    line: int,
    report: RepairImportReport,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    try:
        with session.begin_nested():
            _, new = register_repair(
                session,
                tenant=_tenant(session, row),
                job_reference=_cell(row, "job_reference"),
                job_type=_cell(row, "job_type"),
                completed_at=_moment(_cell(row, "completed_at"), zone),
                now=now,
                zone=zone,
            )
    except RepairProblem as problem:
        report.rejected.append((line, str(problem)))
        return
    (report.added if new else report.already).append(line)


def _cell(row: dict[str, str | None], name: str) -> str:
    value = row.get(name) or ""
    return "".join(ch for ch in str(value) if ch.isprintable()).strip()[:200]


def _tenant(session: Session, row: dict[str, str | None]) -> Tenant:
    tenant_id = _cell(row, "tenant_id")
    if tenant_id:
        if not (tenant_id.isascii() and tenant_id.isdigit() and 1 <= int(tenant_id) <= LARGEST_ID):
            raise RepairProblem("tenant_id must be a tenant's number")
        tenant = session.get(Tenant, int(tenant_id))
        if tenant is None:
            raise RepairProblem(f"no tenant has the id {tenant_id}")
        return tenant
    try:
        phone = normalise_phone(_cell(row, "phone"))
    except InvalidPhoneNumber as exc:
        raise RepairProblem(f"phone: {exc}") from exc
    tenant = find_tenant_by_phone(session, phone)
    if tenant is None:
        raise RepairProblem("no tenant has that phone number")
    return tenant


def _moment(value: str, zone: ZoneInfo) -> datetime:
    """'2026-12-03 14:30' on the landlord's clock, or an ISO time with its offset."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise RepairProblem(
            f"completed_at {value[:30]!r} is not a date and time such as 2026-12-03 14:30"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise RepairProblem("completed_at is out of range") from exc
