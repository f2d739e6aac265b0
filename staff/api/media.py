"""API resource: the files tenants sent, by the ``url`` a message's ``media`` lists.

Each comes as its own type (an image/jpeg photo, an audio/ogg voice message); a type
a browser could run is sent as application/octet-stream, to download. A file sent
within a mystery-shop check-in is not there for a token whose owner may not see
shoppers (staff/media_files.py), as its message is not.
"""

from __future__ import annotations

from apiflask import FileSchema
from flask.typing import ResponseReturnValue

from staff.api.common import Resource, api_role, path_id, refusals
from staff.context import sessions
from staff.media_files import served

blueprint = Resource("media", __name__, url_prefix="/media")

MEDIA_ID = path_id("media_id")


@blueprint.get(f"/{MEDIA_ID}", endpoint="file")
@blueprint.doc(operation_id="getMediaFile", responses=refusals(404))
@api_role("viewer")
@blueprint.output(
    FileSchema(type="string", format="binary"),
    content_type="*/*",
    description="the file's bytes, as the content type its listing gives",
)
def media_file(media_id: int) -> ResponseReturnValue:
    """A file a tenant sent; 404 says why when it was not kept"""
    with sessions()() as session:
        return served(session, media_id)
