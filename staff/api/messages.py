"""API resource: a tenant's messages, both ways, on every channel, as one thread.

Inbound and outbound rows are numbered separately, so a message is known by its
direction and id together. Outbound messages carry their delivery status. The messages
that would say a tenant is a mystery shopper (models.mystery_shopping) are left out for
a token whose owner may not see shoppers, and from the total too.
"""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from models.media import media_by_message
from models.messages import InboundRecord, tenant_messages
from models.mystery_shopping import messages_naming_a_shopper
from models.tenants import Tenant
from staff.api import message_schemas
from staff.api.common import Page, Resource, api_role, paged, refusals
from staff.api.message_schemas import WithFiles
from staff.api.tenants import TENANT_ID
from staff.context import sessions
from staff.lookup import or_404
from staff.shoppers import may_see_shoppers, shoppers_shown

blueprint = Resource("messages", __name__, url_prefix="/tenants")


@blueprint.get(f"/{TENANT_ID}/messages", endpoint="list")
@blueprint.doc(operation_id="listTenantMessages", responses=refusals(400, 404))
@api_role("viewer")
@blueprint.input(Page, location="query")
@blueprint.output(message_schemas.MessagePage, description="a page of messages")
def list_messages(tenant_id: int, query_data: dict[str, int]) -> ResponseReturnValue:
    """The tenant's messages both ways on every channel, oldest first

    Unless an admin let the token's owner see mystery shoppers, the messages that would
    say the tenant is one (the check-in, its invitations, MENU and JOIN) are left out,
    and not counted.
    """
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions().begin() as session:
        or_404(session, Tenant, tenant_id, "tenant")
        sees = may_see_shoppers(session)
        naming = messages_naming_a_shopper(session, tenant_id)
        found, total = tenant_messages(
            session, tenant_id, limit=limit, offset=offset, withheld=None if sees else naming
        )
        if sees and naming is not None:
            shoppers_shown(session, [tenant_id])
        files = media_by_message(session, (m.id for m in found if isinstance(m, InboundRecord)))
        shown = [
            WithFiles(m, files.get(m.id, [])) if isinstance(m, InboundRecord) else m for m in found
        ]
        return paged(shown, total=total, limit=limit, offset=offset)
