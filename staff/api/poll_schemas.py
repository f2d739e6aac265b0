"""The polls API's representations: a poll to publish, a vote entered for a tenant, the
outcome, and what comes back (the poll, its results with coverage by area).

Each class's name is its name in the OpenAPI document. The shape is judged here
(400); what a poll's rules judge (2 to 6 different options, each short enough to
read by SMS, a question that fits 2 SMS, a language we have, a reminder at most 60
days before) is judged by participation.poll_steps and the view, as a 422 with the reason,
as it is from the console; the document still gives those limits.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from bot import catalogue
from models.polls import (
    ENGLISH,
    FEWEST_OPTIONS,
    LONGEST_OPTION,
    LONGEST_OUTCOME,
    LONGEST_QUESTION,
    MOST_OPTIONS,
)
from participation import poll_steps
from staff.api.audience_schemas import (
    AREAS,
    EVERYONE,
    ROLES,
    audience_given,
    audience_shown,
    nested_audience,
)
from staff.api.common import (
    TIME_EXAMPLE,
    Body,
    Count,
    Moment,
    Representation,
    Text,
    TrueOrFalse,
    page_of,
)

AUDIENCE_PARTS = (EVERYONE, AREAS, ROLES)
SOURCES = tuple(source.value for source in poll_steps.STAFF_SOURCES)
OTHER_LANGUAGES = tuple(code for code in catalogue.languages() if code != ENGLISH)
MOST_DAYS, MOST_REMINDER_DAYS = 1000, 60
LIST_OF_TEXT = "must be a list of text"
IN_ENGLISH = (
    "a tenant of a language not given gets the English, with a one-line note in their "
    "language saying why"
)

PollAudience = audience_given("PollAudience", AUDIENCE_PARTS)
PollAudienceShown = audience_shown("PollAudienceShown", AUDIENCE_PARTS)


def _options(**kwargs: Any) -> fields.List[str]:
    """Labels, judged as a poll's options by the view (422), documented as such here."""
    return fields.List(
        fields.String(
            error_messages={"invalid": "must be text", "null": "must be text"},
            metadata={"maxLength": LONGEST_OPTION},
        ),
        error_messages={"invalid": LIST_OF_TEXT, "null": LIST_OF_TEXT},
        metadata={
            "minItems": FEWEST_OPTIONS,
            "maxItems": MOST_OPTIONS,
            "description": "different labels, numbered from 1 in this order",
        },
        **kwargs,
    )


def _by_language(words: fields.Field[Any], description: str, **kwargs: Any) -> fields.Dict:
    """Words keyed by one of the other languages; one we do not have is a 422 naming it."""
    refusal = "must be an object of languages"
    return fields.Dict(
        keys=fields.String(metadata={"enum": OTHER_LANGUAGES}),
        values=words,
        error_messages={"invalid": refusal, "null": refusal},
        metadata={"description": f"{description}; {IN_ENGLISH}"},
        **kwargs,
    )


class PollTranslation(Body):
    """The question and options in one more language: as many options, in the same order."""

    error_messages = {"type": "must have a question and options"}

    question = Text(longest=LONGEST_QUESTION, required=True)
    options = _options(required=True)


class NewPoll(Body):
    """A poll to publish; its audience is invited at once."""

    question = Text(longest=LONGEST_QUESTION, required=True)
    options = _options(required=True)
    audience = nested_audience(PollAudience, required=True)
    closes_at = Moment(required=True, metadata={"description": f"with its offset, {TIME_EXAMPLE}"})
    per_household = TrueOrFalse(
        load_default=False, metadata={"description": "one vote per home, not per tenant"}
    )
    call_landlines = TrueOrFalse(
        load_default=False,
        metadata={"description": "landline-only tenants are phoned, and vote with keys"},
    )
    reminder_days = Count(
        most=MOST_DAYS,
        load_default=0,
        metadata={
            "maximum": MOST_REMINDER_DAYS,
            "description": "days before closing that those who have not voted are reminded; "
            "0: never",
        },
    )
    translations = _by_language(
        fields.Nested(PollTranslation), "optional: the question and options in other languages"
    )


class NewPollVote(Body):
    """A paper or phone answer, entered on a tenant's behalf."""

    tenant_id = fields.Integer(
        strict=True,
        required=True,
        error_messages={"invalid": "must be a tenant's id", "null": "must be a tenant's id"},
        metadata={"minimum": 1},
    )
    option = Count(most=MOST_DAYS, required=True, metadata={"minimum": 1})
    source = fields.String(
        required=True,
        validate=validate.OneOf(SOURCES, error=f"must be one of {', '.join(SOURCES)}"),
        error_messages={"invalid": f"must be one of {', '.join(SOURCES)}"},
    )


class PollOutcome(Body):
    """What was done, to tell everyone who took part: once, after the poll has closed."""

    outcome = Text(longest=LONGEST_OUTCOME, required=True)
    translations = _by_language(
        Text(longest=LONGEST_OUTCOME), "optional: the outcome in other languages"
    )


class NullWhenEmpty(fields.String):
    """Text stored empty until there is some (an outcome not yet published): null till then."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return super()._serialize(value or None, attr, obj, **kwargs)


class Poll(Representation):
    """A poll as shown: read from ``{"poll": <models.polls.Poll>, "audience": as seen,
    "open": whether a vote now counts}``."""

    id = fields.Integer(attribute="poll.id")
    question = fields.String(attribute="poll.question")
    options = fields.List(fields.String(), attribute="poll.options")
    translations = _by_language(
        fields.Nested(PollTranslation),
        "the poll in other languages",
        attribute="poll.translations",
    )
    audience = fields.Nested(PollAudienceShown)
    closes_at = fields.DateTime(attribute="poll.closes_at")
    open = fields.Boolean(metadata={"description": "whether a vote now counts"})
    per_household = fields.Boolean(attribute="poll.per_household")
    call_landlines = fields.Boolean(attribute="poll.call_landlines")
    reminder_days = fields.Integer(attribute="poll.reminder_days")
    invited = fields.Integer(attribute="poll.invited", metadata={"description": "invitations"})
    reminder_sent_at = fields.DateTime(attribute="poll.reminder_sent_at", allow_none=True)
    closed_at = fields.DateTime(attribute="poll.closed_at", allow_none=True)
    outcome = NullWhenEmpty(attribute="poll.outcome", allow_none=True)
    outcome_translations = _by_language(
        fields.String(), "the outcome in other languages", attribute="poll.outcome_translations"
    )
    outcome_published_at = fields.DateTime(attribute="poll.outcome_published_at", allow_none=True)
    created_at = fields.DateTime(attribute="poll.created_at")


class PublishedOutcome(Poll):
    """The poll with its outcome, and how many who took part are being told."""

    told = fields.Integer(metadata={"minimum": 0})


class PollVote(Representation):
    """The vote as recorded; ``replaced``: the earlier vote it replaced, if any."""

    poll_id = fields.Integer()
    tenant_id = fields.Integer()
    option = fields.Integer(metadata={"description": "numbered from 1"})
    source = fields.String()
    replaced = fields.String(
        allow_none=True,
        validate=validate.OneOf(("own", "household")),
        metadata={"description": "the earlier vote replaced: the tenant's or their household's"},
    )


class PollOptionResult(Representation):
    """One option's votes: read from ``{"number": n, "option": <models.polls.OptionResult>}``."""

    number = fields.Integer()
    label = fields.String(attribute="option.label")
    votes = fields.Integer(attribute="option.votes")
    percent = fields.Float(attribute="option.percent")


class PollAreaCoverage(Representation):
    """Responses in one area against its homes (``models.polls.AreaCoverage``)."""

    area_id = fields.Integer(allow_none=True)
    area = fields.String(attribute="name")
    homes = fields.Integer()
    responses = fields.Integer()
    percent = fields.Float(allow_none=True)


class PollResults(Representation):
    """The results so far: votes per option, and responses per area against homes."""

    poll_id = fields.Integer()
    votes = fields.Integer()
    took_part = fields.Integer(metadata={"description": "tenants who ever voted"})
    options = fields.List(fields.Nested(PollOptionResult))
    coverage = fields.List(fields.Nested(PollAreaCoverage))


PollPage = page_of(Poll)
