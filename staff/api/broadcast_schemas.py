"""The broadcasts API's representations: a notice or an opportunity to draft, when to send
it, and what comes back (the broadcast, its preview, its delivery report).

Each class's name is its name in the OpenAPI document. Staff write the words per
language; English is required, but its absence is judged when the draft is made
(422), as the console judges it, not here.
"""

from __future__ import annotations

from typing import Any, cast

from apiflask import Schema
from marshmallow import fields, validate

from bot import catalogue
from models.broadcasts import LONGEST_TEXT, BroadcastKind, BroadcastStatus
from participation import broadcasts as steps
from staff.api.audience_schemas import PARTS, audience_given, audience_shown, nested_audience
from staff.api.common import Body, Moment, Representation, Text, TrueOrFalse, page_of

KINDS = tuple(kind.value for kind in BroadcastKind)
STATUSES = tuple(status.value for status in BroadcastStatus)
TOPICS = tuple(str(topic) for topic in steps.TOPICS)
LANGUAGES = catalogue.languages()
TEXTS_REFUSAL = 'must be an object of language code to text, such as {"en": "..."}'

READ_ALONE = ("volunteers", "volunteer_count", "answerers_withheld")  # not in lists or answers
BroadcastAudience = audience_given("BroadcastAudience", PARTS)
BroadcastAudienceShown = audience_shown("BroadcastAudienceShown", PARTS)


class Wording(Body):
    """Staff's words by language: an object, and only languages we have."""

    error_messages = {"type": TEXTS_REFUSAL}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error_messages["unknown"] = f"not a language we have ({', '.join(self.fields)})"


BroadcastTexts = cast(
    type[Schema],
    Wording.from_dict(
        {code: Text(longest=LONGEST_TEXT, lines=True) for code in LANGUAGES},
        name="BroadcastTexts",
    ),
)


def _choice(allowed: tuple[str, ...], default: str, **kwargs: Any) -> fields.String:
    refusal = f"must be one of {', '.join(allowed)}"
    return fields.String(
        load_default=default,
        validate=validate.OneOf(allowed, error=refusal),
        error_messages={"invalid": refusal, "null": refusal},
        **kwargs,
    )


class NewBroadcast(Body):
    """A draft: nothing is sent until it is sent or scheduled."""

    kind = _choice(KINDS, BroadcastKind.NOTICE.value)
    texts = fields.Nested(
        BroadcastTexts,
        required=True,
        error_messages={"null": "must be an object of language code to text"},
        metadata={"description": "language code to the words staff wrote; English required"},
    )
    audience = nested_audience(BroadcastAudience, required=True)
    topic = _choice(TOPICS, "news")
    urgent = TrueOrFalse(load_default=False, metadata={"description": "admins only"})
    call_landlines = TrueOrFalse(
        load_default=False,
        metadata={"description": "landline-only tenants get the notice as a phone call"},
    )


class SendBroadcast(Body):
    """When to send it; no body, or no ``send_at``, is now."""

    send_at = Moment(
        allow_none=True,
        metadata={"description": "with its offset or Z; omit (or null) to send now"},
    )


class DeliveryReport(Representation):
    """How the broadcast's messages stand now: one count per column of
    ``models.broadcasts.delivery_report``, and their total."""

    queued = fields.Integer(metadata={"minimum": 0})
    sent = fields.Integer(metadata={"minimum": 0})
    delivered = fields.Integer(metadata={"minimum": 0})
    failed = fields.Integer(metadata={"minimum": 0})
    opted_out = fields.Integer(metadata={"minimum": 0})
    unreachable = fields.Integer(metadata={"minimum": 0})
    total = fields.Integer(metadata={"minimum": 0})


class BroadcastVolunteer(Representation):
    """A volunteer who said YES to an opportunity (``models.broadcasts.Volunteer``)."""

    tenant_id = fields.Integer()
    name = fields.String(allow_none=True)
    channel = fields.String()
    said_at = fields.DateTime()


class Broadcast(Representation):
    """A broadcast as shown: read from ``{"broadcast": <models.broadcasts.Broadcast>,
    "audience": as seen, "report": <delivery_report>}``, with ``volunteers``,
    ``volunteer_count`` and ``answerers_withheld`` when read alone."""

    id = fields.Integer(attribute="broadcast.id")
    kind = fields.String(attribute="broadcast.kind", validate=validate.OneOf(KINDS))
    status = fields.String(attribute="broadcast.status", validate=validate.OneOf(STATUSES))
    texts = fields.Dict(keys=fields.String(), values=fields.String(), attribute="broadcast.texts")
    audience = fields.Nested(BroadcastAudienceShown)
    unmatched = fields.List(fields.String(), attribute="broadcast.unmatched")
    topic = fields.String(attribute="broadcast.topic", validate=validate.OneOf(TOPICS))
    urgent = fields.Boolean(attribute="broadcast.urgent")
    call_landlines = fields.Boolean(attribute="broadcast.call_landlines")
    send_at = fields.DateTime(attribute="broadcast.send_at", allow_none=True)
    sent_at = fields.DateTime(attribute="broadcast.sent_at", allow_none=True)
    queued = fields.Integer(attribute="broadcast.queued", metadata={"minimum": 0})
    created_at = fields.DateTime(attribute="broadcast.created_at")
    report = fields.Nested(DeliveryReport)
    volunteers = fields.List(
        fields.Nested(BroadcastVolunteer),
        metadata={"description": "who said YES; empty when answerers_withheld"},
    )
    volunteer_count = fields.Integer(
        metadata={"minimum": 0, "description": "how many said YES, withheld or not"}
    )
    answerers_withheld = fields.Boolean(
        metadata={
            "description": "true for a broadcast picked by a role the token's owner may not "
            "see (mystery shoppers, without an admin's leave): then volunteers is empty and "
            "only volunteer_count says how many said YES"
        }
    )

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        super().on_bind_field(field_name, field_obj)
        field_obj.required = field_name not in READ_ALONE  # only when one is read alone


class BroadcastLanguage(Representation):
    """One language's message as a basic phone gets it (``participation.broadcasts``)."""

    language = fields.String()
    body = fields.String(metadata={"description": "as sent by SMS"})
    encoding = fields.String(validate=validate.OneOf(("GSM-7", "UCS-2")))
    characters = fields.Integer()
    segments = fields.Integer()
    forcing_ucs2 = fields.List(fields.String())
    parts = fields.List(fields.String())
    in_english = fields.Boolean(
        metadata={"description": "not written: the English notice with a note in this language"}
    )


class BroadcastPreview(Representation):
    """Read from ``{"preview": <participation.broadcasts.Preview>, "price_per_segment": price}``."""

    recipients = fields.Integer(attribute="preview.recipients")
    by_channel = fields.Dict(
        keys=fields.String(), values=fields.Integer(), attribute="preview.by_channel"
    )
    sms_segments = fields.Integer(attribute="preview.sms_segments")
    cost = fields.Float(
        attribute="preview.cost", metadata={"description": "SMS segments x SMS_SEGMENT_PRICE"}
    )
    currency = fields.Constant("GBP", metadata={"type": "string", "enum": ["GBP"]})
    price_per_segment = fields.Float()
    languages = fields.List(fields.Nested(BroadcastLanguage), attribute="preview.languages")
    problems = fields.List(
        fields.String(),
        attribute="preview.problems",
        metadata={"description": "why it cannot be sent as it is (more than 2 segments)"},
    )


class Resent(Representation):
    """The failed messages queued again, and the report as it now stands."""

    queued = fields.Integer(metadata={"minimum": 0})
    report = fields.Nested(DeliveryReport)


BroadcastPage = page_of(Broadcast)
