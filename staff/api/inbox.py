"""API resource: the staff inbox, where messages no flow could answer wait for a person.

A reply goes through the outbox on the channel the tenant wrote from, with the
same rules as the console: at most two texts on SMS, nothing to a tenant who
has opted out there. Replying does not close the item; marking it done does. Each item
carries what was sent back to it and by whom, whether staff replied, and whether it
sounds like danger (urgent items come first).
"""

from __future__ import annotations

from typing import Any

from flask import abort, g
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.outbox import CannotReply, queue_staff_reply
from models.console import inbox_item, tenant_names
from models.inbox import replies_sent
from models.media import media_by_message
from models.messages import InboundRecord, InboxState, OutboundRecord, inbox_items
from staff.api import inbox_schemas, message_schemas
from staff.api.common import Resource, api_role, paged, path_id, refusals
from staff.context import clock, sessions
from staff.shoppers import answered_broadcasts

blueprint = Resource("inbox", __name__, url_prefix="/inbox")

MESSAGE_ID = path_id("message_id")


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listInbox", responses=refusals(400))
@api_role("viewer")
@blueprint.input(inbox_schemas.InboxQuery, location="query")
@blueprint.output(inbox_schemas.InboxPage, description="a page of the inbox")
def list_inbox(query_data: dict[str, Any]) -> ResponseReturnValue:
    """Messages no flow could answer, urgent first, then newest first"""
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions().begin() as session:  # showing a shopper's reply to a broadcast is audited
        found, total = inbox_items(
            session,
            state=query_data["state"],
            replied=query_data.get("replied"),
            urgent=query_data.get("urgent"),
            limit=limit,
            offset=offset,
        )
        items = _items(session, found)
    return paged(items, total=total, limit=limit, offset=offset)


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
        return _items(session, [inbound])[0]


def _items(session: Session, messages: list[InboundRecord]) -> list[dict[str, Any]]:
    """What ``InboxItem`` reads: each message, its tenant by name, the replies sent to it
    and the broadcast it answers (each kind in one query for the whole page)."""
    names = tenant_names(session, (m.tenant_id for m in messages))
    replies = replies_sent(session, (m.id for m in messages))
    broadcasts = answered_broadcasts(session, messages)
    files = media_by_message(session, (m.id for m in messages))
    return [
        {
            "message": m,
            "tenant": {"id": m.tenant_id, "name": names.get(m.tenant_id)}
            if m.tenant_id is not None
            else None,
            "replies": replies[m.id],
            "replied": any(r.sent_by_staff_id is not None for r in replies[m.id]),
            "broadcast_id": broadcasts.get(m.id),
            "media": files.get(m.id, []),
        }
        for m in messages
    ]


def _in_inbox_or_404(session: Session, message_id: int) -> InboundRecord:
    inbound = inbox_item(session, message_id)
    if inbound is None:
        abort(404, f"there is no message {message_id} in the inbox")
    return inbound
