"""The inbox API's representations: which part of the inbox to read, a reply, an item.

Each class's name is its name in the OpenAPI document. A reply's length is
Telegram's limit; on SMS it is held to two texts besides, which the outbox judges
(422), as it judges an empty reply or a tenant who opted out.
"""

from __future__ import annotations

from marshmallow import fields, validate

from models.messages import InboxState
from staff.api.common import Body, Page, QueryFlag, Representation, TenantRef, Text, page_of
from staff.api.media_schemas import MediaFile
from staff.api.message_schemas import Message

LONGEST_REPLY = 4096  # Telegram's limit; SMS replies are held to two texts besides
STATES = tuple(state.value for state in InboxState)


class InboxQuery(Page):
    """Which of the inbox to list: what waits for a person (open), or what is done."""

    state = fields.String(
        load_default=InboxState.OPEN.value,
        validate=validate.OneOf(STATES, error=f"must be one of {', '.join(STATES)}"),
    )
    replied = QueryFlag(
        metadata={"description": "true: only those staff replied to; false: only those not yet"}
    )
    urgent = QueryFlag(
        metadata={"description": "true: only those about danger; false: only the others"}
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
    """An inbox item as shown: read from ``{"message": <InboundRecord>, "tenant": TenantRef,
    "replies": [<OutboundRecord>], "broadcast_id": ...}``, the tenant null for a number no
    tenant has. Urgent items come first in a list."""

    id = fields.Integer(attribute="message.id")
    tenant = fields.Nested(TenantRef, allow_none=True)
    channel = fields.String(attribute="message.channel")
    address = fields.String(attribute="message.address")
    body = fields.String(attribute="message.body")
    received_at = fields.DateTime(attribute="message.received_at")
    state = fields.String(attribute="message.inbox", metadata={"enum": list(STATES)})
    urgent = fields.Boolean(
        attribute="message.urgent",
        metadata={"description": "it sounds like danger: the tenant was told the repairs line"},
    )
    replied = fields.Boolean(metadata={"description": "a staff member has replied to it"})
    replies = fields.List(
        fields.Nested(Message),
        metadata={"description": "what was sent back, oldest first: staff's and the bot's own"},
    )
    media = fields.List(
        fields.Nested(MediaFile),
        metadata={"description": "the files the tenant sent with it (a photo, a voice note)"},
    )
    in_reply_to_broadcast = fields.Integer(
        attribute="broadcast_id",
        allow_none=True,
        metadata={
            "description": "the broadcast it plausibly answers; null when none does, or when "
            "the broadcast was for a role the token's owner may not see"
        },
    )
    opened_by_staff_id = fields.Integer(
        attribute="message.opened_by_staff_id",
        allow_none=True,
        metadata={"description": "who last opened it in the console"},
    )
    opened_at = fields.DateTime(attribute="message.opened_at", allow_none=True)


InboxPage = page_of(InboxItem, name="InboxPage")
