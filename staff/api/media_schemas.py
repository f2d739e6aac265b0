"""The media API's representation: a file a tenant sent with a message.

Its name is its name in the OpenAPI document. The bytes are fetched from ``url`` (the
media resource), so a list of messages never carries them.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import fields, pre_dump

from bot.messages import MediaKind
from models.media import Media, MediaStatus
from staff.api.common import Representation


class MediaFile(Representation):
    """A file as listed: read from a ``models.media`` Media row, without its bytes."""

    id = fields.Integer()
    kind = fields.String(metadata={"enum": [kind.value for kind in MediaKind]})
    content_type = fields.String(metadata={"description": "its MIME type, such as image/jpeg"})
    size = fields.Integer(
        allow_none=True,
        metadata={"description": "in bytes; null where the provider did not say, and not kept"},
    )
    status = fields.String(
        metadata={
            "enum": [status.value for status in MediaStatus],
            "description": "waiting: still being fetched from the provider; kept; too_big: over "
            "MEDIA_MAX_BYTES, not kept; lost: the provider no longer had it",
        }
    )
    filename = fields.String(allow_none=True, metadata={"description": "as the tenant named it"})
    url = fields.String(
        allow_none=True, metadata={"description": "where to fetch the bytes; null unless kept"}
    )

    @pre_dump
    def with_its_address(self, media: Media, **kwargs: Any) -> dict[str, Any]:
        kept = media.status == MediaStatus.KEPT
        return {
            "id": media.id,
            "kind": media.kind,
            "content_type": media.content_type,
            "size": media.size,
            "status": media.status,
            "filename": media.filename,
            "url": url_for("api.media.file", media_id=media.id) if kept else None,
        }
