"""API resource: a tenant's messages, both ways, on every channel, as one thread.

Inbound and outbound rows are numbered separately, so a message is known by its
direction and id together. Outbound messages carry their delivery status. The messages
that would say a tenant is a mystery shopper (models.mystery_shopping) are left out for
a token whose owner may not see shoppers, and from the total too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.typing import ResponseReturnValue

from models.messages import InboundMessage, OutboundMessage, tenant_messages
from models.mystery_shopping import messages_naming_a_shopper
from staff.api.common import api_role, paged, reachable_page
from staff.api.tenants import TENANT_ID, tenant_or_404
from staff.context import sessions
from staff.shoppers import may_see_shoppers, shoppers_shown

blueprint = Blueprint("messages", __name__)


@blueprint.get(f"/tenants/{TENANT_ID}/messages", endpoint="list")
@api_role("viewer")
def list_messages(tenant_id: int) -> ResponseReturnValue:
    limit, offset = reachable_page()
    with sessions().begin() as session:
        tenant_or_404(session, tenant_id)
        sees = may_see_shoppers(session)
        naming = messages_naming_a_shopper(session, tenant_id)
        found, total = tenant_messages(
            session, tenant_id, limit=limit, offset=offset, withheld=None if sees else naming
        )
        if sees and naming is not None:
            shoppers_shown(session, [tenant_id])
        return paged([message_json(m) for m in found], total=total, limit=limit, offset=offset)


def message_json(message: InboundMessage | OutboundMessage) -> dict[str, Any]:
    if isinstance(message, InboundMessage):
        time, status, in_reply_to, staff_id = message.received_at, None, None, None
    else:
        time, status = message.created_at, message.status
        in_reply_to, staff_id = message.in_reply_to, message.sent_by_staff_id
    return {
        "id": message.id,
        "direction": "in" if isinstance(message, InboundMessage) else "out",
        "tenant_id": message.tenant_id,
        "channel": message.channel,
        "address": message.address,
        "body": message.body,
        "time": time.isoformat(),
        "status": status,
        "in_reply_to": in_reply_to,
        "sent_by_staff_id": staff_id,
    }
