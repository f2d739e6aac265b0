"""API resource: the staff inbox, where messages no flow could answer wait for a person.

A reply goes through the outbox on the channel the tenant wrote from, with the
same rules as the console: at most two texts on SMS, nothing to a tenant who
has opted out there. Replying does not close the item; marking it done does.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.outbox import CannotReply, queue_staff_reply
from models.console import inbox_item, tenant_names
from models.messages import InboundRecord, InboxState, OutboundRecord, inbox_items
from staff.api import inbox_schemas, message_schemas
from staff.api.common import Resource, api_role, paged, path_id, refusals
from staff.context import clock, sessions

blueprint = Resource("inbox", __name__, url_prefix="/inbox")

MESSAGE_ID = path_id("message_id")


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listInbox", responses=refusals(400))
@api_role("viewer")
@blueprint.input(inbox_schemas.InboxQuery, location="query")
@blueprint.output(inbox_schemas.InboxPage, description="a page of the inbox")
def list_inbox(query_data: dict[str, Any]) -> ResponseReturnValue:
    """Messages no flow could answer, newest first"""
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions()() as session:
        found, total = inbox_items(session, state=query_data["state"], limit=limit, offset=offset)
        names = tenant_names(session, (m.tenant_id for m in found))
    return paged([_item(m, names) for m in found], total=total, limit=limit, offset=offset)


@blueprint.post(f"/{MESSAGE_ID}/reply", endpoint="reply")
@blueprint.doc(operation_id="replyToInboxMessage", responses=refusals(400, 403, 404, 413, 422))
@api_role("officer")
@blueprint.input(inbox_schemas.Reply)
@blueprint.output(message_schemas.Message, status_code=201, description="the queued message")
def reply(message_id: int, json_data: dict[str, str]) -> tuple[OutboundRecord, int]:
    """Queue a reply on the channel the tenant wrote from (officer)

    422 when it cannot go: empty, longer than two texts on SMS, or the tenant has opted
    out on that channel. The item stays in the inbox.
    """
    with sessions().begin() as session:
        inbound = _in_inbox_or_404(session, message_id)
        try:
            queued = queue_staff_reply(
                session,
                inbound=inbound,
                text=json_data["text"],
                now=clock()(),
                staff_id=g.api_staff_id,
            )
        except CannotReply as exc:
            abort(422, str(exc))
        session.flush()
        return queued, 201


@blueprint.post(f"/{MESSAGE_ID}/done", endpoint="done")
@blueprint.doc(operation_id="markInboxMessageDone", responses=refusals(403, 404))
@api_role("officer")
@blueprint.output(inbox_schemas.InboxItem, description="the message, now done")
def done(message_id: int) -> ResponseReturnValue:
    """Take a message out of the open inbox (officer)"""
    with sessions().begin() as session:
        inbound = _in_inbox_or_404(session, message_id)
        inbound.inbox = InboxState.DONE
        return _item(inbound, tenant_names(session, [inbound.tenant_id]))


def _item(message: InboundRecord, names: dict[int, str | None]) -> dict[str, Any]:
    """What ``InboxItem`` reads: the message, and its tenant by name (names come in one query)."""
    tenant = message.tenant_id
    return {
        "message": message,
        "tenant": {"id": tenant, "name": names.get(tenant)} if tenant is not None else None,
    }


def _in_inbox_or_404(session: Session, message_id: int) -> InboundRecord:
    inbound = inbox_item(session, message_id)
    if inbound is None:
        abort(404, f"there is no message {message_id} in the inbox")
    return inbound
