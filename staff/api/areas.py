"""API resource: areas (estates), with their homes and how many tenants live there.

Names are unique ignoring case, as the tenant import matches them. The number
of homes is what poll coverage is measured against, so it is a count, never
negative. Postcode prefixes ("KY1", "KY2 3") let a tenant who texts a postcode
be matched to the estate.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from models.console import area_named, areas_with_tenant_counts, tenants_in_area
from models.tenants import Area
from staff.api import area_schemas
from staff.api.common import (
    Created,
    Page,
    Resource,
    api_role,
    paged,
    path_id,
    race_is_a_conflict,
    refusals,
)
from staff.context import clock, sessions
from staff.lookup import or_404

blueprint = Resource("areas", __name__, url_prefix="/areas")

AREA_ID = path_id("area_id")
LONGEST_PREFIXES = 400
POSTCODE_PREFIX = re.compile(r"[A-Z]{1,2}[0-9A-Z]{0,2}( ?[0-9][A-Z]{0,2})?")
NAME_RACE = "name: another area has just been given that name"


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listAreas", responses=refusals(400))
@api_role("viewer")
@blueprint.input(Page, location="query")
@blueprint.output(area_schemas.AreaPage, description="a page of areas")
def list_areas(query_data: dict[str, int]) -> ResponseReturnValue:
    """Areas by name, with homes and tenants"""
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions()() as session:
        found, total = areas_with_tenant_counts(session, limit=limit, offset=offset)
        items = [{"area": area, "tenants": tenants} for area, tenants in found]
        return paged(items, total=total, limit=limit, offset=offset)


@blueprint.get(f"/{AREA_ID}", endpoint="one")
@blueprint.doc(operation_id="getArea", responses=refusals(404))
@api_role("viewer")
@blueprint.output(area_schemas.Area, description="the area")
def one_area(area_id: int) -> ResponseReturnValue:
    """One area"""
    with sessions()() as session:
        area = or_404(session, Area, area_id, "area")
        return {"area": area, "tenants": tenants_in_area(session, area.id)}


@blueprint.post("", endpoint="create")
@blueprint.doc(operation_id="createArea", responses=refusals(400, 403, 409, 413, 422))
@api_role("officer")
@blueprint.input(area_schemas.NewArea)
@blueprint.output(area_schemas.Area, status_code=201, description="added", headers=Created)
def create_area(json_data: dict[str, Any]) -> ResponseReturnValue:
    """Add an area (officer)"""
    with race_is_a_conflict(NAME_RACE), sessions().begin() as session:
        area = Area(name="", postcode_prefixes="", homes=0, created_at=clock()())
        _apply(session, area, json_data)
        session.add(area)
        session.flush()
        created = {"area": area, "tenants": 0}
        where = url_for("api.areas.one", area_id=area.id)
    return created, 201, {"Location": where}


@blueprint.patch(f"/{AREA_ID}", endpoint="change")
@blueprint.doc(operation_id="changeArea", responses=refusals(400, 403, 404, 409, 413, 422))
@api_role("officer")
@blueprint.input(area_schemas.AreaChanges)
@blueprint.output(area_schemas.Area, description="the area as now")
def change_area(area_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
    """Change the fields given (officer)"""
    with race_is_a_conflict(NAME_RACE), sessions().begin() as session:
        area = or_404(session, Area, area_id, "area")
        _apply(session, area, json_data)
        session.flush()
        return {"area": area, "tenants": tenants_in_area(session, area.id)}


def _apply(session: Session, area: Area, changes: dict[str, Any]) -> None:
    """What a schema cannot judge alone: a name another area has, a prefix no postcode has."""
    if "homes" in changes:
        area.homes = changes["homes"]
    if "postcode_prefixes" in changes:
        area.postcode_prefixes = _prefixes(changes["postcode_prefixes"])
    if "name" in changes:
        name = " ".join(changes["name"].split())
        same = area_named(session, name, other_than=area.id)
        if same is not None:
            abort(409, f"name: there is already an area called {same.name!r} (id {same.id})")
        area.name = name


def _prefixes(given: list[str]) -> str:
    """Stored as one comma-separated column; each prefix is the start of a UK postcode."""
    tidied = [" ".join(p.upper().split()) for p in given]
    wrong = next((p for p in tidied if not POSTCODE_PREFIX.fullmatch(p)), None)
    if wrong is not None:
        abort(422, f"postcode_prefixes: {wrong[:20]!r} is not the start of a UK postcode")
    joined = ",".join(dict.fromkeys(tidied))
    if len(joined) > LONGEST_PREFIXES:
        abort(400, f"postcode_prefixes: at most {LONGEST_PREFIXES} characters in all")
    return joined
