"""The mystery-shopping API's representations: check-ins, and a year's figures.

Each class's name is its name in the OpenAPI document. A check-in is read from
``{"check_in": <MysteryShopCheckIn>, "shopper": TenantRef | None, "named": bool}``;
``named`` says the token's owner may see shoppers (staff.shoppers). Without it
``shopper`` and ``channel`` are null and its times are days (YYYY-MM-DD) in the
landlord's time zone, so the colleagues being assessed never learn who reported,
not even by matching a minute, or a rare channel, to a tenant's messages.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

from staff.api.common import Page, Query, Representation, TenantRef, page_of
from staff.context import zone

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
MONTH_REFUSAL = "must be YYYY-MM, such as 2026-03"
FIRST_YEAR, LAST_YEAR = 2000, 9999
SHOPPER_TIME = {
    "anyOf": [
        {"type": "string", "format": "date-time"},
        {"type": "string", "format": "date"},
        {"type": "null"},
    ],
    "description": "to the second for a token that may see shoppers, else the day only",
}


def _a_month(given: str) -> None:
    """The whole text is a month: a newline after it is not (``$`` would let one pass)."""
    if not re.fullmatch(MONTH_PATTERN, given):
        raise ValidationError(MONTH_REFUSAL)


class CheckInQuery(Page):
    """Which check-ins to list."""

    month = fields.String(
        validate=_a_month,
        metadata={"description": "only this month's, as YYYY-MM", "pattern": MONTH_PATTERN},
    )


class SummaryQuery(Query):
    """Which year's figures."""

    year = fields.Integer(
        validate=validate.Range(
            FIRST_YEAR, LAST_YEAR, error=f"must be a year from {FIRST_YEAR} to {LAST_YEAR}"
        ),
        error_messages={"invalid": f"must be a year from {FIRST_YEAR} to {LAST_YEAR}"},
        metadata={"description": "the year; this year when left out"},
    )


class ShopperMoment(fields.Field[datetime]):
    """A check-in's time: to the second where the shopper is named, else the day only."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if obj["named"]:
            return value.isoformat()
        return value.astimezone(zone()).date().isoformat()


class NamedOnly(fields.String):
    """What only staff who may see shoppers are shown; null for anyone else."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return super()._serialize(value, attr, obj, **kwargs) if obj["named"] else None


class CheckIn(Representation):
    """A shopper's check-in for a month, finished or not."""

    id = fields.Integer(attribute="check_in.id")
    month = fields.String(attribute="check_in.month", metadata={"description": "YYYY-MM"})
    shopper = fields.Nested(TenantRef, allow_none=True)
    channel = NamedOnly(attribute="check_in.channel", allow_none=True)
    started_at = ShopperMoment(attribute="check_in.started_at", metadata=SHOPPER_TIME)
    finished_at = ShopperMoment(attribute="check_in.finished_at", metadata=SHOPPER_TIME)
    service = fields.String(attribute="check_in.service", allow_none=True)
    when_used = fields.String(attribute="check_in.when_used", allow_none=True)
    ease = fields.Integer(
        attribute="check_in.ease", allow_none=True, metadata={"minimum": 1, "maximum": 5}
    )
    respect = fields.Integer(
        attribute="check_in.respect", allow_none=True, metadata={"minimum": 1, "maximum": 5}
    )
    sorted_out = fields.String(attribute="check_in.sorted_out", allow_none=True)
    what_happened = fields.String(attribute="check_in.what_happened", allow_none=True)
    improve = fields.String(attribute="check_in.improve", allow_none=True)


CheckInPage = page_of(CheckIn)


class MysteryShopMonth(Representation):
    """A month's response rate: shoppers who finished, of those asked."""

    month = fields.String()
    finished = fields.Integer()
    asked = fields.Integer()


class MysteryShopResult(Representation):
    """Finished check-ins about one service in one month: read from ``ServiceResult``."""

    month = fields.String()
    service = fields.String()
    responses = fields.Integer()
    average_ease = fields.Float(allow_none=True)
    average_respect = fields.Float(allow_none=True)
    sorted_yes = fields.Integer()
    sorted_partly = fields.Integer()
    sorted_no = fields.Integer()


class MysteryShopSummary(Representation):
    """A year's figures."""

    year = fields.Integer()
    responses = fields.Integer(metadata={"description": "finished check-ins"})
    months = fields.List(fields.Nested(MysteryShopMonth))
    results = fields.List(
        fields.Nested(MysteryShopResult),
        metadata={"description": "finished check-ins per month and service"},
    )
