"""API resource: the audit log, for admins. The same lines and filters as the console page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request
from flask.typing import ResponseReturnValue

from models.audit import AuditAction, AuditEntry, AuditFilter, audit_lines
from staff.api.common import LARGEST_ID, api_role, paged, reachable_page
from staff.context import sessions

blueprint = Blueprint("audit", __name__, url_prefix="/audit")
ACTIONS = tuple(action.value for action in AuditAction)


@blueprint.get("", endpoint="list")
@api_role("admin")
def list_lines() -> ResponseReturnValue:
    limit, offset = reachable_page()
    wanted = AuditFilter(
        staff_id=_id_argument("staff_id"),
        action=_action_argument(),
        tenant_id=_id_argument("tenant_id"),
    )
    with sessions()() as session:
        lines, total = audit_lines(session, wanted, limit=limit, offset=offset)
        return paged([line_json(line) for line in lines], total=total, limit=limit, offset=offset)


def _id_argument(name: str) -> int | None:
    given = request.args.get(name)
    if given is None:
        return None
    if not given.isdigit() or not 1 <= int(given) <= LARGEST_ID:
        abort(400, f"{name} must be a whole number from 1 to {LARGEST_ID}")
    return int(given)


def _action_argument() -> str | None:
    given = request.args.get("action")
    if given is not None and given not in ACTIONS:
        abort(400, f"action must be one of: {', '.join(ACTIONS)}")
    return given


def line_json(line: AuditEntry) -> dict[str, Any]:
    return {
        "id": line.id,
        "at": line.at.isoformat(),
        "staff_id": line.staff_id,
        "action": line.action,
        "via": line.via,
        "tenant_id": line.tenant_id,
        "detail": line.detail,
    }
