"""The areas API's representations: what is sent to add or change an area, and what comes back.

Each class's name is its name in the OpenAPI document. The limits are the
columns' and poll coverage's: a name fits its column, the number of homes is
a count that coverage is measured against.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from staff.api.common import Body, Count, Representation, Text, page_of

LONGEST_NAME, MOST_HOMES = 120, 1_000_000
PREFIXES_REFUSAL = "must be a list of postcode beginnings such as KY1"


class AreaChanges(Body):
    """The fields to change; the others stay as they are."""

    name = Text(longest=LONGEST_NAME, empty=False)
    postcode_prefixes = fields.List(
        fields.String(error_messages={"invalid": PREFIXES_REFUSAL}, metadata={"example": "KY1"}),
        error_messages={"invalid": PREFIXES_REFUSAL, "null": PREFIXES_REFUSAL},
        metadata={"description": "the starts of UK postcodes in the area, such as KY1 or KY2 3"},
    )
    homes = Count(most=MOST_HOMES, metadata={"description": "what poll coverage counts against"})


class NewArea(AreaChanges):
    """A new area: a name at least."""

    name = Text(longest=LONGEST_NAME, empty=False, required=True)


class CommaSeparated(fields.List[str]):
    """A list kept in one comma-separated column."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize([part for part in value.split(",") if part], attr, obj, **kwargs)


class Area(Representation):
    """An area as shown: read from ``{"area": <models.tenants.Area>, "tenants": count}``."""

    id = fields.Integer(attribute="area.id")
    name = fields.String(attribute="area.name")
    postcode_prefixes = CommaSeparated(fields.String(), attribute="area.postcode_prefixes")
    homes = fields.Integer(attribute="area.homes", metadata={"minimum": 0})
    tenants = fields.Integer(metadata={"minimum": 0, "description": "who live there now"})
    created_at = fields.DateTime(attribute="area.created_at")


AreaPage = page_of(Area)
