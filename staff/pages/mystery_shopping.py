"""Console pages: mystery shopping. Responses, alerts, trends and the annual report.

Shoppers' answers are shown without who gave them unless the staff member was
granted ``may_see_shoppers`` by an admin: the colleagues being assessed must
never learn who reported. Alerts, trends, the report and its CSV never name anyone.
An answer shown without its shopper carries the day it was given, not the time nor the
channel: a minute could be matched to the one tenant who wrote then, and a rarely used
channel to the few tenants who use it.
Charts are drawn here as inline SVG bars, each beside its numbers in a table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from models.console import tenant_names
from models.mystery_shopping import (
    ALERT_KIND,
    Comment,
    MysteryShopCheckIn,
    Service,
    ServiceResult,
    check_ins_of,
    comments_in,
    month_of,
    open_alerts,
    response_rate,
    results_by_service,
)
from models.staff import StaffRole
from staff.auth import require_role
from staff.context import clock, sessions, zone
from staff.lookup import or_404
from staff.pages.alerts import resolve_from_form
from staff.pages.common import PAGE_SIZE, csv_download, last_page, page_number, use_time_filters
from staff.shoppers import may_see_shoppers, shoppers_shown

blueprint = Blueprint("mystery_shopping", __name__, url_prefix="/staff/mystery-shopping")
use_time_filters(blueprint)

ANONYMOUS = "A mystery shopper"
TREND_MONTHS = 12
FIRST_YEAR, LAST_YEAR = 2000, 9999
SERVICE_LABELS: dict[str, str] = {
    Service.PHONE: "Phone call",
    Service.OFFICE: "Office visit",
    Service.REPAIRS: "Repairs",
    Service.HOUSING_OFFICER: "Housing officer",
    Service.ONLINE: "Online",
    Service.NONE: "No service used",
}
SCORED_SERVICES: list[str] = [service.value for service in Service if service != Service.NONE]
CSV_HEADER = (
    "month",
    "service",
    "responses",
    "average_ease",
    "average_respect",
    "sorted_yes",
    "sorted_partly",
    "sorted_no",
)


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the button says what it does."""


@dataclass(frozen=True)
class Figures:
    """Responses and averages for one month or one service; None where nobody answered."""

    label: str
    responses: int
    ease: float | None
    respect: float | None
    sorted_percent: float | None


def service_label(service: str | None) -> str:
    if not service:
        return "Not answered yet"
    return SERVICE_LABELS.get(service) or service.replace("_", " ").capitalize()


blueprint.add_app_template_filter(service_label, "service_label")


def local_date(moment: datetime) -> date:
    return moment.astimezone(zone()).date()


@blueprint.app_template_filter("local_day")
def local_day(moment: datetime) -> str:
    """'3 Mar 2026': when an anonymous answer came, to the day and no finer."""
    day = local_date(moment)
    return f"{day.day} {day:%b %Y}"


@blueprint.app_template_filter("iso_day")
def iso_day(moment: datetime) -> str:
    return local_date(moment).isoformat()


def combine(label: str, results: Iterable[ServiceResult]) -> Figures:
    """Figures for several months or services together, averages weighted by responses."""
    results = list(results)

    def weighted(pick: str) -> float | None:
        pairs = [(getattr(r, pick), r.responses) for r in results if getattr(r, pick) is not None]
        weight = sum(count for _, count in pairs)
        return sum(value * count for value, count in pairs) / weight if weight else None

    sorted_answers = sum(r.sorted_yes + r.sorted_partly + r.sorted_no for r in results)
    sorted_yes = sum(r.sorted_yes for r in results)
    return Figures(
        label=label,
        responses=sum(r.responses for r in results),
        ease=weighted("average_ease"),
        respect=weighted("average_respect"),
        sorted_percent=100 * sorted_yes / sorted_answers if sorted_answers else None,
    )


def last_months(latest: str, count: int) -> list[str]:
    """``count`` months ending with ``latest``, oldest first."""
    year, month = (int(part) for part in latest.split("-"))
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def months_of(year: int) -> list[str]:
    return [f"{year:04d}-{month:02d}" for month in range(1, 13)]


@dataclass(frozen=True)
class Trends:
    overall: list[Figures]  # one per month, every service together
    by_service: list[tuple[str, list[Figures]]]  # services with answers, one per month each


def trends(results: list[ServiceResult], months: list[str]) -> Trends:
    scored = [r for r in results if r.service != Service.NONE]
    overall = [combine(month, (r for r in scored if r.month == month)) for month in months]
    by_service = [
        (
            service,
            [
                combine(month, (r for r in scored if r.month == month and r.service == service))
                for month in months
            ],
        )
        for service in SCORED_SERVICES
        if any(r.service == service for r in scored)
    ]
    return Trends(overall=overall, by_service=by_service)


def this_month() -> str:
    return month_of(clock()(), zone())


def chosen_month() -> str:
    asked = request.args.get("month", "")
    valid = len(asked) == 7 and asked[4] == "-" and asked[:4].isdigit() and asked[5:].isdigit()
    return asked if valid and 1 <= int(asked[5:]) <= 12 else this_month()


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    month, page = chosen_month(), page_number()
    with sessions()() as db:
        check_ins, total = check_ins_of(
            db, month=month, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        finished, asked = response_rate(db, month)
        alerts = open_alerts(db)
    return render_template(
        "pages/mystery_shopping.html",
        month=month,
        check_ins=check_ins,
        total=total,
        page=page,
        pages=last_page(total),
        finished=finished,
        asked=asked,
        alerts=alerts,
        confirm=ConfirmForm(formdata=None),
        this_year=int(this_month()[:4]),
    )


@blueprint.get("/<int:check_in_id>")
@require_role(StaffRole.VIEWER)
def show(check_in_id: int) -> str:
    with sessions().begin() as db:
        check_in = or_404(db, MysteryShopCheckIn, check_in_id, "mystery-shop response")
        shopper: str | None = ANONYMOUS
        if may_see_shoppers(db) and check_in.tenant_id is not None:
            shopper = tenant_names(db, [check_in.tenant_id]).get(check_in.tenant_id)
            shoppers_shown(db, [check_in.tenant_id])
        return render_template(
            "pages/mystery_shop_response.html",
            check_in=check_in,
            shopper=shopper or "No name yet",
            named=shopper != ANONYMOUS,
        )


@blueprint.post("/alerts/<int:alert_id>/resolve")
@require_role(StaffRole.OFFICER)
def resolve(alert_id: int) -> ResponseReturnValue:
    return resolve_from_form(
        alert_id, kind=ALERT_KIND, what="mystery-shop", back_to="mystery_shopping.index"
    )


@blueprint.get("/trends")
@require_role(StaffRole.VIEWER)
def trend_charts() -> str:
    months = last_months(this_month(), TREND_MONTHS)
    with sessions()() as db:
        results = results_by_service(db, months)
    return render_template(
        "pages/mystery_shop_trends.html", months=months, trends=trends(results, months)
    )


def year_or_404(year: int) -> list[str]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404, f"There is no report for the year {year}.")
    return months_of(year)


@blueprint.get("/report/<int:year>")
@require_role(StaffRole.VIEWER)
def report(year: int) -> str:
    months = year_or_404(year)
    with sessions()() as db:
        results = results_by_service(db, months)
        comments = comments_in(db, months)
        asked = sum(response_rate(db, month)[1] for month in months)
    scored = [r for r in results if r.service != Service.NONE]
    by_service = [
        combine(service, (r for r in scored if r.service == service))
        for service in SCORED_SERVICES
        if any(r.service == service for r in scored)
    ]
    grouped: dict[str, list[Comment]] = {}
    for comment in comments:
        grouped.setdefault(comment.service, []).append(comment)
    return render_template(
        "pages/mystery_shop_report.html",
        year=year,
        asked=asked,
        responses=sum(r.responses for r in results),
        no_service=sum(r.responses for r in results if r.service == Service.NONE),
        whole_year=combine(str(year), scored),
        by_service=by_service,
        trends=trends(results, months),
        months=months,
        comments=grouped,
    )


@blueprint.get("/report/<int:year>.csv")
@require_role(StaffRole.VIEWER)
def report_csv(year: int) -> ResponseReturnValue:
    months = year_or_404(year)
    with sessions()() as db:
        results = results_by_service(db, months)
    rows = [
        [
            r.month,
            r.service,
            r.responses,
            "" if r.average_ease is None else f"{r.average_ease:.2f}",
            "" if r.average_respect is None else f"{r.average_respect:.2f}",
            r.sorted_yes,
            r.sorted_partly,
            r.sorted_no,
        ]
        for r in results
    ]
    return csv_download(f"mystery-shopping-{year}.csv", CSV_HEADER, rows)
