"""A file a tenant sent, served to staff: by the console and by the API alike.

A file is shown only where its message is: one sent within a mystery-shop check-in is
not there at all for staff an admin has not let see shoppers (staff/shoppers.py), since
a voice or a face would say who shops for us. What the browser may show in the page
is an image, a recording or a video of a known safe type; anything else comes as a
download that the browser is told not to open or guess at.
"""

from __future__ import annotations

from io import BytesIO
from mimetypes import guess_extension

from flask import Response, abort, send_file
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.media import Media, MediaStatus, with_content
from models.messages import InboundRecord
from models.mystery_shopping import messages_naming_a_shopper
from staff.lookup import LARGEST_ID
from staff.shoppers import may_see_shoppers

SHOWN_INLINE = frozenset(
    {
        "image/jpeg", "image/png", "image/gif", "image/webp",
        "audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/wav", "audio/webm",
        "video/mp4", "video/webm", "video/ogg", "video/quicktime",
    }
)  # fmt: skip
NOT_KEPT = {
    MediaStatus.WAITING: "This file is still being fetched from the tenant's app or phone "
    "company. Try again in a minute.",
    MediaStatus.TOO_BIG: "This file was too big to keep, so the tenant was asked to put it "
    "in words.",
    MediaStatus.LOST: "This file could not be fetched, so the tenant was asked to send it "
    "again or put it in words.",
}


def served(session: Session, media_id: int) -> Response:
    """The file's bytes, or a 404 that says why there are none."""
    found = with_content(session, media_id) if media_id <= LARGEST_ID else None
    if found is None or _withheld(session, found):
        abort(404, f"There is no file number {media_id}.")
    if found.status != MediaStatus.KEPT or found.content is None:
        abort(404, NOT_KEPT.get(MediaStatus(found.status), "This file was not kept."))
    return _response(found, found.content)


def _withheld(session: Session, found: Media) -> bool:
    """Whether the file's message is one this reader may not see (it names a shopper)."""
    if may_see_shoppers(session):
        return False
    tenant_id = session.scalar(
        select(InboundRecord.tenant_id).where(InboundRecord.id == found.message_id)
    )
    naming = messages_naming_a_shopper(session, tenant_id) if tenant_id else None
    if naming is None:
        return False
    withheld = select(InboundRecord.id).where(
        InboundRecord.id == found.message_id, InboundRecord.id.in_(naming.received)
    )
    return session.scalar(withheld) is not None


def _response(found: Media, content: bytes) -> Response:
    inline = found.content_type in SHOWN_INLINE
    response = send_file(
        BytesIO(content),
        mimetype=found.content_type if inline else "application/octet-stream",
        as_attachment=not inline,
        download_name=f"{found.kind}-{found.id}{guess_extension(found.content_type) or ''}",
        conditional=True,  # ranges, so a recording or video can be skipped through
        etag=False,
    )
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def shown_as(found: Media) -> str:
    """How a page shows the file: an image, a player, or a link to download it."""
    if found.content_type not in SHOWN_INLINE:
        return "download"
    return found.content_type.split("/", 1)[0]  # image, audio or video
