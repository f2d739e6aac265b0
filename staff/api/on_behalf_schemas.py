"""The representations of what staff enter for a tenant who phoned, wrote or came in.

The shape is judged here (400); what the event's rules judge (a party larger than it
allows, a tenant it is not open to, answers closed) is judged by participation.on_behalf
and the view, as a 422 or 409 with the reason, as from the console.
"""

from __future__ import annotations

from marshmallow import fields, validate

from models.events import MOST_PARTY
from models.inspections import LONGEST_WORDS, ReportCategory
from models.mystery_shopping import Service, Sorted, When
from models.on_behalf import EntrySource
from participation.on_behalf import RSVP_ANSWERS
from staff.api.common import Body, Representation, Text, Words
from staff.api.event_schemas import EventRsvp, WholeNumber

SOURCES = tuple(source.value for source in EntrySource)
ANSWERS = tuple(answer.value for answer in RSVP_ANSWERS)
CATEGORIES = tuple(category.value for category in ReportCategory)


def _one_of(choices: tuple[str, ...], **kwargs: object) -> fields.String:
    refusal = f"must be one of {', '.join(choices)}"
    return fields.String(
        required=True,
        validate=validate.OneOf(choices, error=refusal),
        error_messages={"invalid": refusal, "null": refusal},
        **kwargs,  # type: ignore[arg-type]
    )


class TenantId(fields.Integer):
    def __init__(self) -> None:
        refusal = "must be a tenant's id"
        super().__init__(
            strict=True,
            required=True,
            validate=validate.Range(min=1, error=refusal),
            error_messages={"invalid": refusal, "null": refusal},
            metadata={"minimum": 1},
        )


class NewEventRsvpForTenant(Body):
    """An answer a tenant gave by phone, on paper or in person; it counts as their own."""

    tenant_id = TenantId()
    answer = _one_of(ANSWERS)
    party = WholeNumber(
        least=1,
        most=MOST_PARTY,
        load_default=1,
        metadata={"description": "people, with the tenant; at most the event's most_per_party"},
    )
    source = _one_of(SOURCES, metadata={"description": "how it came"})


class EventRsvpEntered(Representation):
    """The answer as kept, and the tenant's place on the waiting list if there."""

    rsvp = fields.Nested(EventRsvp)
    waiting_place = fields.Integer(allow_none=True, metadata={"minimum": 1})


class NewIssueReportForTenant(Body):
    """An estate issue a tenant told staff about, for their area's next walk."""

    tenant_id = TenantId()
    category = _one_of(CATEGORIES)
    location = Words(longest=LONGEST_WORDS, required=True, metadata={"description": "where"})
    description = Words(longest=LONGEST_WORDS, required=True, metadata={"description": "what"})
    source = _one_of(SOURCES, metadata={"description": "how it came"})


def _words(description: str) -> Text:
    return Text(
        longest=LONGEST_WORDS,
        lines=True,
        allow_none=True,
        load_default=None,
        metadata={"description": f"{description}; null or left out: skipped"},
    )


class NewCheckInForShopper(Body):
    """A mystery shopper's check-in for this month, told to staff; kept finished."""

    tenant_id = TenantId()
    service = _one_of(tuple(each.value for each in Service))
    when_used = _one_of(tuple(each.value for each in When))
    ease = WholeNumber(least=1, most=5, required=True, metadata={"description": "5: very easy"})
    respect = WholeNumber(least=1, most=5, required=True, metadata={"description": "5: very well"})
    sorted_out = _one_of(tuple(each.value for each in Sorted))
    what_happened = _words("what happened, in the shopper's words")
    improve = _words("what would have made it better")
    source = _one_of(SOURCES, metadata={"description": "how it came"})
