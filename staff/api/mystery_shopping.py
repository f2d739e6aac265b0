"""API resource: mystery shopping. Check-ins page by page, and a year's figures.

A check-in names its shopper only when the token's owner was granted
``may_see_shoppers`` by an admin; otherwise ``shopper`` and ``channel`` are null
and its times are days (YYYY-MM-DD), so the colleagues being assessed never learn
who reported, not even by matching a minute to a tenant's messages
(mystery_shopping_schemas says how).
"""

from __future__ import annotations

from typing import Any

from flask import abort, g
from flask.typing import ResponseReturnValue

from models.audit import AuditAction
from models.console import tenant_names
from models.mystery_shopping import (
    MysteryShopCheckIn,
    check_ins_of,
    month_of,
    response_rate,
    results_by_service,
)
from models.on_behalf import OnBehalfError
from models.tenants import Tenant
from participation import on_behalf
from staff.api import mystery_shopping_schemas, on_behalf_schemas
from staff.api.common import Resource, api_role, paged, refusals
from staff.audit_trail import note
from staff.context import clock, sessions, settings, zone
from staff.lookup import LARGEST_ID
from staff.shoppers import WHY_WITHHELD, may_see_shoppers, shoppers_shown

blueprint = Resource("mystery_shopping", __name__, url_prefix="/mystery-shopping")

NOT_YOURS_TO_ENTER = f"you cannot enter a check-in for a shopper: {WHY_WITHHELD}"
ANSWERED = ("service", "when_used", "ease", "respect", "sorted_out")


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


@blueprint.post("/check-ins", endpoint="check_in_for_shopper")
@blueprint.doc(operation_id="recordMysteryShopCheckIn", responses=refusals(400, 403, 413, 422))
@api_role("officer")
@blueprint.input(on_behalf_schemas.NewCheckInForShopper)
@blueprint.output(mystery_shopping_schemas.CheckIn, status_code=201, description="recorded")
def check_in_for_shopper(json_data: dict[str, Any]) -> ResponseReturnValue:
    """Record this month's check-in a shopper gave by phone, on paper or in person (officer)

    Only for a token whose owner an admin lets see shoppers (403 otherwise): whether a
    tenant may be entered would say who is one. It is kept finished, as the shopper's own,
    marked with how it came and who entered it, and a low score raises the same unnamed
    alert. 422 for a tenant who is not a shopper or has checked in this month already.
    """
    with sessions().begin() as session:
        if not may_see_shoppers(session):
            abort(403, NOT_YOURS_TO_ENTER)
        tenant_id = json_data["tenant_id"]
        tenant = session.get(Tenant, tenant_id) if 1 <= tenant_id <= LARGEST_ID else None
        if tenant is None:
            abort(422, f"tenant_id: there is no tenant {tenant_id}")
        answers = {name: json_data[name] for name in ANSWERED}
        try:
            check_in = on_behalf.check_in_for_shopper(
                session,
                tenant,
                answers=answers,
                what_happened=json_data["what_happened"],
                improve=json_data["improve"],
                source=json_data["source"],
                staff_id=g.api_staff_id,
                now=clock()(),
                settings=settings(),
            )
        except OnBehalfError as refused:
            abort(422, str(refused))
        said = f"mystery-shop check-in {check_in.month}: {check_in.channel}"
        note(session, AuditAction.ENTERED_FOR_TENANT, tenant_id=tenant.id, detail=said)
        shown = _as_seen(check_in, {tenant.id: tenant.name})
    return shown


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
