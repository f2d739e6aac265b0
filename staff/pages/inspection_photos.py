"""Console pages: a tenant's photo with their report.

A photo is kept with the report since doorstep keeps the files tenants send (the
report's page shows them from there, staff/pages/media.py), and this address sends
staff on to it. A report from before that holds only Telegram's file id, and its
photo is fetched from Telegram when asked; Telegram keeps files for a limited time,
so it may be gone (404), or Telegram may not answer (502): staff get a short page
saying which, never an error.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, url_for
from flask.typing import ResponseReturnValue

from channels.base import ChannelError, PermanentFailure
from models.inspections import IssueReport
from models.staff import StaffRole
from staff.auth import require_role
from staff.context import sessions, telegram
from staff.lookup import LARGEST_ID

blueprint = Blueprint("inspection_photos", __name__, url_prefix="/staff/inspections/reports")

IMAGE_KINDS = ((b"\xff\xd8", "image/jpeg", "jpg"), (b"\x89PNG", "image/png", "png"))
LARGEST_PHOTO = 20 * 1024 * 1024  # the most Telegram hands out


@blueprint.get("/<int:report_id>/photos/<int:number>")
@require_role(StaffRole.VIEWER)
def photo(report_id: int, number: int) -> ResponseReturnValue:
    with sessions()() as db:
        report = db.get(IssueReport, report_id) if report_id <= LARGEST_ID else None
        if report is None or not 1 <= number <= len(report.photo_ids):
            abort(404, f"There is no photo {number} with that tenant report.")
        file_id, reference = report.photo_ids[number - 1], report.reference
        kept = next((file.id for file in report.media if file.source == file_id), None)
    if kept is not None:
        return redirect(url_for("media.file", media_id=kept))
    if file_id.startswith("https://"):
        abort(404, "This photo came by MMS before doorstep kept tenants' files: it was not kept.")
    try:
        channel = telegram()
        if channel is None:
            abort(404, "Telegram is not set up here, so its photos cannot be fetched.")
        content = channel.fetch_media(file_id, max_bytes=LARGEST_PHOTO).content
    except PermanentFailure:
        abort(404, "Telegram no longer has this photo: it keeps files for a limited time.")
    except ChannelError:
        abort(502, "Telegram did not answer just now. Try again in a minute.")
    return photo_response(content, f"{reference}-photo-{number}")


def photo_response(content: bytes, name: str) -> Response:
    """The photo shown in the browser; anything that is not a known image, downloaded."""
    kind = next((kind for kind in IMAGE_KINDS if content.startswith(kind[0])), None)
    if kind is None:
        mimetype, disposition = "application/octet-stream", f'attachment; filename="{name}"'
    else:
        mimetype, disposition = kind[1], f'inline; filename="{name}.{kind[2]}"'
    return Response(
        content,
        mimetype=mimetype,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )
