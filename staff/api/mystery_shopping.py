"""API resource: mystery shopping. Check-ins page by page, and a year's figures.

A check-in names its shopper only when the token's owner was granted
``may_see_shoppers`` by an admin; otherwise ``shopper`` and ``channel`` are null
and its times are days (YYYY-MM-DD), so the colleagues being assessed never learn
who reported, not even by matching a minute to a tenant's messages.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, request
from flask.typing import ResponseReturnValue

from models.console import tenant_names
from models.mystery_shopping import (
    MysteryShopCheckIn,
    check_ins_of,
    month_of,
    response_rate,
    results_by_service,
)
from staff.api.common import api_role, paged, reachable_page
from staff.context import clock, sessions
from staff.shoppers import may_see_shoppers, shoppers_shown

blueprint = Blueprint("mystery_shopping", __name__, url_prefix="/mystery-shopping")

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
FIRST_YEAR, LAST_YEAR = 2000, 9999


@blueprint.get("/check-ins", endpoint="check_ins")
@api_role("viewer")
def list_check_ins() -> ResponseReturnValue:
    limit, offset = reachable_page()
    month = request.args.get("month")
    if month is not None and not re.fullmatch(MONTH_PATTERN, month, flags=re.ASCII):
        abort(400, "month: must be YYYY-MM, such as 2026-03")
    with sessions().begin() as session:
        found, total = check_ins_of(session, month=month, limit=limit, offset=offset)
        named = may_see_shoppers(session)
        names = tenant_names(session, (c.tenant_id for c in found)) if named else {}
        items = [check_in_json(c, names if named else None) for c in found]
        shoppers_shown(session, names.keys())
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.get("/summary", endpoint="summary")
@api_role("viewer")
def summary() -> ResponseReturnValue:
    raw = request.args.get("year")
    if raw is None:
        year = int(month_of(clock()())[:4])
    elif not (raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR):
        abort(400, f"year: must be a year from {FIRST_YEAR} to {LAST_YEAR}")
    else:
        year = int(raw)
    months = [f"{year:04d}-{month:02d}" for month in range(1, 13)]
    with sessions()() as session:
        results = results_by_service(session, months)
        rates = [(month, *response_rate(session, month)) for month in months]
    return {
        "year": year,
        "responses": sum(r.responses for r in results),
        "months": [
            {"month": month, "finished": finished, "asked": asked}
            for month, finished, asked in rates
        ],
        "results": [asdict(r) for r in results],
    }


def check_in_json(
    check_in: MysteryShopCheckIn, names: dict[int, str | None] | None
) -> dict[str, Any]:
    """The answers; ``shopper``, ``channel`` and times to the second only when ``names``
    is given (the caller may see shoppers), else days only."""
    tenant = check_in.tenant_id
    shopper = None
    if names is not None and tenant is not None:
        shopper = {"id": tenant, "name": names.get(tenant)}
    when = _time if names is not None else _day
    return {
        "id": check_in.id,
        "month": check_in.month,
        "shopper": shopper,
        "channel": check_in.channel if names is not None else None,
        "started_at": when(check_in.started_at),
        "finished_at": when(check_in.finished_at),
        "service": check_in.service,
        "when_used": check_in.when_used,
        "ease": check_in.ease,
        "respect": check_in.respect,
        "sorted_out": check_in.sorted_out,
        "what_happened": check_in.what_happened,
        "improve": check_in.improve,
    }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _day(moment: datetime | None) -> str | None:
    """The day in the landlord's time zone, as YYYY-MM-DD."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date().isoformat()
