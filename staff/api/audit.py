"""API resource: the audit log, for admins. The same lines and filters as the console page."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue

from models.audit import AuditFilter, audit_lines
from staff.api import audit_schemas
from staff.api.common import Resource, api_role, paged, refusals
from staff.context import sessions

blueprint = Resource("audit", __name__, url_prefix="/audit")


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listAuditLines", responses=refusals(400, 403))
@api_role("admin")
@blueprint.input(audit_schemas.AuditQuery, location="query")
@blueprint.output(audit_schemas.AuditLinePage, description="a page of lines")
def list_lines(query_data: dict[str, Any]) -> ResponseReturnValue:
    """The audit log (admin), newest first

    Staff actions that touch personal data or what tenants receive. staff_id is null for
    an action taken at the command line. No line holds a message body or a phone number.
    """
    limit, offset = query_data["limit"], query_data["offset"]
    wanted = AuditFilter(
        staff_id=query_data.get("staff_id"),
        action=query_data.get("action"),
        tenant_id=query_data.get("tenant_id"),
    )
    with sessions()() as session:
        lines, total = audit_lines(session, wanted, limit=limit, offset=offset)
        return paged(lines, total=total, limit=limit, offset=offset)
