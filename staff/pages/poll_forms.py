"""The poll forms: a new poll, a paper or phone vote, the outcome.

A new poll's options are typed one a line; its closing time is typed as the clock
on the wall shows it and stored in UTC (see inspection_forms.utc_from_local for the
two days a year the clocks change). Whether the question fits 2 SMS is checked by
participation.poll_steps when it is published, and its reason shown against the question.

The question, the options and the outcome may also be given in each other language
the bot speaks (a box per language, built from the catalogue): the options one a
line, as many as in English and in the same order. Tenants of a language left
empty get the English with a note in theirs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
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

from bot import catalogue
from models.polls import (
    ENGLISH,
    LONGEST_OPTION,
    LONGEST_OUTCOME,
    LONGEST_QUESTION,
    MOST_OPTIONS,
    Translation,
    VoteSource,
)
from staff.pages.audiences import AudienceRoles
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
    roles = AudienceRoles("Roles")
    day = DateField("Closing date", validators=[InputRequired("Enter the closing date.")])
    at = TimeField("Closing time", validators=[InputRequired("Enter the closing time.")])
    per_household = BooleanField("One vote per household (the latest by any member counts)")
    call_landlines = BooleanField(
        "Phone landline-only tenants: a call reads the question, and they vote with keys "
        "(in the sending hours)"
    )
    reminder_days = IntegerField(
        "Reminder to those who have not voted, days before closing (0: none)",
        default=2,
        validators=[
            InputRequired("Enter the days before closing, or 0 for no reminder."),
            NumberRange(0, 60, "Choose 0 to 60 days."),
        ],
    )

    def option_labels(self) -> list[str]:
        return _lines(self.options.data)

    def translations(self) -> dict[str, Translation] | None:
        """The languages staff wrote, or None with the reason against the language's boxes."""
        written: dict[str, Translation] = {}
        wanted = len(self.option_labels())
        for code in other_languages():
            question, options = self[f"question_{code}"], self[f"options_{code}"]
            labels = _lines(options.data)
            if not (question.data or labels):
                continue
            if not question.data:
                question.errors = [*question.errors, "Write the question in this language too."]
            elif len(labels) != wanted:
                options.errors = [
                    *options.errors,
                    f"Give {wanted} options, one for each English option in the same order.",
                ]
            else:
                written[code] = Translation(question.data, labels)
        failed = any(self[f"{part}_{code}"].errors for code in other_languages() for part in PARTS)
        return None if failed else written

    def closes_at(self, zone: ZoneInfo) -> datetime | None:
        """The closing moment in UTC, or None with the reason on the time field."""
        if self.day.data is None or self.at.data is None:
            return None
        try:
            return utc_from_local(self.day.data, self.at.data, zone)
        except ValidationError as exc:
            self.at.errors = [*self.at.errors, str(exc)]
            return None

    def validate_roles(self, field: AudienceRoles) -> None:
        if not (self.everyone.data or self.areas.data or field.data):
            raise ValidationError("Choose everyone, some areas or some roles.")


PARTS = ("question", "options")


def other_languages() -> list[str]:
    return [code for code in catalogue.languages() if code != ENGLISH]


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _poll_language_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for code, name in catalogue.language_names():
        if code == ENGLISH:
            continue
        fields[f"question_{code}"] = TextAreaField(
            f"The question in {name} (optional: tenants who read {name} get English otherwise)",
            filters=[tidy],
            validators=[Length(max=LONGEST_QUESTION)],
        )
        fields[f"options_{code}"] = TextAreaField(
            f"The options in {name}, one a line, in the English order",
            validators=[Length(max=MOST_OPTIONS * (LONGEST_OPTION + 2) + 20)],
        )
    return fields


def poll_form_class() -> type[PollForm]:
    """The form with a question and options box for every other language the bot speaks."""
    return type("PollFormWithLanguages", (PollForm,), _poll_language_fields())


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

    def translations(self) -> dict[str, str]:
        """The outcome in each other language staff wrote it in."""
        return {
            code: str(self[f"outcome_{code}"].data)
            for code in other_languages()
            if self[f"outcome_{code}"].data
        }


def outcome_form_class() -> type[OutcomeForm]:
    """The outcome form with a box for every other language the bot speaks."""
    fields = {
        f"outcome_{code}": TextAreaField(
            f"The outcome in {name} (optional: tenants who read {name} get English otherwise)",
            filters=[tidy],
            validators=[Length(max=LONGEST_OUTCOME)],
        )
        for code, name in catalogue.language_names()
        if code != ENGLISH
    }
    return type("OutcomeFormWithLanguages", (OutcomeForm,), fields)
