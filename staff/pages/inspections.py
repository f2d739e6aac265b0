"""Console pages: estate inspections. Book a walk, see what tenants reported before it,
record what it found, and close it so the area hears the outcome.

Changing, cancelling and closing a walk, and marking an action done, go through
participation.inspection_steps, so the tenants' messages are queued in the same transaction
as the change, exactly as when the API does it. Times are typed and shown in the
landlord's time zone and stored in UTC.
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from models.audit import AuditAction
from models.console import all_areas
from models.dashboard import with_counts
from models.inspections import (
    Inspection,
    InspectionFinding,
    InspectionStatus,
    ReportCategory,
    audience,
    record_finding,
    reports_for,
    schedule_inspection,
    told_count,
    waiting_reports,
)
from models.on_behalf import OnBehalfError
from models.staff import StaffRole
from participation import inspection_steps, on_behalf
from staff.audit_trail import note
from staff.auth import require_role
from staff.context import clock, inspection_days, sessions, settings, zone
from staff.lookup import LARGEST_ID, or_404
from staff.pages.common import last_page, page_number, use_time_filters
from staff.pages.inspection_forms import ConfirmForm, FindingForm, InspectionForm, WalkSearch
from staff.pages.inspection_lists import WalkFilter, attendance, walks
from staff.pages.on_behalf_forms import ReportForTenantForm
from staff.pages.poll_lookup import tenant_named

blueprint = Blueprint("inspections", __name__, url_prefix="/staff/inspections")
use_time_filters(blueprint)

STATUS_LABELS: dict[str, str] = {
    InspectionStatus.SCHEDULED: "Scheduled",
    InspectionStatus.CLOSED: "Closed",
    InspectionStatus.CANCELLED: "Cancelled",
}
CATEGORY_LABELS: dict[str, str] = {
    ReportCategory.LITTER: "Litter",
    ReportCategory.FLY_TIPPING: "Fly-tipping",
    ReportCategory.LIGHTING: "Lighting",
    ReportCategory.GRAFFITI: "Graffiti",
    ReportCategory.REPAIR: "Common-area repair",
    ReportCategory.PARKING: "Parking",
    ReportCategory.GREEN_SPACE: "Green space",
    ReportCategory.OTHER: "Other",
}


@blueprint.app_template_filter("inspection_status")
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@blueprint.app_template_filter("report_category")
def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category.replace("_", " ").capitalize())


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    wanted, page, now = WalkFilter.from_request(), page_number(), clock()()
    with sessions()() as db:
        areas = all_areas(db)
        upcoming, _ = walks(db, wanted, upcoming=True, now=now)
        past, total = walks(db, wanted, upcoming=False, now=now, page=page)
        search = WalkSearch(formdata=None)
        search.area.choices = [SelectChoice(0, "All areas")] + [
            SelectChoice(area.id, area.name) for area in areas
        ]
        search.status.choices = [SelectChoice("", "Any status")] + [
            SelectChoice(value, label) for value, label in STATUS_LABELS.items()
        ]
        search.area.data, search.status.data = wanted.area_id or 0, wanted.status or ""
        return render_template(
            "pages/inspections.html",
            search=search,
            upcoming=with_counts(db, upcoming),
            past=with_counts(db, past),
            page=page,
            pages=last_page(total),
            waiting=waiting_reports(db),
            area_names={area.id: area.name for area in areas},
            filter_args=wanted.args(),
        )


def open_or_409(db: Session, inspection_id: int) -> Inspection:
    inspection = or_404(db, Inspection, inspection_id, "inspection")
    if not inspection.open:
        abort(409, f"This inspection is {inspection.status} and can no longer be changed.")
    return inspection


def offer_areas(form: InspectionForm, db: Session) -> None:
    form.area.choices = [SelectChoice(area.id, area.name) for area in all_areas(db)]


def render_form(form: InspectionForm, inspection: Inspection | None) -> ResponseReturnValue:
    page = render_template(
        "pages/inspection_form.html", form=form, inspection=inspection, zone=zone().key
    )
    return page, 422 if form.errors else 200


def starts_at_if_future(
    form: InspectionForm, *, now: datetime, was: datetime | None = None
) -> datetime | None:
    """The walk's new start, unless it cannot be (clock change) or has passed."""
    starts_at = form.starts_at(zone())
    if starts_at is not None and starts_at != was and starts_at <= now:
        form.at.errors = [*form.at.errors, "That time has passed. Choose a time still to come."]
        return None
    return starts_at


@blueprint.route("/new", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def add() -> ResponseReturnValue:
    now = clock()()
    with sessions().begin() as db:
        form = InspectionForm(data={"area": request.args.get("area", type=int)})
        offer_areas(form, db)
        valid = form.validate_on_submit()
        starts_at = starts_at_if_future(form, now=now) if valid else None
        if starts_at is None:
            return render_form(form, None)
        notice_days, reminder_days = inspection_days()
        inspection = schedule_inspection(
            db,
            area_id=form.area.data,
            starts_at=starts_at,
            meeting_point=form.meeting_point.data or "",
            officer=form.officer.data or "",
            notes=form.notes.data or "",
            call_landlines=bool(form.call_landlines.data),
            notice_days=notice_days,
            reminder_days=reminder_days,
            staff_id=current_user.id,
            now=now,
            zone=zone(),
        )
        inspection_id, area = inspection.id, inspection.area.name
    flash(
        f"Booked the inspection of {area}. Tenants get a notice {notice_days} days before.", "info"
    )
    return redirect(url_for("inspections.show", inspection_id=inspection_id))


@blueprint.route("/reports/new", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def report_for_tenant() -> ResponseReturnValue:
    """An estate issue a tenant told staff by phone, on paper or in person: kept as their
    own report, for their area's next walk, marked with how it came and who entered it."""
    form = ReportForTenantForm()
    form.offer_categories(CATEGORY_LABELS)
    with sessions().begin() as db:
        if not form.validate_on_submit():
            return _report_form(form)
        tenant = tenant_named(db, form.tenant.data or "")
        if tenant is None:
            form.tenant.errors = ["No tenant has that phone number or tenant number."]
            return _report_form(form)
        try:
            report = on_behalf.report_for_tenant(
                db,
                tenant,
                category=form.category.data or "",
                location=form.location.data or "",
                description=form.description.data or "",
                source=form.source.data or "",
                staff_id=current_user.id,
                now=clock()(),
            )
        except OnBehalfError as refused:
            form.description.errors = [f"{str(refused).capitalize()}."]
            return _report_form(form)
        said = f"issue report {report.reference}: {report.channel}"
        note(db, AuditAction.ENTERED_FOR_TENANT, tenant_id=tenant.id, detail=said)
        reference, name = report.reference, tenant.name or "the tenant"
    flash(f"Recorded report {reference} for {name}.", "info")
    return redirect(url_for("inspections.index", _anchor="waiting"))


def _report_form(form: ReportForTenantForm) -> ResponseReturnValue:
    status = 422 if request.method == "POST" else 200
    return render_template("pages/inspection_report_for_tenant.html", form=form), status


@blueprint.route("/<int:inspection_id>/edit", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def edit(inspection_id: int) -> ResponseReturnValue:
    now = clock()()
    with sessions().begin() as db:
        inspection = open_or_409(db, inspection_id)
        form = InspectionForm.for_inspection(inspection, zone())
        del form.area  # a walk keeps its area: its tenants were told about this one
        valid = form.validate_on_submit()
        starts_at = starts_at_if_future(form, now=now, was=inspection.starts_at) if valid else None
        if starts_at is None:
            return render_form(form, inspection)
        inspection.call_landlines = bool(form.call_landlines.data)
        told = inspection_steps.change(
            db,
            inspection,
            starts_at=starts_at,
            meeting_point=form.meeting_point.data or "",
            officer=form.officer.data or "",
            notes=form.notes.data or "",
            now=now,
            settings=settings(),
        )
    flash(
        "Saved the inspection." + (f" {told} tenants will hear of the change." if told else ""),
        "info",
    )
    return redirect(url_for("inspections.show", inspection_id=inspection_id))


@blueprint.route("/<int:inspection_id>/cancel", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def cancel(inspection_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    with sessions().begin() as db:
        inspection = open_or_409(db, inspection_id)
        if not form.validate_on_submit():
            return render_template(
                "pages/inspection_cancel.html",
                inspection=inspection,
                told=told_count(db, inspection.id),
                reports=len(reports_for(db, inspection.id)),
                form=form,
            ), (400 if request.method == "POST" else 200)
        told = inspection_steps.cancel(db, inspection, now=clock()(), settings=settings())
    flash(f"Cancelled the inspection. {told} tenants will be told it is off.", "info")
    return redirect(url_for("inspections.show", inspection_id=inspection_id))


def render_inspection(
    db: Session, inspection: Inspection, finding_form: FindingForm, status: int = 200
) -> ResponseReturnValue:
    reports = reports_for(db, inspection.id)
    finding_form.offer_reports([report for report in reports if report.finding_id is None])
    page = render_template(
        "pages/inspection.html",
        inspection=inspection,
        reports=reports,
        attendance=attendance(db, inspection.id),
        told=told_count(db, inspection.id),
        finding_form=finding_form,
        confirm=ConfirmForm(formdata=None),
    )
    return page, status


@blueprint.get("/<int:inspection_id>")
@require_role(StaffRole.VIEWER)
def show(inspection_id: int) -> ResponseReturnValue:
    with sessions()() as db:
        inspection = or_404(db, Inspection, inspection_id, "inspection")
        return render_inspection(db, inspection, FindingForm(formdata=None))


@blueprint.post("/<int:inspection_id>/findings")
@require_role(StaffRole.OFFICER)
def add_finding(inspection_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        inspection = open_or_409(db, inspection_id)
        form = FindingForm()
        form.offer_reports([r for r in reports_for(db, inspection.id) if r.finding_id is None])
        if not form.validate_on_submit():
            return render_inspection(db, inspection, form, 422)
        record_finding(
            db,
            inspection,
            found=form.found.data or "",
            action=form.action.data or "",
            responsible=form.responsible.data or "",
            due_on=form.due_on.data,
            report_ids=form.reports.data or [],
            now=clock()(),
        )
    flash("Recorded the finding.", "info")
    return redirect(url_for("inspections.show", inspection_id=inspection_id, _anchor="findings"))


@blueprint.post("/<int:inspection_id>/findings/<int:finding_id>/done")
@require_role(StaffRole.OFFICER)
def action_done(inspection_id: int, finding_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form was incomplete; reload the page and try again.")
    with sessions().begin() as db:
        finding = db.get(InspectionFinding, finding_id) if finding_id <= LARGEST_ID else None
        if finding is None or finding.inspection_id != inspection_id:
            abort(404, f"Inspection {inspection_id} has no finding number {finding_id}.")
        already = finding.done
        told = inspection_steps.action_done(db, finding, now=clock()(), settings=settings())
    if already:
        flash("That action was already marked done.", "info")
    else:
        flash(f"Marked the action done. {told} tenants who reported it will be told.", "info")
    return redirect(url_for("inspections.show", inspection_id=inspection_id, _anchor="findings"))


@blueprint.route("/<int:inspection_id>/close", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def close(inspection_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    with sessions().begin() as db:
        inspection = open_or_409(db, inspection_id)
        if not inspection.day_has_come(clock()(), zone()):
            abort(409, "This walk is not until a later day: close it on its day, or cancel it.")
        if not form.validate_on_submit():
            reports = reports_for(db, inspection.id)
            return render_template(
                "pages/inspection_close.html",
                inspection=inspection,
                area_tenants=len(
                    audience(db, inspection.area_id, call_landlines=inspection.call_landlines)
                ),
                reporters=len({r.tenant_id for r in reports if r.tenant_id is not None}),
                form=form,
            ), (400 if request.method == "POST" else 200)
        told = inspection_steps.close(db, inspection, now=clock()(), settings=settings())
    flash(f"Closed the inspection. {told} messages are on their way to tenants.", "info")
    return redirect(url_for("inspections.show", inspection_id=inspection_id))


@blueprint.get("/<int:inspection_id>/walk-sheet")
@require_role(StaffRole.VIEWER)
def walk_sheet(inspection_id: int) -> str:
    with sessions()() as db:
        inspection = or_404(db, Inspection, inspection_id, "inspection")
        return render_template(
            "pages/inspection_walk_sheet.html",
            inspection=inspection,
            reports=reports_for(db, inspection.id),
            coming=len(attendance(db, inspection.id).coming),
        )
