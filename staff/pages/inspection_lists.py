"""What the inspection pages list: walks by area and status, reports still waiting, RSVPs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import request
from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import Session

from models.inspections import Inspection, InspectionStatus, rsvps_for
from staff.lookup import LARGEST_ID
from staff.pages.common import PAGE_SIZE

NO_NAME = "A tenant with no name yet"


@dataclass(frozen=True)
class WalkFilter:
    """The area and status the list is narrowed to."""

    area_id: int | None
    status: str | None

    @classmethod
    def from_request(cls) -> WalkFilter:
        area_id = request.args.get("area", type=int) or 0
        status = request.args.get("status", "")
        return cls(
            area_id=area_id if 0 < area_id <= LARGEST_ID else None,
            status=status if status in {s.value for s in InspectionStatus} else None,
        )

    def args(self) -> dict[str, Any]:
        found = {"area": self.area_id, "status": self.status}
        return {name: value for name, value in found.items() if value}


def walks(
    db: Session, wanted: WalkFilter, *, upcoming: bool, now: datetime, page: int = 1
) -> tuple[list[Inspection], int]:
    """Walks still to come (soonest first) or the rest (latest first), and how many."""
    still_to_come = and_(
        Inspection.status == InspectionStatus.SCHEDULED, Inspection.starts_at > now
    )
    conditions = [still_to_come if upcoming else not_(still_to_come)]
    if wanted.area_id is not None:
        conditions.append(Inspection.area_id == wanted.area_id)
    if wanted.status is not None:
        conditions.append(Inspection.status == wanted.status)
    order = (
        (Inspection.starts_at, Inspection.id)
        if upcoming
        else (Inspection.starts_at.desc(), Inspection.id.desc())
    )
    found = db.scalars(
        select(Inspection)
        .where(*conditions)
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    total = db.scalar(select(func.count(Inspection.id)).where(*conditions)) or 0
    return list(found), int(total)


@dataclass(frozen=True)
class Attendance:
    coming: list[str]
    not_coming: list[str]


def attendance(db: Session, inspection_id: int) -> Attendance:
    rsvps = rsvps_for(db, inspection_id)
    names = [(rsvp.tenant.name or NO_NAME, rsvp.coming) for rsvp in rsvps]
    return Attendance(
        coming=[name for name, coming in names if coming],
        not_coming=[name for name, coming in names if not coming],
    )
