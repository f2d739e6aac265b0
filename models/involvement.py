"""Getting involved (JOIN): a tenant asks to take on a role, and staff grant or decline it.

A request is recruitment, not a role: the tenant holds the role only once staff grant
it. Asking again for a role already asked for and not yet decided is the same request.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base
from models.tenants import Role, Tenant

ROLES = tuple(Role)  # the order JOIN lists them in


class RequestStatus(StrEnum):
    NEW = "new"
    GRANTED = "granted"
    DECLINED = "declined"


class InvolvementRequest(Base):
    __tablename__ = "involvement_requests"
    __table_args__ = (Index("ix_involvement_requests_status", "status", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.NEW)
    decided_at: Mapped[datetime | None]
    decided_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    tenant: Mapped[Tenant] = relationship()

    @property
    def open(self) -> bool:
        return self.status == RequestStatus.NEW


class RequestProblem(ValueError):
    """A request that cannot be decided as asked, with the reason."""


def ask_to_join(
    session: Session, tenant: Tenant, role: str, *, channel: str, now: datetime
) -> tuple[InvolvementRequest, bool]:
    """The tenant's open request for the role, and whether it is new."""
    if role not in {r.value for r in ROLES}:
        raise RequestProblem(f"{role[:40]!r} is not a way to get involved")
    existing = session.scalar(
        select(InvolvementRequest).where(
            InvolvementRequest.tenant_id == tenant.id,
            InvolvementRequest.role == role,
            InvolvementRequest.status == RequestStatus.NEW,
        )
    )
    if existing is not None:
        return existing, False
    request = InvolvementRequest(
        tenant_id=tenant.id, role=role, channel=channel, requested_at=now, status=RequestStatus.NEW
    )
    session.add(request)
    session.flush()
    return request, True


def decide(
    request: InvolvementRequest, *, grant: bool, staff_id: int | None, now: datetime
) -> None:
    """Grant (the tenant takes on the role) or decline an open request."""
    if not request.open:
        raise RequestProblem(f"this request was already {request.status}")
    request.status = RequestStatus.GRANTED if grant else RequestStatus.DECLINED
    request.decided_at, request.decided_by_staff_id = now, staff_id
    if grant:
        request.tenant.set_roles(request.tenant.role_names | {request.role})


def requests(
    session: Session,
    *,
    status: str | None = None,
    hidden_roles: Collection[str] = (),
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[InvolvementRequest], int]:
    """Requests, new ones first and newest first within each; and how many match.

    ``hidden_roles``: requests for roles this reader may not see are left out, and not
    counted (nobody without leave may learn who asked to become a mystery shopper).
    """
    query = select(InvolvementRequest).where(InvolvementRequest.role.not_in(hidden_roles))
    if status is not None:
        query = query.where(InvolvementRequest.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    newest = query.order_by(
        (InvolvementRequest.status != RequestStatus.NEW),
        InvolvementRequest.requested_at.desc(),
        InvolvementRequest.id.desc(),
    )
    return list(session.scalars(newest.limit(limit).offset(offset))), int(total)


def new_request_count(session: Session, *, hidden_roles: Collection[str] = ()) -> int:
    """Requests waiting for a decision, leaving out those for ``hidden_roles``."""
    return int(
        session.scalar(
            select(func.count()).where(
                InvolvementRequest.status == RequestStatus.NEW,
                InvolvementRequest.role.not_in(hidden_roles),
            )
        )
        or 0
    )
