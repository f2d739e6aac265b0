"""API resource: the staff inbox, where messages no flow could answer wait for a person.

A reply goes through the outbox on the channel the tenant wrote from, with the
same rules as the console: at most two texts on SMS, nothing to a tenant who
has opted out there. Replying does not close the item; marking it done does.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, request
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.outbox import CannotReply, queue_staff_reply
from models.console import inbox_item, tenant_names
from models.messages import InboundMessage, InboxState, inbox_items
from staff.api.common import LARGEST_ID, api_role, json_object, paged, reachable_page, text_field
from staff.api.messages import message_json
from staff.context import clock, sessions

blueprint = Blueprint("inbox", __name__, url_prefix="/inbox")

MESSAGE_ID = f"<int(max={LARGEST_ID}):message_id>"
LONGEST_REPLY = 4096  # Telegram's limit; SMS replies are held to two texts besides
STATES = tuple(state.value for state in InboxState)


@blueprint.get("", endpoint="list")
@api_role("viewer")
def list_inbox() -> ResponseReturnValue:
    limit, offset = reachable_page()
    state = request.args.get("state", InboxState.OPEN)
    if state not in STATES:
        abort(400, f"state: must be one of {', '.join(STATES)}")
    with sessions()() as session:
        found, total = inbox_items(session, state=state, limit=limit, offset=offset)
        names = tenant_names(session, (m.tenant_id for m in found))
        items = [inbox_item_json(m, names) for m in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.post(f"/{MESSAGE_ID}/reply", endpoint="reply")
@api_role("officer")
def reply(message_id: int) -> ResponseReturnValue:
    body = json_object(allowed=frozenset({"text"}))
    if "text" not in body:
        abort(400, "text: required")
    text = text_field(body, "text", longest=LONGEST_REPLY, lines=True)
    with sessions().begin() as session:
        inbound = _in_inbox_or_404(session, message_id)
        try:
            queued = queue_staff_reply(
                session, inbound=inbound, text=text, now=clock()(), staff_id=g.api_staff_id
            )
        except CannotReply as exc:
            abort(422, str(exc))
        session.flush()
        return message_json(queued), 201


@blueprint.post(f"/{MESSAGE_ID}/done", endpoint="done")
@api_role("officer")
def done(message_id: int) -> ResponseReturnValue:
    with sessions().begin() as session:
        inbound = _in_inbox_or_404(session, message_id)
        inbound.inbox = InboxState.DONE
        return inbox_item_json(inbound, tenant_names(session, [inbound.tenant_id]))


def inbox_item_json(message: InboundMessage, names: dict[int, str | None]) -> dict[str, Any]:
    tenant = message.tenant_id
    return {
        "id": message.id,
        "tenant": {"id": tenant, "name": names.get(tenant)} if tenant is not None else None,
        "channel": message.channel,
        "address": message.address,
        "body": message.body,
        "received_at": message.received_at.isoformat(),
        "state": message.inbox,
    }


def _in_inbox_or_404(session: Session, message_id: int) -> InboundMessage:
    inbound = inbox_item(session, message_id)
    if inbound is None:
        abort(404, f"there is no message {message_id} in the inbox")
    return inbound
