"""API resource: estate inspections, the issue reports tenants make for them, a year's figures.

Times go out in UTC, and again as ``local_starts_at`` in the landlord's zone for
people to read. A time coming in must carry its offset (or Z): a bare "10:30"
is a different moment in summer and in winter, so it is refused, not guessed.
Changing, cancelling and closing a walk and marking an action done go through
bot.inspection_steps, so the tenants already told hear of it in the same
transaction, exactly as when staff use the console. Only a scheduled walk can
be changed, cancelled, closed or given findings; anything else is a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from bot import inspection_steps
from models.inspection_reports import figures_by_area, figures_by_inspection
from models.inspections import (
    LONGEST_PLACE,
    LONGEST_WORDS,
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
from staff.api.common import (
    LARGEST_ID,
    api_role,
    json_object,
    moment_field,
    paged,
    query_flag,
    query_id,
    reachable_page,
    text_field,
)
from staff.context import clock, inspection_days, sessions, settings

blueprint = Blueprint("inspections", __name__)

INSPECTION_ID = f"<int(max={LARGEST_ID}):inspection_id>"
FINDING_ID = f"<int(max={LARGEST_ID}):finding_id>"
REPORT_ID = f"<int(max={LARGEST_ID}):report_id>"
LONGEST_OFFICER = LONGEST_RESPONSIBLE = 120
LONGEST_NOTES = LONGEST_WORDS * 4
MOST_REPORTS = 200  # reports one finding answers
FIRST_YEAR, LAST_YEAR = 2000, 2100
STATUSES = tuple(status.value for status in InspectionStatus)
NEW_INSPECTION_FIELDS = frozenset({"area_id", "starts_at", "meeting_point", "officer", "notes"})
INSPECTION_CHANGE_FIELDS = NEW_INSPECTION_FIELDS - {"area_id"}
FINDING_FIELDS = frozenset({"found", "action", "responsible", "due_on", "report_ids"})


# --- inspections ---------------------------------------------------------------------------


@blueprint.get("/inspections", endpoint="list")
@api_role("viewer")
def list_inspections() -> ResponseReturnValue:
    limit, offset = reachable_page()
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        abort(400, f"status: must be one of {', '.join(STATUSES)}")
    area_id = query_id("area_id")
    with sessions()() as session:
        found, total = _inspections_page(
            session, status=status, area_id=area_id, limit=limit, offset=offset
        )
        items = [inspection_json(session, inspection) for inspection in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.get(f"/inspections/{INSPECTION_ID}", endpoint="one")
@api_role("viewer")
def one_inspection(inspection_id: int) -> ResponseReturnValue:
    with sessions()() as session:
        return inspection_details(session, _inspection_or_404(session, inspection_id))


@blueprint.post("/inspections", endpoint="create")
@api_role("officer")
def create_inspection() -> ResponseReturnValue:
    body = json_object(allowed=NEW_INSPECTION_FIELDS)
    for field in ("area_id", "starts_at", "meeting_point"):
        if field not in body:
            abort(400, f"{field}: required")
    fields = _inspection_fields(body)
    now = clock()()
    _future(fields["starts_at"], now)
    notice_days, reminder_days = inspection_days()
    with sessions().begin() as session:
        area = _area(session, body["area_id"])
        inspection = schedule_inspection(
            session,
            area_id=area.id,
            **fields,
            notice_days=notice_days,
            reminder_days=reminder_days,
            staff_id=g.api_staff_id,
            now=now,
            zone=settings().timezone,
        )
        created = inspection_details(session, inspection)
    location = url_for("api.inspections.one", inspection_id=created["id"])
    return created, 201, {"Location": location}


@blueprint.patch(f"/inspections/{INSPECTION_ID}", endpoint="change")
@api_role("officer")
def change_inspection(inspection_id: int) -> ResponseReturnValue:
    body = json_object(allowed=INSPECTION_CHANGE_FIELDS)
    changes = _inspection_fields(body)
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
        return inspection_details(session, inspection)


@blueprint.post(f"/inspections/{INSPECTION_ID}/cancel", endpoint="cancel")
@api_role("officer")
def cancel_inspection(inspection_id: int) -> ResponseReturnValue:
    with sessions().begin() as session:
        inspection = _scheduled_or_409(session, inspection_id, "cancelled")
        inspection_steps.cancel(session, inspection, now=clock()(), settings=settings())
        session.flush()
        return inspection_details(session, inspection)


@blueprint.post(f"/inspections/{INSPECTION_ID}/close", endpoint="close")
@api_role("officer")
def close_inspection(inspection_id: int) -> ResponseReturnValue:
    now = clock()()
    with sessions().begin() as session:
        inspection = _scheduled_or_409(session, inspection_id, "closed")
        if inspection.starts_at > now:
            abort(409, f"inspection {inspection_id} has not happened yet; close it after the walk")
        inspection_steps.close(session, inspection, now=now, settings=settings())
        session.flush()
        return inspection_details(session, inspection)


# --- findings ------------------------------------------------------------------------------


@blueprint.post(f"/inspections/{INSPECTION_ID}/findings", endpoint="add_finding")
@api_role("officer")
def add_finding(inspection_id: int) -> ResponseReturnValue:
    body = json_object(allowed=FINDING_FIELDS)
    if "found" not in body:
        abort(400, "found: required")
    found = _words(body, "found", longest=LONGEST_WORDS)
    action = _optional_text(body, "action", longest=LONGEST_WORDS)
    responsible = _optional_text(body, "responsible", longest=LONGEST_RESPONSIBLE)
    due_on = _date(body.get("due_on"))
    report_ids = _report_ids(body.get("report_ids", []))
    with sessions().begin() as session:
        inspection = _scheduled_or_409(session, inspection_id, "given findings")
        _answerable(session, inspection, report_ids)
        finding = record_finding(
            session,
            inspection,
            found=found,
            action=action,
            responsible=responsible,
            due_on=due_on,
            report_ids=report_ids,
            now=clock()(),
        )
        session.flush()
        session.refresh(finding, ["reports"])
        made = finding_json(finding)
    location = url_for("api.inspections.one", inspection_id=inspection_id)
    return made, 201, {"Location": location}


@blueprint.post(f"/inspections/{INSPECTION_ID}/findings/{FINDING_ID}/done", endpoint="finding_done")
@api_role("officer")
def finding_done(inspection_id: int, finding_id: int) -> ResponseReturnValue:
    """Once the walk is closed, so a reporter hears the outcome before hearing it is done."""
    with sessions().begin() as session:
        inspection = _inspection_or_404(session, inspection_id, lock=True)
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
        return finding_json(finding)


# --- issue reports -------------------------------------------------------------------------


@blueprint.get("/issue-reports", endpoint="reports")
@api_role("viewer")
def list_issue_reports() -> ResponseReturnValue:
    limit, offset = reachable_page()
    area_id, inspection_id = query_id("area_id"), query_id("inspection_id")
    waiting = query_flag("waiting")
    with sessions()() as session:
        found, total = _issue_reports_page(
            session,
            area_id=area_id,
            inspection_id=inspection_id,
            waiting=waiting,
            limit=limit,
            offset=offset,
        )
        items = [issue_report_json(report) for report in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.get(f"/issue-reports/{REPORT_ID}", endpoint="report_one")
@api_role("viewer")
def one_issue_report(report_id: int) -> ResponseReturnValue:
    with sessions()() as session:
        report = session.get(IssueReport, report_id)
        if report is None:
            abort(404, f"there is no issue report {report_id}")
        return issue_report_json(report)


# --- the year's figures --------------------------------------------------------------------


@blueprint.get("/inspections/report", endpoint="figures")
@api_role("viewer")
def figures() -> ResponseReturnValue:
    zone = _zone()
    raw = request.args.get("year")
    if raw is None:
        year = clock()().astimezone(zone).year
    elif not (raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR):
        abort(400, f"year: must be a year from {FIRST_YEAR} to {LAST_YEAR}")
    else:
        year = int(raw)
    with sessions()() as session:
        areas = figures_by_area(session, year=year, zone=zone)
        walks = figures_by_inspection(session, year=year, zone=zone)
    return {
        "year": year,
        "areas": [
            {
                "area": {"id": a.area_id, "name": a.area},
                "held": a.held,
                "reports": a.reports,
                "actions": a.actions,
                "done": a.done,
                "done_on_time": a.done_on_time,
                "on_time_rate": a.on_time_rate,
            }
            for a in areas
        ],
        "inspections": [
            {
                "inspection_id": w.inspection_id,
                "area": {"id": w.area_id, "name": w.area},
                "starts_at": w.starts_at.isoformat(),
                "local_starts_at": w.starts_at.astimezone(zone).isoformat(),
                "reports": w.reports,
                "actions": w.actions,
                "done": w.done,
                "done_on_time": w.done_on_time,
            }
            for w in walks
        ],
    }


# --- what goes out -------------------------------------------------------------------------


def inspection_json(session: Session, inspection: Inspection) -> dict[str, Any]:
    """The walk as listed: when and where, its state, and how many replied and reported."""
    rsvps = rsvps_for(session, inspection.id)
    coming = sum(1 for rsvp in rsvps if rsvp.coming)
    return {
        "id": inspection.id,
        "area": {"id": inspection.area.id, "name": inspection.area.name},
        "status": inspection.status,
        "starts_at": inspection.starts_at.isoformat(),
        "local_starts_at": inspection.starts_at.astimezone(_zone()).isoformat(),
        "meeting_point": inspection.meeting_point,
        "officer": inspection.officer,
        "notes": inspection.notes,
        "notice_days": inspection.notice_days,
        "reminder_days": inspection.reminder_days,
        "notice_sent_at": _time(inspection.notice_sent_at),
        "reminder_sent_at": _time(inspection.reminder_sent_at),
        "cancelled_at": _time(inspection.cancelled_at),
        "closed_at": _time(inspection.closed_at),
        "created_at": inspection.created_at.isoformat(),
        "updated_at": inspection.updated_at.isoformat(),
        "rsvps": {"coming": coming, "not_coming": len(rsvps) - coming},
        "report_count": waiting_reports_count(session, inspection.id),
    }


def inspection_details(session: Session, inspection: Inspection) -> dict[str, Any]:
    """The walk with the reports it was given and what it found."""
    return {
        **inspection_json(session, inspection),
        "reports": [issue_report_json(r) for r in reports_for(session, inspection.id)],
        "findings": [finding_json(f) for f in inspection.findings],
    }


def finding_json(finding: InspectionFinding) -> dict[str, Any]:
    return {
        "id": finding.id,
        "inspection_id": finding.inspection_id,
        "found": finding.found,
        "action": finding.action,
        "responsible": finding.responsible,
        "due_on": None if finding.due_on is None else finding.due_on.isoformat(),
        "done_at": _time(finding.done_at),
        "reports": [{"id": r.id, "reference": r.reference} for r in finding.reports],
        "created_at": finding.created_at.isoformat(),
    }


def issue_report_json(report: IssueReport) -> dict[str, Any]:
    """A tenant's report; photos as Telegram file ids (the console shows the images)."""
    tenant = report.tenant
    return {
        "id": report.id,
        "reference": report.reference,
        "tenant": None if tenant is None else {"id": tenant.id, "name": tenant.name},
        "area_id": report.area_id,
        "inspection_id": report.inspection_id,
        "finding_id": report.finding_id,
        "category": report.category,
        "location": report.location,
        "description": report.description,
        "photo_ids": list(report.photo_ids),
        "channel": report.channel,
        "created_at": report.created_at.isoformat(),
        "outcome_told_at": _time(report.outcome_told_at),
        "done_told_at": _time(report.done_told_at),
    }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _zone() -> ZoneInfo:
    return ZoneInfo(settings().timezone)


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


def _issue_reports_page(
    session: Session,
    *,
    area_id: int | None,
    inspection_id: int | None,
    waiting: bool,
    limit: int,
    offset: int,
) -> tuple[list[IssueReport], int]:
    """Newest first; ``waiting`` keeps those no walk has taken yet."""
    where: list[ColumnElement[bool]] = []
    if area_id is not None:
        where.append(IssueReport.area_id == area_id)
    if inspection_id is not None:
        where.append(IssueReport.inspection_id == inspection_id)
    if waiting:
        where.append(IssueReport.inspection_id.is_(None))
    total = session.scalar(select(func.count(IssueReport.id)).where(*where)) or 0
    found = session.scalars(
        select(IssueReport)
        .where(*where)
        .order_by(IssueReport.created_at.desc(), IssueReport.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(found), total


def _inspection_or_404(session: Session, inspection_id: int, *, lock: bool = False) -> Inspection:
    """The walk; ``lock`` holds it, so two staff closing it at once do not both succeed."""
    query = select(Inspection).where(Inspection.id == inspection_id)
    if lock:
        query = query.with_for_update(of=Inspection)
    inspection = session.scalar(query)
    if inspection is None:
        abort(404, f"there is no inspection {inspection_id}")
    return inspection


def _scheduled_or_409(session: Session, inspection_id: int, done: str) -> Inspection:
    inspection = _inspection_or_404(session, inspection_id, lock=True)
    if not inspection.open:
        abort(409, f"inspection {inspection_id} is {inspection.status}; it cannot be {done}")
    return inspection


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


# --- reading input -------------------------------------------------------------------------


def _inspection_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The walk's fields that were given, each checked; those not given are left out."""
    readers: dict[str, Callable[[], object]] = {
        "starts_at": lambda: moment_field(body["starts_at"], "starts_at"),
        "meeting_point": lambda: _words(body, "meeting_point", longest=LONGEST_PLACE),
        "officer": lambda: _optional_text(body, "officer", longest=LONGEST_OFFICER),
        "notes": lambda: _optional_text(body, "notes", longest=LONGEST_NOTES, lines=True),
    }
    return {field: read() for field, read in readers.items() if field in body}


def _future(moment: datetime, now: datetime) -> datetime:
    if moment <= now:
        abort(422, "starts_at: must be in the future, so the area's tenants can be told")
    return moment


def _date(value: object) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        abort(400, "due_on: must be a date such as 2026-04-30, or null")
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"due_on: {value[:20]!r} is not a date such as 2026-04-30")


def _words(body: dict[str, Any], field: str, *, longest: int) -> str:
    """Text that must say something: not empty, and not only invisible characters."""
    value = text_field(body, field, longest=longest)
    if not any(ch.isprintable() and not ch.isspace() for ch in value):
        abort(400, f"{field}: must not be empty")
    return value


def _optional_text(body: dict[str, Any], field: str, *, longest: int, lines: bool = False) -> str:
    if body.get(field) is None:
        return ""
    return text_field(body, field, longest=longest, lines=lines)


def _report_ids(value: object) -> list[int]:
    if (
        not isinstance(value, list)
        or len(value) > MOST_REPORTS
        or not all(
            isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= LARGEST_ID for i in value
        )
    ):
        abort(400, f"report_ids: must be a list of at most {MOST_REPORTS} report ids")
    return list(dict.fromkeys(value))


def _area(session: Session, value: object) -> Area:
    if isinstance(value, bool) or not isinstance(value, int):
        abort(400, "area_id: must be an area's id")
    area = session.get(Area, value) if 1 <= value <= LARGEST_ID else None
    if area is None:
        abort(422, f"area_id: there is no area {value}")
    return area
