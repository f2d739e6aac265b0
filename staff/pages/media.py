"""Console pages: the files tenants sent, shown or played wherever their message shows.

The bytes were fetched from the provider when the message came (scheduler/media_fetch.py)
and are served from the database here, to any web worker. The filters below are what
the templates' file macros (pages/_media_macros.html) need to describe a file.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint
from flask.typing import ResponseReturnValue

from bot.messages import MediaKind
from models.media import Media
from models.staff import StaffRole
from staff.auth import require_role
from staff.context import sessions
from staff.media_files import served, shown_as

blueprint = Blueprint("media", __name__, url_prefix="/staff/media")

KIND_LABELS: dict[str, str] = {
    MediaKind.PHOTO: "Photo",
    MediaKind.VOICE: "Voice message",
    MediaKind.AUDIO: "Sound recording",
    MediaKind.VIDEO: "Video",
    MediaKind.DOCUMENT: "File",
    MediaKind.STICKER: "Sticker",
    MediaKind.CONTACT: "Contact card",
}
MAP = "https://www.openstreetmap.org/"
MAP_ZOOM = 18  # a street, close enough to find a bin store


@blueprint.get("/<int:media_id>")
@require_role(StaffRole.VIEWER)
def file(media_id: int) -> ResponseReturnValue:
    with sessions()() as db:
        return served(db, media_id)


@blueprint.app_template_filter("file_label")
def file_label(found: Media) -> str:
    label = KIND_LABELS.get(found.kind, "File")
    return f"{label} {found.emoji}" if found.emoji else label


@blueprint.app_template_filter("file_shown_as")
def file_shown_as(found: Media) -> str:
    return shown_as(found)


@blueprint.app_template_filter("file_size")
def file_size(size: int | None) -> str:
    if size is None:
        return "size not known"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / (1024 * 1024):.1f} MB"


@blueprint.app_template_filter("map_link")
def map_link(pin: list[float] | tuple[float, float]) -> str:
    """OpenStreetMap at the pin, with a marker: any browser opens it, no account needed."""
    latitude, longitude = pin
    query = urlencode({"mlat": f"{latitude:.6f}", "mlon": f"{longitude:.6f}"})
    return f"{MAP}?{query}#map={MAP_ZOOM}/{latitude:.6f}/{longitude:.6f}"
