"""The inspections API's representations: walks, their findings, tenants' reports, figures.

Each class's name is its name in the OpenAPI document. The limits are the
columns' and the SMS's: a meeting point is sent to tenants by text, so it is
short; the notes are for staff and may run to several lines. Times go out in
UTC, and a walk's start again on the landlord's clock (``local_starts_at``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate

from models.inspections import LONGEST_PLACE, LONGEST_WORDS, InspectionStatus
from staff.api.common import (
    AreaRef,
    Body,
    LocalTime,
    Moment,
    Page,
    Query,
    QueryFlag,
    QueryId,
    Representation,
    TenantRef,
    Text,
    Words,
    page_of,
)
from staff.lookup import LARGEST_ID

LONGEST_OFFICER = LONGEST_RESPONSIBLE = 120
LONGEST_NOTES = LONGEST_WORDS * 4
MOST_REPORTS = 200  # reports one finding answers
FIRST_YEAR, LAST_YEAR = 2000, 2100
STATUSES = tuple(status.value for status in InspectionStatus)
REFERENCE = {"example": "R-1042"}
DAY_REFUSAL = "must be a date such as 2026-04-30, or null"
REPORT_IDS_REFUSAL = f"must be a list of at most {MOST_REPORTS} report ids"
YEAR_REFUSAL = f"must be a year from {FIRST_YEAR} to {LAST_YEAR}"
STARTS_AT = {
    "description": "with its offset or Z; a time without a zone is refused",
    "example": "2026-03-10T10:30:00Z",
}


# --- fields --------------------------------------------------------------------------------


class Blank(Text):
    """Text that may be sent as null, kept as empty text: the columns hold no nulls."""

    def __init__(self, *, longest: int, **kwargs: Any) -> None:
        super().__init__(longest=longest, allow_none=True, **kwargs)

    def deserialize(
        self, value: Any, attr: str | None = None, data: Any = None, **kwargs: Any
    ) -> Any:
        given = super().deserialize(value, attr, data, **kwargs)
        return "" if given is None else given


class Day(fields.Date):
    """A calendar day such as 2026-04-30; the reason quotes what was sent instead."""

    default_error_messages = {
        "invalid": DAY_REFUSAL,
        "unreadable": "{input!r} is not a date such as 2026-04-30",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.make_error("unreadable", input=value[:20]) from None


class ReportIds(fields.List[int]):
    """The reports a finding answers, each named once however often it was sent."""

    default_error_messages = {"invalid": REPORT_IDS_REFUSAL}

    def __init__(self, **kwargs: Any) -> None:
        one = fields.Integer(strict=True, validate=validate.Range(1, LARGEST_ID))
        # the bounds are checked below for one reason; these put them in the document
        super().__init__(one, validate=validate.Length(max=MOST_REPORTS), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        """One reason for the whole list, whichever of its ids is wrong."""
        if not isinstance(value, list) or len(value) > MOST_REPORTS:
            raise self.make_error("invalid")
        try:
            ids = super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as wrong:
            raise self.make_error("invalid") from wrong
        return list(dict.fromkeys(ids))


class Year(fields.Integer):
    """A year in ASCII digits (``int()`` would read fullwidth ones too), within the figures kept."""

    default_error_messages = {"invalid": YEAR_REFUSAL}

    def __init__(self, **kwargs: Any) -> None:
        limits = validate.Range(FIRST_YEAR, LAST_YEAR, error=YEAR_REFUSAL)
        super().__init__(validate=limits, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if not (isinstance(value, str) and value.isascii() and value.isdigit()):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class AreaCounted(fields.Nested):
    """The area a row of figures counts, from the row's ``area_id`` and ``area`` (its name)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(AreaRef, **kwargs)

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = None) -> Any:
        return {"id": obj.area_id, "name": obj.area}


# --- what comes in -------------------------------------------------------------------------


class InspectionChanges(Body):
    """The fields of a scheduled walk to change; the others stay as they are."""

    starts_at = Moment(metadata=STARTS_AT)
    meeting_point = Words(longest=LONGEST_PLACE)
    officer = Blank(longest=LONGEST_OFFICER)
    notes = Blank(longest=LONGEST_NOTES, lines=True)


class NewInspection(InspectionChanges):
    """A walk to book: where, when and where to meet at least."""

    area_id = fields.Integer(
        strict=True,
        required=True,
        error_messages={"invalid": "must be an area's id", "null": "must be an area's id"},
        metadata={"description": "422 when no area has that id"},
    )
    starts_at = Moment(required=True, metadata=STARTS_AT)
    meeting_point = Words(longest=LONGEST_PLACE, required=True)


class NewFinding(Body):
    """What a walk found, the action agreed, who does it by when, the reports it answers."""

    found = Words(longest=LONGEST_WORDS, required=True)
    action = Blank(longest=LONGEST_WORDS)
    responsible = Blank(longest=LONGEST_RESPONSIBLE)
    due_on = Day(allow_none=True)
    report_ids = ReportIds(
        load_default=list,
        metadata={"description": "reports attached to this walk that the finding answers"},
    )


class InspectionFilters(Page):
    """Which walks to list."""

    status = fields.String(
        validate=validate.OneOf(STATUSES, error=f"must be one of {', '.join(STATUSES)}")
    )
    area_id = QueryId(metadata={"description": "only walks of this area"})


class IssueReportFilters(Page):
    """Which reports to list."""

    area_id = QueryId()
    inspection_id = QueryId(metadata={"description": "only those attached to this walk"})
    waiting = QueryFlag(
        load_default=False, metadata={"description": "only those no walk has taken yet"}
    )


class FiguresYear(Query):
    """Which year's figures."""

    year = Year(metadata={"description": "the year; this year when left out"})


# --- what goes out -------------------------------------------------------------------------


class InspectionRsvps(Representation):
    """How many of the area's tenants said they are coming, and how many said not."""

    coming = fields.Integer(metadata={"minimum": 0})
    not_coming = fields.Integer(metadata={"minimum": 0})


class Inspection(Representation):
    """A walk as listed: read from ``{"inspection", "area", "rsvps", "report_count"}``."""

    id = fields.Integer(attribute="inspection.id")
    area = fields.Nested(AreaRef)
    status = fields.String(attribute="inspection.status", validate=validate.OneOf(STATUSES))
    starts_at = fields.DateTime(attribute="inspection.starts_at", metadata={"description": "UTC"})
    local_starts_at = LocalTime(
        attribute="inspection.starts_at", metadata={"description": "the same moment, local time"}
    )
    meeting_point = fields.String(attribute="inspection.meeting_point")
    officer = fields.String(attribute="inspection.officer")
    notes = fields.String(attribute="inspection.notes")
    notice_days = fields.Integer(
        attribute="inspection.notice_days", metadata={"description": "days before the notice goes"}
    )
    reminder_days = fields.Integer(attribute="inspection.reminder_days")
    notice_sent_at = fields.DateTime(attribute="inspection.notice_sent_at", allow_none=True)
    reminder_sent_at = fields.DateTime(attribute="inspection.reminder_sent_at", allow_none=True)
    cancelled_at = fields.DateTime(attribute="inspection.cancelled_at", allow_none=True)
    closed_at = fields.DateTime(attribute="inspection.closed_at", allow_none=True)
    created_at = fields.DateTime(attribute="inspection.created_at")
    updated_at = fields.DateTime(attribute="inspection.updated_at")
    rsvps = fields.Nested(InspectionRsvps)
    report_count = fields.Integer(metadata={"minimum": 0})


class ReportRef(Representation):
    """A tenant's report named inside a finding: its id and the reference the tenant was given."""

    id = fields.Integer()
    reference = fields.String(metadata=REFERENCE)


class IssueReport(Representation):
    """A tenant's report; photos as Telegram file ids (the console shows the images)."""

    id = fields.Integer()
    reference = fields.String(metadata=REFERENCE)
    tenant = fields.Nested(TenantRef, allow_none=True)
    area_id = fields.Integer(allow_none=True)
    inspection_id = fields.Integer(allow_none=True)
    finding_id = fields.Integer(allow_none=True)
    category = fields.String()
    location = fields.String()
    description = fields.String()
    photo_ids = fields.List(
        fields.String(), metadata={"description": "Telegram file ids; the console shows the images"}
    )
    channel = fields.String()
    urgent = fields.Boolean(
        metadata={"description": "it sounds like danger: the tenant was told the repairs line"}
    )
    entered_by_staff_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "the staff member who entered it for the tenant (channel says how "
            "it came: paper, phone, in_person); null for the tenant's own report"
        },
    )
    created_at = fields.DateTime()
    outcome_told_at = fields.DateTime(allow_none=True)
    done_told_at = fields.DateTime(allow_none=True)


class Finding(Representation):
    """What a walk found and the action agreed, with the reports it answers."""

    id = fields.Integer()
    inspection_id = fields.Integer()
    found = fields.String()
    action = fields.String()
    responsible = fields.String()
    due_on = fields.Date(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    reports = fields.List(
        fields.Nested(ReportRef), metadata={"description": "the reports this finding answers"}
    )
    created_at = fields.DateTime()


class InspectionDetails(Inspection):
    """A walk with the reports it was given and what it found: also ``reports``, ``findings``."""

    reports = fields.List(fields.Nested(IssueReport))
    findings = fields.List(fields.Nested(Finding))


InspectionPage = page_of(Inspection)
IssueReportPage = page_of(IssueReport)


class InspectionAreaFigures(Representation):
    """A year's walks in one area, summed (``models.inspection_reports.AreaFigures``)."""

    area = AreaCounted()
    held = fields.Integer(metadata={"minimum": 0})
    reports = fields.Integer(metadata={"minimum": 0, "description": "received before the walk"})
    actions = fields.Integer(metadata={"minimum": 0, "description": "findings with an action"})
    done = fields.Integer(metadata={"minimum": 0})
    done_on_time = fields.Integer(metadata={"minimum": 0})
    on_time_rate = fields.Float(
        allow_none=True,
        metadata={"description": "done on time over actions; null with no actions"},
    )


class InspectionWalkFigures(Representation):
    """One walk held in the year (``models.inspection_reports.InspectionFigures``)."""

    inspection_id = fields.Integer()
    area = AreaCounted()
    starts_at = fields.DateTime()
    local_starts_at = LocalTime(attribute="starts_at")
    reports = fields.Integer(metadata={"minimum": 0, "description": "received before the walk"})
    actions = fields.Integer(metadata={"minimum": 0, "description": "findings with an action"})
    done = fields.Integer(metadata={"minimum": 0})
    done_on_time = fields.Integer(metadata={"minimum": 0})


class InspectionFigures(Representation):
    """A year's walks held, reports received and actions done on time, per walk and per area."""

    year = fields.Integer()
    areas = fields.List(fields.Nested(InspectionAreaFigures))
    inspections = fields.List(fields.Nested(InspectionWalkFigures))
