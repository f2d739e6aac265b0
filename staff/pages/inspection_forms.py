"""The inspection forms, and turning the landlord's local date and time into UTC.

Staff type the walk's time as the clock on the wall shows it. On the two days a year
the clocks change, one hour either does not exist or happens twice; such a time gets
a form error saying so, rather than a walk booked an hour from where staff meant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from models.inspections import LONGEST_PLACE, LONGEST_WORDS, Inspection, IssueReport
from staff.pages.common import CheckboxList, tidy

LONGEST_NAME = 120
LONGEST_NOTES = LONGEST_WORDS * 4


def utc_from_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC moment a wall-clock time names; a ValidationError on a clock-change hour."""
    earlier = datetime.combine(day, at, tzinfo=zone)
    later = earlier.replace(fold=1)
    if earlier.utcoffset() != later.utcoffset():
        shown = f"{at:%H:%M} on {day.day} {day:%B %Y}"
        back_on_the_wall = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back_on_the_wall != earlier.replace(tzinfo=None):
            raise ValidationError(
                f"The clocks go forward that day, so {shown} does not exist. "
                "Choose a time at least an hour later or earlier."
            )
        raise ValidationError(
            f"The clocks go back that day, so {shown} happens twice. "
            "Choose a time outside that hour."
        )
    return earlier.astimezone(UTC)


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the button says what it does."""


class WalkSearch(FlaskForm):
    class Meta:
        csrf = False  # a filter changes nothing, and its address should be shareable

    area = SelectField("Area", coerce=int)
    status = SelectField("Status")


class InspectionForm(FlaskForm):
    area = SelectField("Area", coerce=int, validators=[InputRequired("Choose the area.")])
    day = DateField("Date", validators=[InputRequired("Enter the date of the walk.")])
    at = TimeField("Start time", validators=[InputRequired("Enter the time the walk starts.")])
    meeting_point = StringField(
        "Meeting point",
        filters=[tidy],
        validators=[
            DataRequired("Enter where tenants should meet."),
            Length(
                max=LONGEST_PLACE,
                message=f"Keep the meeting point to {LONGEST_PLACE} characters: it goes by SMS.",
            ),
        ],
    )
    officer = StringField(
        "Officer leading the walk", filters=[tidy], validators=[Length(max=LONGEST_NAME)]
    )
    notes = TextAreaField("Notes for staff", validators=[Length(max=LONGEST_NOTES)])
    call_landlines = BooleanField(
        "Phone landline-only tenants with the notice and reminder (press 1 to report a problem)"
    )

    def starts_at(self, zone: ZoneInfo) -> datetime | None:
        """The walk's start in UTC, or None with the error put on the time field."""
        if self.day.data is None or self.at.data is None:
            return None
        try:
            return utc_from_local(self.day.data, self.at.data, zone)
        except ValidationError as problem:
            self.at.errors = [*self.at.errors, str(problem)]
            return None

    @classmethod
    def for_inspection(cls, inspection: Inspection, zone: ZoneInfo) -> InspectionForm:
        local = inspection.starts_at.astimezone(zone)
        return cls(
            data={
                "area": inspection.area_id,
                "day": local.date(),
                "at": local.time().replace(tzinfo=None),
                "meeting_point": inspection.meeting_point,
                "officer": inspection.officer,
                "notes": inspection.notes,
                "call_landlines": inspection.call_landlines,
            }
        )


class FindingForm(FlaskForm):
    found = TextAreaField(
        "What was found",
        filters=[tidy],
        validators=[
            DataRequired("Say what the walk found."),
            Length(max=LONGEST_WORDS),
        ],
    )
    action = TextAreaField("Action agreed", filters=[tidy], validators=[Length(max=LONGEST_WORDS)])
    responsible = StringField(
        "Who is responsible", filters=[tidy], validators=[Length(max=LONGEST_NAME)]
    )
    due_on = DateField("To be done by", validators=[Optional()])
    reports = CheckboxList("Tenant reports this answers", coerce=int)

    def offer_reports(self, reports: list[IssueReport]) -> None:
        self.reports.choices = [
            (report.id, f"{report.reference}: {report.location}") for report in reports
        ]
