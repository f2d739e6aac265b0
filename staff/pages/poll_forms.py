"""The poll forms: a new poll, a paper or phone vote, the outcome.

A new poll's options are typed one a line; its closing time is typed as the clock
on the wall shows it and stored in UTC (see inspection_forms.utc_from_local for the
two days a year the clocks change). Whether the question fits 2 SMS is checked by
bot.poll_steps when it is published, and its reason shown against the question.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from models.polls import LONGEST_OPTION, LONGEST_OUTCOME, LONGEST_QUESTION, MOST_OPTIONS, VoteSource
from staff.pages.common import CheckboxList, tidy
from staff.pages.inspection_forms import utc_from_local

LONGEST_TENANT = 40


class PollForm(FlaskForm):
    question = TextAreaField(
        "Question",
        filters=[tidy],
        validators=[
            DataRequired("Write the question."),
            Length(
                max=LONGEST_QUESTION, message=f"Keep the question to {LONGEST_QUESTION} characters."
            ),
        ],
    )
    options = TextAreaField(
        "Options, one a line",
        validators=[
            DataRequired("Write 2 to 6 options, one a line."),
            Length(
                max=MOST_OPTIONS * (LONGEST_OPTION + 2) + 20, message="The options are too long."
            ),
        ],
    )
    everyone = BooleanField("Everyone")
    areas = CheckboxList("Areas", coerce=int)
    roles = CheckboxList("Roles")
    day = DateField("Closing date", validators=[InputRequired("Enter the closing date.")])
    at = TimeField("Closing time", validators=[InputRequired("Enter the closing time.")])
    per_household = BooleanField("One vote per household (the latest by any member counts)")
    reminder_days = IntegerField(
        "Reminder to those who have not voted, days before closing (0: none)",
        default=2,
        validators=[
            InputRequired("Enter the days before closing, or 0 for no reminder."),
            NumberRange(0, 60, "Choose 0 to 60 days."),
        ],
    )

    def option_labels(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def closes_at(self, zone: ZoneInfo) -> datetime | None:
        """The closing moment in UTC, or None with the reason on the time field."""
        if self.day.data is None or self.at.data is None:
            return None
        try:
            return utc_from_local(self.day.data, self.at.data, zone)
        except ValidationError as exc:
            self.at.errors = [*self.at.errors, str(exc)]
            return None

    def validate_roles(self, field: CheckboxList) -> None:
        if not (self.everyone.data or self.areas.data or field.data):
            raise ValidationError("Choose everyone, some areas or some roles.")


class PaperVoteForm(FlaskForm):
    tenant = StringField(
        "Tenant: their phone number or tenant number",
        filters=[tidy],
        validators=[
            DataRequired("Enter the tenant's phone number or tenant number."),
            Length(max=LONGEST_TENANT),
        ],
    )
    choice = SelectField(
        "Their answer", coerce=int, validators=[InputRequired("Choose the answer.")]
    )
    source = SelectField(
        "How it came",
        choices=[
            SelectChoice(VoteSource.PAPER.value, "On paper"),
            SelectChoice(VoteSource.PHONE.value, "By phone"),
        ],
    )


class OutcomeForm(FlaskForm):
    outcome = TextAreaField(
        "What we did (you said, we did)",
        filters=[tidy],
        validators=[
            DataRequired("Write the outcome."),
            Length(
                max=LONGEST_OUTCOME, message=f"Keep the outcome to {LONGEST_OUTCOME} characters."
            ),
        ],
    )
