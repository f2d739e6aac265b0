"""The messages API's representation: one message of a tenant's thread, either way.

Its name is its name in the OpenAPI document. Inbound and outbound rows are
kept apart (each numbered on its own), so a message is known by its direction
and id together; only an outbound one has a delivery status, an inbound message
it answers and a staff member who typed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from marshmallow import fields, pre_dump

from models.media import Media
from models.messages import InboundRecord, OutboundRecord, OutboxStatus
from staff.api.common import Representation, page_of
from staff.api.media_schemas import MediaFile

DIRECTIONS = ("in", "out")


class WithFiles(NamedTuple):
    """An inbound message and the files it came with (models.media.media_by_message)."""

    message: InboundRecord
    files: Sequence[Media] = ()


class Message(Representation):
    """A message as shown: read from a ``models.messages`` InboundRecord or OutboundRecord."""

    id = fields.Integer(metadata={"description": "unique within its direction"})
    direction = fields.String(metadata={"enum": list(DIRECTIONS)})
    tenant_id = fields.Integer(allow_none=True)
    channel = fields.String()
    address = fields.String()
    body = fields.String()
    time = fields.DateTime(metadata={"description": "received, or queued for outbound"})
    status = fields.String(
        allow_none=True,
        metadata={
            "enum": [*(status.value for status in OutboxStatus), None],
            "description": "delivery status of an outbound message; null inbound",
        },
    )
    in_reply_to = fields.Integer(
        allow_none=True, metadata={"description": "the inbound message an outbound one answers"}
    )
    sent_by_staff_id = fields.Integer(
        allow_none=True,
        metadata={"description": "the staff member who typed this reply, if one did"},
    )
    urgent = fields.Boolean(
        metadata={"description": "an inbound message for staff that sounds like danger"}
    )

    media = fields.List(
        fields.Nested(MediaFile),
        metadata={"description": "the files the tenant sent with it; empty for outbound"},
    )

    @pre_dump
    def either_way(
        self, shown: InboundRecord | OutboundRecord | WithFiles, **kwargs: Any
    ) -> dict[str, Any]:
        """The two kinds of row read as one: what an inbound message lacks is null."""
        message, files = shown if isinstance(shown, WithFiles) else (shown, ())
        common = {
            "media": list(files),
            "id": message.id,
            "tenant_id": message.tenant_id,
            "channel": message.channel,
            "address": message.address,
            "body": message.body,
        }
        if isinstance(message, InboundRecord):
            only_out = {"status": None, "in_reply_to": None, "sent_by_staff_id": None}
            inbound = {"direction": "in", "time": message.received_at, "urgent": message.urgent}
            return {**common, **inbound, **only_out}
        return {
            **common,
            "direction": "out",
            "urgent": False,
            "time": message.created_at,
            "status": message.status,
            "in_reply_to": message.in_reply_to,
            "sent_by_staff_id": message.sent_by_staff_id,
        }


MessagePage = page_of(Message)
