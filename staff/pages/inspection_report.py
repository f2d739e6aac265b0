"""Console pages: the yearly inspections report, per area and per walk, and its CSV.

The figures come from models.inspection_reports, so the page, the CSV and the API
agree. Charts are inline SVG bars beside their numbers, as on the mystery-shopping
report, so the page prints and reads without scripts.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from models.inspection_reports import figures_by_area, figures_by_inspection
from models.staff import StaffRole
from staff.auth import require_role
from staff.context import clock, sessions, zone
from staff.pages.common import csv_download, use_time_filters

blueprint = Blueprint("inspection_report", __name__, url_prefix="/staff/inspections")
use_time_filters(blueprint)

FIRST_YEAR, LAST_YEAR = 2000, 9999
CSV_HEADER = (
    "inspection",
    "area",
    "local_start",
    "reports_before",
    "actions_agreed",
    "actions_done",
    "actions_done_on_time",
)


def chosen_year() -> int:
    """The ``year`` asked for, this year when missing; 404 for one that cannot be."""
    asked = request.args.get("year", "")
    if not asked:
        return clock()().astimezone(zone()).year
    if not asked.isdigit() or not FIRST_YEAR <= int(asked) <= LAST_YEAR:
        abort(404, f"There is no inspections report for the year {asked[:10]}.")
    return int(asked)


@blueprint.get("/report")
@require_role(StaffRole.VIEWER)
def report() -> str:
    year = chosen_year()
    with sessions()() as db:
        areas = figures_by_area(db, year=year, zone=zone())
        walks = figures_by_inspection(db, year=year, zone=zone())
    largest = max((max(a.held, a.reports, a.actions) for a in areas), default=0)
    return render_template(
        "pages/inspection_report.html", year=year, areas=areas, walks=walks, top=largest or 1
    )


@blueprint.get("/report.csv")
@require_role(StaffRole.VIEWER)
def report_csv() -> ResponseReturnValue:
    year, here = chosen_year(), zone()
    with sessions()() as db:
        walks = figures_by_inspection(db, year=year, zone=here)
    rows = [
        [
            walk.inspection_id,
            walk.area,
            f"{walk.starts_at.astimezone(here):%Y-%m-%d %H:%M}",
            walk.reports,
            walk.actions,
            walk.done,
            walk.done_on_time,
        ]
        for walk in walks
    ]
    return csv_download(f"inspections-{year}.csv", CSV_HEADER, rows)
