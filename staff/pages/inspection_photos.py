"""Console pages: a tenant's photo with their report, fetched from Telegram when asked.

Only the Telegram file id is kept with a report; the photo itself stays with
Telegram, which keeps files for a limited time. So a photo may be gone (404), or
Telegram may not answer (502): staff get a short page saying which, never an error.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort
from flask.typing import ResponseReturnValue

from channels.base import ChannelError, PermanentFailure
from models.inspections import IssueReport
from models.staff import StaffRole
from staff.auth import require_role
from staff.context import sessions, telegram
from staff.lookup import LARGEST_ID

blueprint = Blueprint("inspection_photos", __name__, url_prefix="/staff/inspections/reports")

IMAGE_KINDS = ((b"\xff\xd8", "image/jpeg", "jpg"), (b"\x89PNG", "image/png", "png"))


@blueprint.get("/<int:report_id>/photos/<int:number>")
@require_role(StaffRole.VIEWER)
def photo(report_id: int, number: int) -> ResponseReturnValue:
    with sessions()() as db:
        report = db.get(IssueReport, report_id) if report_id <= LARGEST_ID else None
        if report is None or not 1 <= number <= len(report.photo_ids):
            abort(404, f"There is no photo {number} with that tenant report.")
        file_id, reference = report.photo_ids[number - 1], report.reference
    try:
        channel = telegram()
        if channel is None:
            abort(404, "Telegram is not set up here, so its photos cannot be fetched.")
        content = channel.download_photo(file_id)
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
