"""The forms staff use to enter what a tenant said by phone, on paper or in person.

The tenant is typed as their phone number or tenant number (staff.pages.poll_lookup),
as for a paper vote; how it came is one of models.on_behalf.EntrySource.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from models.events import MOST_PARTY, Answer
from models.inspections import LONGEST_WORDS, ReportCategory
from models.on_behalf import EntrySource
from staff.pages.common import tidy
from staff.pages.poll_forms import LONGEST_TENANT

SOURCE_LABELS: dict[str, str] = {
    EntrySource.PHONE: "By phone",
    EntrySource.IN_PERSON: "In person",
    EntrySource.PAPER: "On paper",
}


def tenant_field() -> StringField:
    return StringField(
        "Tenant: their phone number or tenant number",
        filters=[tidy],
        validators=[
            DataRequired("Enter the tenant's phone number or tenant number."),
            Length(max=LONGEST_TENANT),
        ],
    )


def source_field() -> SelectField:
    return SelectField(
        "How it came",
        choices=[SelectChoice(source, label) for source, label in SOURCE_LABELS.items()],
    )


class RsvpForTenantForm(FlaskForm):
    tenant = tenant_field()
    answer = SelectField(
        "Their answer",
        choices=[
            SelectChoice(Answer.YES.value, "Coming"),
            SelectChoice(Answer.MAYBE.value, "Maybe"),
            SelectChoice(Answer.NO.value, "Not coming"),
        ],
    )
    party = IntegerField(
        "People, with themselves",
        default=1,
        validators=[
            InputRequired("Enter how many people are coming."),
            NumberRange(1, MOST_PARTY, f"Enter 1 to {MOST_PARTY}."),
        ],
    )
    source = source_field()


class ReportForTenantForm(FlaskForm):
    tenant = tenant_field()
    category = SelectField("What kind of issue")
    location = StringField(
        "Where",
        filters=[tidy],
        validators=[
            DataRequired("Say where it is."),
            Length(max=LONGEST_WORDS, message=f"Keep it to {LONGEST_WORDS} characters."),
        ],
    )
    description = TextAreaField(
        "What is wrong",
        validators=[
            DataRequired("Say what is wrong."),
            Length(max=LONGEST_WORDS, message=f"Keep it to {LONGEST_WORDS} characters."),
        ],
    )
    source = source_field()

    def offer_categories(self, labels: dict[str, str]) -> None:
        self.category.choices = [
            SelectChoice(category.value, labels.get(category.value, category.value))
            for category in ReportCategory
        ]
