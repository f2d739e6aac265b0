"""The broadcast forms: the words in each language, the audience, the topic, and when.

The form has a box for English and one for each other language the bot speaks,
built from the catalogue, so a new language needs no change here. The audience is
everyone, some areas, some roles (those the member may see: staff.pages.audiences), or a
CSV of tenants (a column of phone numbers or tenant ids); the CSV wins when given, as the
Audience rules say.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length

from bot import catalogue
from bot.presentation import Trait, kinds_with, presentation_of
from models.broadcasts import LONGEST_TEXT, BroadcastKind
from participation.broadcasts import TOPICS
from staff.pages.audiences import AudienceRoles
from staff.pages.common import CheckboxList

TOPIC_LABELS = {
    "news": "News (the default)",
    "events": "Events",
    "inspections": "Estate inspections",
    "surveys": "Surveys and consultations",
}


def channel_labels() -> dict[str, str]:
    """The channels a broadcast can go by (those tenants read), as staff call them."""
    return {kind: presentation_of(kind).label for kind in kinds_with(Trait.TYPES)}


class BroadcastForm(FlaskForm):
    kind = HiddenField(default=BroadcastKind.NOTICE)
    text_en = TextAreaField(
        "The notice in English",
        validators=[
            InputRequired("Write the notice in English."),
            Length(max=LONGEST_TEXT, message=f"Keep it under {LONGEST_TEXT} characters."),
        ],
    )
    everyone = BooleanField("Everyone registered")
    areas = CheckboxList("Areas", coerce=int)
    roles = AudienceRoles("Roles")
    channels = CheckboxList(
        "Only tenants reachable by (none ticked: SMS, else Telegram)",
        choices=lambda: [SelectChoice(value, label) for value, label in channel_labels().items()],
    )
    tenants_csv = FileField(
        "Or a list of tenants (CSV: a column of phone numbers or tenant ids)",
        validators=[FileAllowed(["csv", "txt"], "Send a .csv file.")],
    )
    topic = SelectField(
        "Topic (tenants who declined it are skipped)",
        choices=[SelectChoice(str(topic), TOPIC_LABELS[str(topic)]) for topic in TOPICS],
        default="news",
    )
    urgent = BooleanField("Urgent: send at once, even at night (admins only)")
    call_landlines = BooleanField(
        "Phone landline-only tenants: a call reads the notice to them (in the sending hours)"
    )

    def texts(self) -> dict[str, str]:
        """Each language's words as typed ("" where left empty)."""
        return {code: str(self[f"text_{code}"].data or "") for code in catalogue.languages()}


def _language_fields() -> dict[str, Any]:
    return {
        f"text_{code}": TextAreaField(
            f"The notice in {name} (optional: tenants who read {name} get English otherwise)",
            validators=[Length(max=LONGEST_TEXT)],
        )
        for code, name in catalogue.language_names()
        if code != "en"
    }


def broadcast_form_class() -> type[BroadcastForm]:
    """The form with a box for every language the bot speaks."""
    return type("BroadcastFormWithLanguages", (BroadcastForm,), _language_fields())


class ScheduleForm(FlaskForm):
    day = DateField("Date", validators=[InputRequired("Enter the date to send it.")])
    at = TimeField("Time", validators=[InputRequired("Enter the time to send it.")])
