"""The repairs API's representations: a finished repair, its survey's results, an outcome.

Each class's name is its name in the OpenAPI document. The limits are the
columns'. What the housing system sends is tidied and judged by
models.repairs (a job type of punctuation only, an empty reference, months out of
order are 422), so the schemas here judge only form.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from models.repairs import LONGEST_JOB_TYPE, LONGEST_OUTCOME, LONGEST_REFERENCE, MONTH
from staff.api.common import Body, Moment, Query, Representation, Text

LONGEST_PHONE = 40
A_MONTH = {"pattern": MONTH.pattern, "example": "2026-03"}
MONTH_REFUSAL = "must be a month such as 2026-03"
ONE_TENANT = "name the tenant by tenant_id or by phone, one of the two"
WHOLE_NUMBER = "must be a whole number"


class NewRepair(Body):
    """A finished repair: whose home (by tenant_id or phone), which job, when it was done."""

    tenant_id = fields.Integer(
        strict=True, error_messages={"invalid": WHOLE_NUMBER, "null": WHOLE_NUMBER}
    )
    phone = Text(longest=LONGEST_PHONE)
    job_reference = Text(
        longest=LONGEST_REFERENCE, required=True, metadata={"description": "the system's own"}
    )
    job_type = Text(
        longest=LONGEST_JOB_TYPE,
        required=True,
        metadata={
            "description": "plumbing, electrical, joinery, heating, roofing, gas, other, "
            "or a short label of the system's own"
        },
    )
    completed_at = Moment(required=True, metadata={"description": "with its offset or Z"})

    @validates_schema
    def _one_tenant(self, data: dict[str, Any], **kwargs: Any) -> None:
        """By id or by phone: both could name two different tenants, neither names one."""
        if ("tenant_id" in data) == ("phone" in data):
            raise ValidationError(ONE_TENANT)


class RepairResultsQuery(Query):
    """Which months and job type; the twelve months up to this one when left out."""

    first_month = fields.String(validate=validate.Regexp(MONTH, error=MONTH_REFUSAL))
    last_month = fields.String(validate=validate.Regexp(MONTH, error=MONTH_REFUSAL))
    job_type = fields.String(
        validate=validate.Length(
            max=LONGEST_JOB_TYPE, error=f"must be at most {LONGEST_JOB_TYPE} characters"
        ),
        metadata={"description": "one job type, as registered; every type when left out"},
    )


class NewRepairOutcome(Body):
    """You said, we did: for one job type and a run of months."""

    job_type = Text(longest=LONGEST_JOB_TYPE, required=True)
    first_month = Text(longest=len("2026-03"), required=True, metadata={"example": "2026-03"})
    last_month = Text(longest=len("2026-03"), required=True, metadata={"example": "2026-04"})
    outcome = Text(longest=LONGEST_OUTCOME, required=True)


class Repair(Representation):
    """A repair and its survey's answers: read from ``{"repair": <models.repairs.Repair>}``."""

    id = fields.Integer(attribute="repair.id")
    tenant_id = fields.Integer(attribute="repair.tenant_id", allow_none=True)
    job_reference = fields.String(attribute="repair.job_reference")
    job_type = fields.String(attribute="repair.job_type")
    completed_at = fields.DateTime(attribute="repair.completed_at")
    month = fields.String(attribute="repair.month", metadata=A_MONTH)
    survey_sent_at = fields.DateTime(attribute="repair.survey_sent_at", allow_none=True)
    answered_at = fields.DateTime(attribute="repair.answered_at", allow_none=True)
    satisfaction = fields.Integer(
        attribute="repair.satisfaction", allow_none=True, metadata={"minimum": 1, "maximum": 5}
    )
    right_first_time = fields.Boolean(attribute="repair.right_first_time", allow_none=True)


class RegisteredRepair(Repair):
    """The repair as registered, and whether the same job had been registered before."""

    already_registered = fields.Boolean(
        metadata={"description": "true when the job was known: nothing was changed"}
    )


class RepairFigures(Representation):
    """One job type in one month (``models.repairs.RepairFigures``)."""

    job_type = fields.String()
    month = fields.String(metadata=A_MONTH)
    surveys_sent = fields.Integer(metadata={"minimum": 0})
    responses = fields.Integer(metadata={"minimum": 0})
    average_satisfaction = fields.Float(allow_none=True)
    right_first_time_percent = fields.Float(allow_none=True)


class RepairResults(Representation):
    """The months asked about, and the figures for each job type in each of them."""

    first_month = fields.String(metadata=A_MONTH)
    last_month = fields.String(metadata=A_MONTH)
    items = fields.List(fields.Nested(RepairFigures))


class RepairOutcome(Representation):
    """An outcome as published, and how many tenants it was told to."""

    id = fields.Integer()
    job_type = fields.String()
    first_month = fields.String(metadata=A_MONTH)
    last_month = fields.String(metadata=A_MONTH)
    outcome = fields.String()
    published_at = fields.DateTime(allow_none=True)
    told = fields.Integer(metadata={"minimum": 0})
