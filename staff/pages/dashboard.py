"""The dashboard: what happened today, what is waiting for staff, and the walks and events
coming up. Requests to become a mystery shopper count only for staff who may see them.
Danger comes first: messages and reports that sound urgent (bot.danger)."""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, render_template

from models.dashboard import day_numbers, upcoming_event_counts, upcoming_walks
from models.inbox import urgent_reports, urgent_waiting
from models.involvement import new_request_count
from models.mystery_shopping import open_alert_count
from models.repairs import ALERT_KIND as REPAIR_ALERT
from models.staff import StaffRole
from staff.auth import require_role
from staff.context import clock, sessions, zone
from staff.shoppers import hidden_roles, may_see_shoppers

blueprint = Blueprint("dashboard", __name__, url_prefix="/staff")

UPCOMING_WALKS = UPCOMING_EVENTS = 5
URGENT_REPORTS = 10


def start_of_today() -> datetime:
    here = zone()
    today = clock()().astimezone(here).date()
    return datetime.combine(today, time.min, tzinfo=here)


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def home() -> str:
    with sessions()() as db:
        numbers = day_numbers(db, start_of_today())
        shop_alerts = open_alert_count(db)
        repair_alerts = open_alert_count(db, kind=REPAIR_ALERT)
        join_requests = new_request_count(db, hidden_roles=hidden_roles(may_see_shoppers(db)))
        walks = upcoming_walks(db, now=clock()(), limit=UPCOMING_WALKS)
        events = upcoming_event_counts(db, now=clock()(), limit=UPCOMING_EVENTS)
        dangerous, dangerous_total = urgent_reports(db, limit=URGENT_REPORTS)
        return render_template(
            "pages/dashboard.html",
            numbers=numbers,
            shop_alerts=shop_alerts,
            repair_alerts=repair_alerts,
            join_requests=join_requests,
            walks=walks,
            events=events,
            urgent_messages=urgent_waiting(db),
            urgent_reports=dangerous,
            urgent_reports_total=dangerous_total,
        )
