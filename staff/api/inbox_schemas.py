"""The inbox API's representations: which part of the inbox to read, a reply, an item.

Each class's name is its name in the OpenAPI document. A reply's length is
Telegram's limit; on SMS it is held to two texts besides, which the outbox judges
(422), as it judges an empty reply or a tenant who opted out.
"""

from __future__ import annotations

from marshmallow import fields, validate

from models.messages import InboxState
from staff.api.common import Body, Page, Representation, TenantRef, Text, page_of

LONGEST_REPLY = 4096  # Telegram's limit; SMS replies are held to two texts besides
STATES = tuple(state.value for state in InboxState)


class InboxQuery(Page):
    """Which of the inbox to list: what waits for a person (open), or what is done."""

    state = fields.String(
        load_default=InboxState.OPEN.value,
        validate=validate.OneOf(STATES, error=f"must be one of {', '.join(STATES)}"),
    )


class Reply(Body):
    """What staff answer, on the channel the tenant wrote from."""

    text = Text(
        longest=LONGEST_REPLY,
        lines=True,
        required=True,
        metadata={"description": "at most two texts (306 plain characters) on SMS"},
    )


class InboxItem(Representation):
    """An inbox item as shown: read from ``{"message": <InboundMessage>, "tenant": TenantRef}``,
    the tenant null for a number no tenant has."""

    id = fields.Integer(attribute="message.id")
    tenant = fields.Nested(TenantRef, allow_none=True)
    channel = fields.String(attribute="message.channel")
    address = fields.String(attribute="message.address")
    body = fields.String(attribute="message.body")
    received_at = fields.DateTime(attribute="message.received_at")
    state = fields.String(attribute="message.inbox", metadata={"enum": list(STATES)})


InboxPage = page_of(InboxItem, name="InboxPage")
