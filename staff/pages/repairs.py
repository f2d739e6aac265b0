"""Console pages: satisfaction surveys after a repair.

Results by job type and month, the alerts low scores raise, the CSV import of
finished repairs, and "you said, we did": an outcome written here is published once,
to everyone who answered a survey for those repairs (through participation.repair_steps, as the
API does, so the notices are queued in the same transaction).
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from models.audit import AuditAction
from models.mystery_shopping import open_alerts
from models.repair_import import import_repairs
from models.repairs import (
    ALERT_KIND,
    RepairFigures,
    RepairOutcome,
    RepairProblem,
    figures,
    job_types,
    months_between,
    new_outcome,
    outcomes,
)
from models.staff import StaffRole
from models.tenant_import import BadImportFile
from participation import repair_steps
from staff.audit_trail import note
from staff.auth import require_role
from staff.context import clock, sessions, settings, zone
from staff.lookup import or_404
from staff.pages.alerts import resolve_from_form
from staff.pages.common import use_time_filters
from staff.pages.inspection_forms import ConfirmForm
from staff.pages.repair_forms import OutcomeForm, RepairImportForm

blueprint = Blueprint("repairs", __name__, url_prefix="/staff/repairs")
use_time_filters(blueprint)
MONTHS_SHOWN = 12


def this_month() -> str:
    return clock()().astimezone(zone()).strftime("%Y-%m")


def month_back(month: str, count: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:]) - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def overall(rows: list[RepairFigures], months: list[str]) -> list[RepairFigures]:
    """All job types together, month by month (averages weighted by responses)."""
    by_month: dict[str, list[RepairFigures]] = defaultdict(list)
    for row in rows:
        by_month[row.month].append(row)
    return [combine("all", month, by_month[month]) for month in months if by_month[month]]


def combine(job_type: str, month: str, rows: list[RepairFigures]) -> RepairFigures:
    responses = sum(r.responses for r in rows)
    scored = sum((r.average_satisfaction or 0) * r.responses for r in rows)
    right = sum((r.right_first_time_percent or 0) * r.responses for r in rows)
    return RepairFigures(
        job_type=job_type,
        month=month,
        surveys_sent=sum(r.surveys_sent for r in rows),
        responses=responses,
        average_satisfaction=round(scored / responses, 1) if responses else None,
        right_first_time_percent=round(right / responses, 1) if responses else None,
    )


def render_index(form: OutcomeForm, status: int = 200) -> ResponseReturnValue:
    last = this_month()
    first = month_back(last, MONTHS_SHOWN - 1)
    months = list(months_between(first, last))
    with sessions()() as db:
        rows = figures(db, first_month=first, last_month=last)
        by_type: dict[str, list[RepairFigures]] = defaultdict(list)
        for row in rows:
            by_type[row.job_type].append(row)
        page = render_template(
            "pages/repairs.html",
            overall=overall(rows, months),
            by_type=[(kind, by_type[kind]) for kind in job_types(db) if kind in by_type],
            alerts=open_alerts(db, kind=ALERT_KIND),
            outcomes=outcomes(db),
            form=form,
            confirm=ConfirmForm(formdata=None),
            first=first,
            last=last,
        )
    return page, status


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> ResponseReturnValue:
    return render_index(OutcomeForm(formdata=None))


@blueprint.post("/outcomes")
@require_role(StaffRole.OFFICER)
def add_outcome() -> ResponseReturnValue:
    form = OutcomeForm()
    if not form.validate_on_submit():
        return render_index(form, 422)
    try:
        with sessions().begin() as db:
            new_outcome(
                db,
                job_type=form.job_type.data or "",
                first_month=form.first_month.data or "",
                last_month=form.last_month.data or "",
                outcome=form.outcome.data or "",
                now=clock()(),
            )
    except RepairProblem as problem:
        form.outcome.errors = [*form.outcome.errors, f"{problem}."]
        return render_index(form, 422)
    flash("Saved the outcome. Check it, then publish it to the tenants who answered.", "info")
    return redirect(url_for("repairs.index", _anchor="outcomes"))


@blueprint.post("/outcomes/<int:outcome_id>/publish")
@require_role(StaffRole.OFFICER)
def publish(outcome_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form was incomplete; reload the page and try again.")
    with sessions().begin() as db:
        outcome = or_404(db, RepairOutcome, outcome_id, "outcome")
        if outcome.published_at is not None:
            abort(409, "This outcome was already published: tenants are told once.")
        told = repair_steps.publish(db, outcome, now=clock()(), settings=settings())
    flash(f"Published the outcome. {told} tenants who answered will be told.", "info")
    return redirect(url_for("repairs.index", _anchor="outcomes"))


@blueprint.post("/alerts/<int:alert_id>/resolve")
@require_role(StaffRole.OFFICER)
def resolve(alert_id: int) -> ResponseReturnValue:
    return resolve_from_form(
        alert_id, kind=ALERT_KIND, what="repair-survey", back_to="repairs.index"
    )


@blueprint.route("/import", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def import_file() -> ResponseReturnValue:
    """The report is the result itself: importing the same file again registers nothing twice."""
    form = RepairImportForm()
    if not form.validate_on_submit():
        page = render_template("pages/repair_import.html", form=form, report=None)
        return page, 422 if form.errors else 200
    data = form.file.data.read()
    try:
        with sessions().begin() as db:
            report = import_repairs(db, data, now=clock()(), zone=zone())
            note(db, AuditAction.REPAIRS_IMPORTED, detail=report.summary)
    except BadImportFile as problem:
        form.file.errors = [f"This file cannot be imported: {problem}."]
        return render_template("pages/repair_import.html", form=form, report=None), 422
    return render_template(
        "pages/repair_import.html", form=RepairImportForm(formdata=None), report=report
    )
