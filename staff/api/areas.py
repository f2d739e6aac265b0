"""API resource: areas (estates), with their homes and how many tenants live there.

Names are unique ignoring case, as the tenant import matches them. The number
of homes is what poll coverage is measured against, so it is a count, never
negative. Postcode prefixes ("KY1", "KY2 3") let a tenant who texts a postcode
be matched to the estate.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from models.console import area_named, areas_with_tenant_counts, tenants_in_area
from models.tenants import Area
from staff.api.common import (
    LARGEST_ID,
    api_role,
    json_object,
    paged,
    race_is_a_conflict,
    reachable_page,
    text_field,
)
from staff.context import clock, sessions

blueprint = Blueprint("areas", __name__, url_prefix="/areas")

AREA_ID = f"<int(max={LARGEST_ID}):area_id>"
LONGEST_NAME, LONGEST_PREFIXES, MOST_HOMES = 120, 400, 1_000_000
POSTCODE_PREFIX = re.compile(r"[A-Z]{1,2}[0-9A-Z]{0,2}( ?[0-9][A-Z]{0,2})?")
AREA_FIELDS = frozenset({"name", "postcode_prefixes", "homes"})
NAME_RACE = "name: another area has just been given that name"


@blueprint.get("", endpoint="list")
@api_role("viewer")
def list_areas() -> ResponseReturnValue:
    limit, offset = reachable_page()
    with sessions()() as session:
        found, total = areas_with_tenant_counts(session, limit=limit, offset=offset)
        items = [area_json(area, tenants) for area, tenants in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.get(f"/{AREA_ID}", endpoint="one")
@api_role("viewer")
def one_area(area_id: int) -> ResponseReturnValue:
    with sessions()() as session:
        area = _area_or_404(session, area_id)
        return area_json(area, tenants_in_area(session, area.id))


@blueprint.post("", endpoint="create")
@api_role("officer")
def create_area() -> ResponseReturnValue:
    body = json_object(allowed=AREA_FIELDS)
    if "name" not in body:
        abort(400, "name: required")
    with race_is_a_conflict(NAME_RACE), sessions().begin() as session:
        area = Area(name="", postcode_prefixes="", homes=0, created_at=clock()())
        _apply(session, area, body)
        session.add(area)
        session.flush()
        created = area_json(area, 0)
    return created, 201, {"Location": url_for("api.areas.one", area_id=created["id"])}


@blueprint.patch(f"/{AREA_ID}", endpoint="change")
@api_role("officer")
def change_area(area_id: int) -> ResponseReturnValue:
    body = json_object(allowed=AREA_FIELDS)
    with race_is_a_conflict(NAME_RACE), sessions().begin() as session:
        area = _area_or_404(session, area_id)
        _apply(session, area, body)
        session.flush()
        return area_json(area, tenants_in_area(session, area.id))


def area_json(area: Area, tenants: int) -> dict[str, Any]:
    return {
        "id": area.id,
        "name": area.name,
        "postcode_prefixes": [p for p in area.postcode_prefixes.split(",") if p],
        "homes": area.homes,
        "tenants": tenants,
        "created_at": area.created_at.isoformat(),
    }


def _area_or_404(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        abort(404, f"there is no area {area_id}")
    return area


def _apply(session: Session, area: Area, body: dict[str, Any]) -> None:
    if "homes" in body:
        area.homes = _homes(body["homes"])
    if "postcode_prefixes" in body:
        area.postcode_prefixes = _prefixes(body["postcode_prefixes"])
    if "name" in body:
        name = " ".join(text_field(body, "name", longest=LONGEST_NAME).split())
        if not name:
            abort(400, "name: must not be empty")
        same = area_named(session, name, other_than=area.id)
        if same is not None:
            abort(409, f"name: there is already an area called {same.name!r} (id {same.id})")
        area.name = name


def _homes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MOST_HOMES:
        abort(400, f"homes: must be a whole number from 0 to {MOST_HOMES}")
    return value


def _prefixes(value: object) -> str:
    """Stored as one comma-separated column; each prefix is the start of a UK postcode."""
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        abort(400, "postcode_prefixes: must be a list of postcode beginnings such as KY1")
    tidied = [" ".join(p.upper().split()) for p in value]
    wrong = next((p for p in tidied if not POSTCODE_PREFIX.fullmatch(p)), None)
    if wrong is not None:
        abort(422, f"postcode_prefixes: {wrong[:20]!r} is not the start of a UK postcode")
    joined = ",".join(dict.fromkeys(tidied))
    if len(joined) > LONGEST_PREFIXES:
        abort(400, f"postcode_prefixes: at most {LONGEST_PREFIXES} characters in all")
    return joined
