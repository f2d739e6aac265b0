"""The repair-survey forms: the CSV import and "you said, we did"."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from models.repairs import LONGEST_JOB_TYPE, LONGEST_OUTCOME, MONTH
from staff.pages.common import tidy

MONTH_HINT = "Enter a month such as 2026-03."


class RepairImportForm(FlaskForm):
    file = FileField(
        "CSV file of finished repairs", validators=[FileRequired("Choose a CSV file to import.")]
    )


class OutcomeForm(FlaskForm):
    job_type = StringField(
        "Job type",
        filters=[tidy],
        validators=[DataRequired("Enter the job type."), Length(max=LONGEST_JOB_TYPE)],
    )
    first_month = StringField(
        "First month",
        filters=[tidy],
        validators=[DataRequired(MONTH_HINT), Regexp(MONTH, 0, MONTH_HINT)],
    )
    last_month = StringField(
        "Last month",
        filters=[tidy],
        validators=[DataRequired(MONTH_HINT), Regexp(MONTH, 0, MONTH_HINT)],
    )
    outcome = TextAreaField(
        "What we did",
        filters=[tidy],
        validators=[
            DataRequired("Write what changed because of what tenants said."),
            Length(
                max=LONGEST_OUTCOME,
                message=f"Keep it to {LONGEST_OUTCOME} characters: it goes by SMS.",
            ),
        ],
    )
