"""API resource: mystery shopping. Check-ins page by page, and a year's figures.

A check-in names its shopper only when the token's owner was granted
``may_see_shoppers`` by an admin; otherwise ``shopper`` and ``channel`` are null
and its times are days (YYYY-MM-DD), so the colleagues being assessed never learn
who reported, not even by matching a minute to a tenant's messages
(mystery_shopping_schemas says how).
"""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from models.console import tenant_names
from models.mystery_shopping import (
    MysteryShopCheckIn,
    check_ins_of,
    month_of,
    response_rate,
    results_by_service,
)
from staff.api import mystery_shopping_schemas
from staff.api.common import Resource, api_role, paged, refusals
from staff.context import clock, sessions, zone
from staff.shoppers import may_see_shoppers, shoppers_shown

blueprint = Resource("mystery_shopping", __name__, url_prefix="/mystery-shopping")


@blueprint.get("/check-ins", endpoint="check_ins")
@blueprint.doc(operation_id="listMysteryShopCheckIns", responses=refusals(400))
@api_role("viewer")
@blueprint.input(mystery_shopping_schemas.CheckInQuery, location="query")
@blueprint.output(mystery_shopping_schemas.CheckInPage, description="a page of check-ins")
def list_check_ins(query_data: dict[str, Any]) -> ResponseReturnValue:
    """Shoppers' monthly check-ins, finished or not, newest month first

    `shopper` and `channel` are null, and `started_at` and `finished_at` are days
    (YYYY-MM-DD), unless an admin let the token's owner see mystery shoppers' names.
    """
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions().begin() as session:
        found, total = check_ins_of(
            session, month=query_data.get("month"), limit=limit, offset=offset
        )
        named = may_see_shoppers(session)
        names = tenant_names(session, (c.tenant_id for c in found)) if named else {}
        items = [_as_seen(check_in, names if named else None) for check_in in found]
        shoppers_shown(session, names.keys())
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.get("/summary", endpoint="summary")
@blueprint.doc(operation_id="getMysteryShopSummary", responses=refusals(400))
@api_role("viewer")
@blueprint.input(mystery_shopping_schemas.SummaryQuery, location="query")
@blueprint.output(mystery_shopping_schemas.MysteryShopSummary, description="the year's figures")
def summary(query_data: dict[str, int]) -> ResponseReturnValue:
    """A year's response rates; counts and averages per service and month"""
    year = query_data.get("year") or int(month_of(clock()(), zone())[:4])
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
        "results": results,
    }


def _as_seen(check_in: MysteryShopCheckIn, names: dict[int, str | None] | None) -> dict[str, Any]:
    """What ``CheckIn`` reads; ``names`` are given only where the token's owner may see
    shoppers, and without them the check-in is shown anonymous."""
    tenant = check_in.tenant_id
    shopper = None
    if names is not None and tenant is not None:
        shopper = {"id": tenant, "name": names.get(tenant)}
    return {"check_in": check_in, "shopper": shopper, "named": names is not None}
