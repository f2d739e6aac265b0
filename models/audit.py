"""The audit log: an append-only record of staff actions that touch personal data.

Each line says who (a staff account, or the command line), when, what, and which
tenant by id; never a message body or a phone number, so the log itself holds
nothing an erasure would have to reach. The database refuses to change or delete
a line once written (triggers on both SQLite and PostgreSQL), so the log stays
true even against a careless script.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Select, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base


class AuditAction(StrEnum):
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LOCKED = "sign_in_locked"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    ACCOUNT_UNLOCKED = "account_unlocked"
    ACCOUNT_ADDED = "account_added"
    ACCOUNT_DEACTIVATED = "account_deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated"
    ROLE_CHANGED = "role_changed"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled"
    TWO_FACTOR_RESET = "two_factor_reset"
    RECOVERY_CODE_USED = "recovery_code_used"
    SHOPPER_NAMES_GRANTED = "shopper_names_granted"
    SHOPPER_NAMES_WITHDRAWN = "shopper_names_withdrawn"
    SHOPPER_IDENTITY_VIEWED = "shopper_identity_viewed"
    TENANT_EXPORTED = "tenant_exported"
    TENANT_ERASED = "tenant_erased"
    TENANTS_IMPORTED = "tenants_imported"
    REPAIRS_IMPORTED = "repairs_imported"
    BROADCAST_SENT = "broadcast_sent"
    WORDING_CHANGED = "wording_changed"
    TOKEN_ISSUED = "token_issued"
    TOKEN_REVOKED = "token_revoked"
    TOPICS_CHANGED = "topics_changed"  # which topics a tenant gets, set by staff
    ENTERED_FOR_TENANT = "entered_for_tenant"  # an answer staff took by phone, paper, in person


class Via(StrEnum):
    """Where an action was taken."""

    CONSOLE = "console"
    API = "api"
    COMMAND = "command"


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    # None: done at the command line, where no staff account is signed in.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    via: Mapped[str] = mapped_column(String(10))
    # No foreign key: the line outlives the tenant's erasure, naming only the id.
    tenant_id: Mapped[int | None] = mapped_column(index=True)
    # A short fact such as "role officer -> admin" or "12 added, 3 updated"; never a body.
    detail: Mapped[str] = mapped_column(String(200), default="")


# Run by the migration on each database; kept here so tests can lift them to empty the table.
APPEND_ONLY_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
        "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()",
    ],
}
DROP_APPEND_ONLY_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_log_no_update",
        "DROP TRIGGER IF EXISTS audit_log_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
        "DROP FUNCTION IF EXISTS audit_log_refuse()",
    ],
}


def record(
    session: Session,
    action: AuditAction,
    *,
    at: datetime,
    via: Via,
    staff_id: int | None,
    tenant_id: int | None = None,
    detail: str = "",
) -> None:
    """Add one line in the caller's transaction, so it stands or falls with the action."""
    session.add(
        AuditEntry(
            at=at,
            staff_id=staff_id,
            action=action.value,
            via=via.value,
            tenant_id=tenant_id,
            detail=detail[:200],
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    """Which lines to read: any of a staff member, an action and a tenant."""

    staff_id: int | None = None
    action: str | None = None
    tenant_id: int | None = None

    def query(self) -> Select[AuditEntry]:
        query = select(AuditEntry)
        if self.staff_id is not None:
            query = query.where(AuditEntry.staff_id == self.staff_id)
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.tenant_id is not None:
            query = query.where(AuditEntry.tenant_id == self.tenant_id)
        return query


def audit_lines(
    session: Session, wanted: AuditFilter, *, limit: int | None, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """A page of matching lines, newest first, and how many match in all."""
    total = session.scalar(select(func.count()).select_from(wanted.query().subquery())) or 0
    query = wanted.query().order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
    return list(session.scalars(query)), total
