"""API resource: estate inspections, their findings and a year's figures.

The reports tenants make for a walk are their own resource (staff.api.issue_reports).

Times go out in UTC, and again as ``local_starts_at`` in the landlord's zone for
people to read. A time coming in must carry its offset (or Z): a bare "10:30"
is a different moment in summer and in winter, so it is refused, not guessed.
Changing, cancelling and closing a walk and marking an action done go through
participation.inspection_steps, so the tenants already told hear of it in the same
transaction, exactly as when staff use the console. Only a scheduled walk can
be changed, cancelled, closed or given findings; anything else is a 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, g, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from models.inspection_reports import figures_by_area, figures_by_inspection
from models.inspections import (
    Inspection,
    InspectionFinding,
    InspectionStatus,
    IssueReport,
    record_finding,
    reports_for,
    rsvps_for,
    schedule_inspection,
    waiting_reports_count,
)
from models.tenants import Area
from participation import inspection_steps
from staff.api import inspection_schemas as schemas
from staff.api.common import Created, Resource, api_role, paged, path_id, refusals, utc_or_422
from staff.context import clock, inspection_days, sessions, settings, zone
from staff.lookup import LARGEST_ID, or_404

blueprint = Resource("inspections", __name__, url_prefix="/inspections")

INSPECTION_ID = path_id("inspection_id")
FINDING_ID = path_id("finding_id")


# --- inspections ---------------------------------------------------------------------------


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listInspections", responses=refusals(400))
@api_role("viewer")
@blueprint.input(schemas.InspectionFilters, location="query")
@blueprint.output(schemas.InspectionPage, description="a page of inspections")
def list_inspections(query_data: dict[str, Any]) -> ResponseReturnValue:
    """Inspections, latest walk first; filtered and paged"""
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions()() as session:
        found, total = _inspections_page(
            session,
            status=query_data.get("status"),
            area_id=query_data.get("area_id"),
            limit=limit,
            offset=offset,
        )
        items = [_listed(session, inspection) for inspection in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.get(f"/{INSPECTION_ID}", endpoint="one")
@blueprint.doc(operation_id="getInspection", responses=refusals(404))
@api_role("viewer")
@blueprint.output(schemas.InspectionDetails, description="the inspection")
def one_inspection(inspection_id: int) -> ResponseReturnValue:
    """One walk with its RSVPs, the reports it was given and its findings"""
    with sessions()() as session:
        return _details(session, or_404(session, Inspection, inspection_id, "inspection"))


@blueprint.post("", endpoint="create")
@blueprint.doc(operation_id="createInspection", responses=refusals(400, 403, 413, 422))
@api_role("officer")
@blueprint.input(schemas.NewInspection)
@blueprint.output(schemas.InspectionDetails, status_code=201, description="booked", headers=Created)
def create_inspection(json_data: dict[str, Any]) -> ResponseReturnValue:
    """Book a walk (officer); its notice and reminder are scheduled

    The area's tenants get a notice and a reminder the configured days before.
    Reports already waiting in the area are attached to the walk if it is the
    area's next. 422 for a time without a zone or in the past, or an area that
    does not exist.
    """
    walk = {**json_data, "starts_at": utc_or_422(json_data["starts_at"], "starts_at")}
    now = clock()()
    _future(walk["starts_at"], now)
    notice_days, reminder_days = inspection_days()
    with sessions().begin() as session:
        walk["area_id"] = _area_or_422(session, walk["area_id"]).id
        inspection = schedule_inspection(
            session,
            **walk,
            notice_days=notice_days,
            reminder_days=reminder_days,
            staff_id=g.api_staff_id,
            now=now,
            zone=zone(),
        )
        booked = _details(session, inspection)
    return booked, 201, {"Location": url_for("api.inspections.one", inspection_id=inspection.id)}


@blueprint.patch(f"/{INSPECTION_ID}", endpoint="change")
@blueprint.doc(operation_id="changeInspection", responses=refusals(400, 403, 404, 409, 413, 422))
@api_role("officer")
@blueprint.input(schemas.InspectionChanges)
@blueprint.output(schemas.InspectionDetails, description="the inspection as now")
def change_inspection(inspection_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
    """Change the time, place, officer or notes of a scheduled walk (officer)

    A new time replaces the notice and reminder. Tenants already told hear of
    a new time or place. 409 unless the walk is scheduled.
    """
    changes = dict(json_data)
    if "starts_at" in changes:
        changes["starts_at"] = utc_or_422(changes["starts_at"], "starts_at")
    now = clock()()
    with sessions().begin() as session:
        inspection = _scheduled_or_409(session, inspection_id, "changed")
        wanted = {
            "starts_at": inspection.starts_at,
            "meeting_point": inspection.meeting_point,
            "officer": inspection.officer,
            "notes": inspection.notes,
            **changes,
        }
        if wanted["starts_at"] != inspection.starts_at:
            _future(wanted["starts_at"], now)
        inspection_steps.change(session, inspection, **wanted, now=now, settings=settings())
        session.flush()
        return _details(session, inspection)


@blueprint.post(f"/{INSPECTION_ID}/cancel", endpoint="cancel")
@blueprint.doc(operation_id="cancelInspection", responses=refusals(403, 404, 409))
@api_role("officer")
@blueprint.output(schemas.InspectionDetails, description="the cancelled inspection")
def cancel_inspection(inspection_id: int) -> ResponseReturnValue:
    """Call a scheduled walk off (officer); tenants already told hear so

    Its reports move on to the area's next walk.
    """
    with sessions().begin() as session:
        inspection = _scheduled_or_409(session, inspection_id, "cancelled")
        inspection_steps.cancel(session, inspection, now=clock()(), settings=settings())
        session.flush()
        return _details(session, inspection)


@blueprint.post(f"/{INSPECTION_ID}/close", endpoint="close")
@blueprint.doc(operation_id="closeInspection", responses=refusals(403, 404, 409))
@api_role("officer")
@blueprint.output(schemas.InspectionDetails, description="the closed inspection")
def close_inspection(inspection_id: int) -> ResponseReturnValue:
    """Close a walk that has happened, its findings recorded (officer)

    The area's tenants get a short summary and each reporter hears the outcome
    of their report. 409 unless it is scheduled and its day has come.
    """
    now = clock()()
    with sessions().begin() as session:
        inspection = _scheduled_or_409(session, inspection_id, "closed")
        if not inspection.day_has_come(now, zone()):
            abort(409, f"inspection {inspection_id} has not happened yet; close it on its day")
        inspection_steps.close(session, inspection, now=now, settings=settings())
        session.flush()
        return _details(session, inspection)


# --- findings ------------------------------------------------------------------------------


@blueprint.post(f"/{INSPECTION_ID}/findings", endpoint="add_finding")
@blueprint.doc(
    operation_id="addInspectionFinding", responses=refusals(400, 403, 404, 409, 413, 422)
)
@api_role("officer")
@blueprint.input(schemas.NewFinding)
@blueprint.output(schemas.Finding, status_code=201, description="recorded", headers=Created)
def add_finding(
    inspection_id: int, json_data: dict[str, Any]
) -> tuple[InspectionFinding, int, dict[str, str]]:
    """Record what a scheduled walk found and the action agreed (officer)

    422 when a report named is not one of this walk's or is answered.
    """
    with sessions().begin() as session:
        inspection = _scheduled_or_409(session, inspection_id, "given findings")
        _answerable(session, inspection, json_data["report_ids"])
        finding = record_finding(session, inspection, **_finding_fields(json_data), now=clock()())
        session.flush()
        session.refresh(finding, ["reports"])
    return finding, 201, {"Location": url_for("api.inspections.one", inspection_id=inspection_id)}


@blueprint.post(f"/{INSPECTION_ID}/findings/{FINDING_ID}/done", endpoint="finding_done")
@blueprint.doc(operation_id="markFindingDone", responses=refusals(403, 404, 409))
@api_role("officer")
@blueprint.output(schemas.Finding, description="the finding")
def finding_done(inspection_id: int, finding_id: int) -> InspectionFinding:
    """The finding's action is done (officer); its reporters hear so, once

    409 unless the walk is closed, so a reporter hears the outcome before
    hearing it is done; marking it twice changes nothing.
    """
    with sessions().begin() as session:
        inspection = or_404(session, Inspection, inspection_id, "inspection", lock=True)
        finding = session.get(InspectionFinding, finding_id)
        if finding is None or finding.inspection_id != inspection.id:
            abort(404, f"inspection {inspection_id} has no finding {finding_id}")
        if inspection.status != InspectionStatus.CLOSED:
            abort(
                409,
                f"inspection {inspection_id} is {inspection.status}; "
                "actions are marked done once it is closed",
            )
        inspection_steps.action_done(session, finding, now=clock()(), settings=settings())
        session.flush()
        session.refresh(finding, ["reports"])
        return finding


# --- the year's figures --------------------------------------------------------------------


@blueprint.get("/report", endpoint="figures")
@blueprint.doc(operation_id="getInspectionFigures", responses=refusals(400))
@api_role("viewer")
@blueprint.input(schemas.FiguresYear, location="query")
@blueprint.output(schemas.InspectionFigures, description="the year's figures")
def figures(query_data: dict[str, Any]) -> ResponseReturnValue:
    """A year's walks held, reports received and actions done on time

    Per walk closed in the year (local time), and summed per area.
    """
    here = zone()
    year = query_data.get("year", clock()().astimezone(here).year)
    with sessions()() as session:
        return {
            "year": year,
            "areas": figures_by_area(session, year=year, zone=here),
            "inspections": figures_by_inspection(session, year=year, zone=here),
        }


# --- what the representations read ---------------------------------------------------------


def _listed(session: Session, inspection: Inspection) -> dict[str, Any]:
    """What ``Inspection`` reads: the walk, and how many replied and reported."""
    rsvps = rsvps_for(session, inspection.id)
    coming = sum(1 for rsvp in rsvps if rsvp.coming)
    return {
        "inspection": inspection,
        "area": inspection.area,
        "rsvps": {"coming": coming, "not_coming": len(rsvps) - coming},
        "report_count": waiting_reports_count(session, inspection.id),
    }


def _details(session: Session, inspection: Inspection) -> dict[str, Any]:
    """What ``InspectionDetails`` reads, loaded while the session is open to load it."""
    findings = session.scalars(
        select(InspectionFinding)
        .where(InspectionFinding.inspection_id == inspection.id)
        .order_by(InspectionFinding.id)
        .options(selectinload(InspectionFinding.reports))
    )
    return {
        **_listed(session, inspection),
        "reports": reports_for(session, inspection.id),
        "findings": list(findings),
    }


# --- finding them --------------------------------------------------------------------------


def _inspections_page(
    session: Session, *, status: str | None, area_id: int | None, limit: int, offset: int
) -> tuple[list[Inspection], int]:
    """Latest walk first, so a page shows what is coming and what just happened."""
    where: list[ColumnElement[bool]] = []
    if status is not None:
        where.append(Inspection.status == status)
    if area_id is not None:
        where.append(Inspection.area_id == area_id)
    total = session.scalar(select(func.count(Inspection.id)).where(*where)) or 0
    found = session.scalars(
        select(Inspection)
        .where(*where)
        .order_by(Inspection.starts_at.desc(), Inspection.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(found), total


def _scheduled_or_409(session: Session, inspection_id: int, done: str) -> Inspection:
    inspection = or_404(session, Inspection, inspection_id, "inspection", lock=True)
    if not inspection.open:
        abort(409, f"inspection {inspection_id} is {inspection.status}; it cannot be {done}")
    return inspection


def _area_or_422(session: Session, area_id: int) -> Area:
    """Any whole number is an area's id in form; one no area has is not acceptable."""
    area = session.get(Area, area_id) if 1 <= area_id <= LARGEST_ID else None
    if area is None:
        abort(422, f"area_id: there is no area {area_id}")
    return area


def _answerable(session: Session, inspection: Inspection, report_ids: list[int]) -> None:
    """A finding answers reports made for its own walk and not answered already."""
    for report_id in report_ids:
        report = session.get(IssueReport, report_id)
        if report is None or report.inspection_id != inspection.id:
            abort(422, f"report_ids: {report_id} is not a report for inspection {inspection.id}")
        if report.finding_id is not None:
            abort(
                422,
                f"report_ids: {report.reference} is already answered by finding "
                f"{report.finding_id}",
            )


def _finding_fields(given: dict[str, Any]) -> dict[str, Any]:
    """A finding's fields, those left out empty, as ``record_finding`` takes them."""
    return {
        "found": given["found"],
        "action": given.get("action", ""),
        "responsible": given.get("responsible", ""),
        "due_on": given.get("due_on"),
        "report_ids": given["report_ids"],
    }


def _future(moment: datetime, now: datetime) -> None:
    """A walk in the past could not be announced to anyone."""
    if moment <= now:
        abort(422, "starts_at: must be in the future, so the area's tenants can be told")
