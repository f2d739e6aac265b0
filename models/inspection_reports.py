"""The staff report on estate inspections: walks held, reports received, actions done on time.

Figures are counted per inspection and summed per area for a calendar year of the
landlord's clock, so the page, its CSV and the API all show the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.inspections import Inspection, InspectionStatus, IssueReport


@dataclass(frozen=True)
class InspectionFigures:
    inspection_id: int
    area_id: int
    area: str
    starts_at: datetime
    reports: int  # tenant reports received before the walk
    actions: int  # findings with an action agreed
    done: int
    done_on_time: int


@dataclass(frozen=True)
class AreaFigures:
    area_id: int
    area: str
    held: int
    reports: int
    actions: int
    done: int
    done_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return self.done_on_time / self.actions if self.actions else None


def figures_by_inspection(
    session: Session, *, year: int, zone: ZoneInfo
) -> list[InspectionFigures]:
    """Every walk held (closed) in ``year``, local time, in date order."""
    start = datetime(year, 1, 1, tzinfo=zone)
    end = datetime(year + 1, 1, 1, tzinfo=zone)
    inspections = session.scalars(
        select(Inspection)
        .where(
            Inspection.status == InspectionStatus.CLOSED,
            Inspection.starts_at >= start,
            Inspection.starts_at < end,
        )
        .options(selectinload(Inspection.findings))
        .order_by(Inspection.starts_at, Inspection.id)
    ).all()
    received = _reports_before(session, inspections)
    figures = []
    for inspection in inspections:
        with_action = [f for f in inspection.findings if f.action]
        figures.append(
            InspectionFigures(
                inspection_id=inspection.id,
                area_id=inspection.area_id,
                area=inspection.area.name,
                starts_at=inspection.starts_at,
                reports=received.get(inspection.id, 0),
                actions=len(with_action),
                done=sum(1 for f in with_action if f.done),
                done_on_time=sum(1 for f in with_action if f.done_on_time()),
            )
        )
    return figures


def figures_by_area(session: Session, *, year: int, zone: ZoneInfo) -> list[AreaFigures]:
    """The year's walks summed per area, areas by name."""
    summed: dict[int, list[InspectionFigures]] = defaultdict(list)
    for figures in figures_by_inspection(session, year=year, zone=zone):
        summed[figures.area_id].append(figures)
    return sorted(
        (
            AreaFigures(
                area_id=area_id,
                area=walks[0].area,
                held=len(walks),
                reports=sum(w.reports for w in walks),
                actions=sum(w.actions for w in walks),
                done=sum(w.done for w in walks),
                done_on_time=sum(w.done_on_time for w in walks),
            )
            for area_id, walks in summed.items()
        ),
        key=lambda figures: figures.area.casefold(),
    )


def _reports_before(session: Session, inspections: Sequence[Inspection]) -> dict[int, int]:
    """How many tenant reports each walk had received by the time it started."""
    starts = {inspection.id: inspection.starts_at for inspection in inspections}
    if not starts:
        return {}
    counts: dict[int, int] = defaultdict(int)
    rows = session.execute(
        select(IssueReport.inspection_id, IssueReport.created_at).where(
            IssueReport.inspection_id.in_(starts)
        )
    )
    for inspection_id, created_at in rows:
        if inspection_id is not None and created_at <= starts[inspection_id]:
            counts[inspection_id] += 1
    return dict(counts)
