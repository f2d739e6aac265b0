"""The audit log API's representations: which lines to read, and a line as shown.

Each class's name is its name in the OpenAPI document. No line holds a message
body or a phone number (models.audit), so a line is shown whole.
"""

from __future__ import annotations

from marshmallow import fields, validate

from models.audit import AuditAction, Via
from staff.api.common import Page, QueryId, Representation, page_of

ACTIONS = tuple(action.value for action in AuditAction)
LONGEST_DETAIL = 200  # the column's


class AuditQuery(Page):
    """Which lines to read: any of a staff member's, an action's and a tenant's."""

    staff_id = QueryId()
    tenant_id = QueryId()
    action = fields.String(
        validate=validate.OneOf(ACTIONS, error=f"must be one of: {', '.join(ACTIONS)}")
    )


class AuditLine(Representation):
    """A line as shown: read from ``models.audit.AuditEntry``."""

    id = fields.Integer()
    at = fields.DateTime()
    staff_id = fields.Integer(
        allow_none=True, metadata={"description": "null for an action taken at the command line"}
    )
    action = fields.String(metadata={"enum": list(ACTIONS)})
    via = fields.String(metadata={"enum": [via.value for via in Via]})
    tenant_id = fields.Integer(allow_none=True)
    detail = fields.String(metadata={"maxLength": LONGEST_DETAIL})


AuditLinePage = page_of(AuditLine)
