"""API resource: notices and broadcasts, volunteer-bank opportunities, delivery reports.

A broadcast is created as a draft; its preview gives the count by channel, each
language's segments and the estimated cost; sending queues it now or schedules it
(``send_at``, an ISO 8601 time with its offset). Officers write; an urgent notice,
which ignores the sending window, is for admins only (403 otherwise). Every action
goes through participation.broadcasts, exactly as the console's do.

Who said YES to one picked by a role the token's owner may not see (mystery shoppers,
without the admin's leave: staff.shoppers) is counted, not listed.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, g, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from models.audiences import Audience
from models.audit import AuditAction
from models.broadcasts import (
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    broadcasts_page,
    delivery_report,
    interested,
)
from models.staff import StaffRole, role_allows
from models.tenants import Role
from participation import broadcasts as steps
from staff.api import broadcast_schemas
from staff.api.audience_field import as_seen, chosen_audience
from staff.api.common import Created, Page, Resource, api_role, paged, path_id, refusals, utc_or_422
from staff.audit_trail import note
from staff.context import clock, sessions, settings
from staff.lookup import or_404
from staff.shoppers import answerers_withheld, audience_shoppers_shown

blueprint = Resource("broadcasts", __name__, url_prefix="/broadcasts")

BROADCAST_ID = path_id("broadcast_id")
OPPORTUNITY_ROLES = (Role.VOLUNTEER_BANK.value,)  # an opportunity is for the volunteer bank


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listBroadcasts", responses=refusals(400))
@api_role("viewer")
@blueprint.input(Page, location="query")
@blueprint.output(broadcast_schemas.BroadcastPage, description="a page of broadcasts")
def list_broadcasts(query_data: dict[str, int]) -> ResponseReturnValue:
    """Broadcasts, newest first, each with its delivery report; paged"""
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions()() as session:
        found, total = broadcasts_page(session, limit=limit, offset=offset)
        items = [_shown(session, broadcast) for broadcast in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.post("", endpoint="create")
@blueprint.doc(operation_id="createBroadcast", responses=refusals(400, 403, 413, 422))
@api_role("officer")
@blueprint.input(broadcast_schemas.NewBroadcast)
@blueprint.output(
    broadcast_schemas.Broadcast, status_code=201, description="saved", headers=Created
)
def create_broadcast(json_data: dict[str, Any]) -> ResponseReturnValue:
    """Save a notice or an opportunity as a draft (officer; urgent: admin)

    Nothing is sent yet. Pasted curly quotes, dashes and odd spaces are replaced by
    their GSM-7 twins. A tenant gets the text in their language if written, else
    English. An opportunity with no audience chosen goes to the volunteer bank, and
    ends 'Reply YES if you can help.'. 403 for an urgent notice from anyone but an
    admin; 422 for an empty audience or no English text.
    """
    kind = json_data["kind"]
    if json_data["urgent"] and not role_allows(g.api_staff_role, StaffRole.ADMIN):
        abort(403, "only an admin may send an urgent notice")
    with sessions().begin() as session:
        audience = chosen_audience(
            session,
            json_data["audience"],
            default_roles=OPPORTUNITY_ROLES if kind == BroadcastKind.OPPORTUNITY else (),
        )
        try:
            broadcast = steps.draft(
                session,
                kind=kind,
                texts=json_data["texts"],
                audience=audience,
                topic=json_data["topic"],
                urgent=json_data["urgent"],
                call_landlines=json_data["call_landlines"],
                staff_id=g.api_staff_id,
                now=clock()(),
            )
        except steps.CannotBroadcast as problem:
            abort(422, str(problem))
        created = _shown(session, broadcast)
        where = url_for("api.broadcasts.one", broadcast_id=broadcast.id)
    return created, 201, {"Location": where}


@blueprint.get(f"/{BROADCAST_ID}", endpoint="one")
@blueprint.doc(operation_id="getBroadcast", responses=refusals(404))
@api_role("viewer")
@blueprint.output(broadcast_schemas.Broadcast, description="the broadcast")
def one_broadcast(broadcast_id: int) -> ResponseReturnValue:
    """One broadcast with its report and, for an opportunity, who said YES

    Only how many said YES, with answerers_withheld true, for one picked by a role the
    token's owner may not see.
    """
    with sessions().begin() as session:  # showing who said YES may leave an audit line
        broadcast = or_404(session, Broadcast, broadcast_id, "broadcast")
        offered = interested(session, broadcast.id)
        audience = Audience.from_json(broadcast.audience)
        audience_shoppers_shown(session, audience, (v.tenant_id for v in offered))
        withheld = answerers_withheld(session, audience)
        return {
            **_shown(session, broadcast),
            "volunteers": [] if withheld else offered,
            "volunteer_count": len(offered),
            "answerers_withheld": withheld,
        }


@blueprint.get(f"/{BROADCAST_ID}/preview", endpoint="preview")
@blueprint.doc(operation_id="previewBroadcast", responses=refusals(404))
@api_role("viewer")
@blueprint.output(broadcast_schemas.BroadcastPreview, description="the preview")
def preview_broadcast(broadcast_id: int) -> ResponseReturnValue:
    """Recipients by channel, segments per language, estimated cost

    Each language as a basic phone gets it, split where the segments break, with the
    characters that still force UCS-2. 'problems' says why it cannot be sent as it is
    (more than 2 segments).
    """
    price = float(current_app.config.get("SMS_SEGMENT_PRICE", 0.04))
    with sessions()() as session:
        broadcast = or_404(session, Broadcast, broadcast_id, "broadcast")
        preview = steps.preview(session, broadcast, settings(), price)
    return {"preview": preview, "price_per_segment": price}


@blueprint.post(f"/{BROADCAST_ID}/send", endpoint="send")
@blueprint.doc(operation_id="sendBroadcast", responses=refusals(400, 403, 404, 409, 413, 422))
@api_role("officer")
@blueprint.input(broadcast_schemas.SendBroadcast, optional=True)
@blueprint.output(broadcast_schemas.Broadcast, description="queued or scheduled")
def send_broadcast(broadcast_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
    """Send now, or at send_at (officer; an urgent one: admin)

    Queued notices wait for the sending window (09:00-20:00 UK time, not on Scottish
    bank holidays) unless urgent; opt-outs are checked as each goes. No body, or no
    send_at, sends now. 409 if sent already; 422 for a text over 2 segments or a time
    without a zone or in the past.
    """
    send_at = json_data.get("send_at")
    if send_at is not None:
        send_at = utc_or_422(send_at, "send_at")
    now = clock()()
    with sessions().begin() as session:
        broadcast = _sendable_or_refuse(session, broadcast_id)
        try:
            if send_at is None:
                queued = steps.send(session, broadcast, now=now, settings=settings())
                sent = f"broadcast {broadcast_id}: {queued} queued"
            else:
                sent = f"broadcast {broadcast_id}: scheduled"
                steps.schedule_send(
                    session, broadcast, send_at=send_at, now=now, settings=settings()
                )
        except steps.CannotBroadcast as problem:
            abort(422, str(problem))
        note(session, AuditAction.BROADCAST_SENT, detail=sent)
        return _shown(session, broadcast)


@blueprint.get(f"/{BROADCAST_ID}/report", endpoint="report")
@blueprint.doc(operation_id="getBroadcastReport", responses=refusals(404))
@api_role("viewer")
@blueprint.output(broadcast_schemas.DeliveryReport, description="the counts")
def broadcast_report(broadcast_id: int) -> ResponseReturnValue:
    """The live delivery report"""
    with sessions()() as session:
        return delivery_report(session, or_404(session, Broadcast, broadcast_id, "broadcast").id)


@blueprint.post(f"/{BROADCAST_ID}/resend-failed", endpoint="resend_failed")
@blueprint.doc(operation_id="resendFailedBroadcast", responses=refusals(403, 404, 409))
@api_role("officer")
@blueprint.output(broadcast_schemas.Resent, description="queued again")
def resend_failed(broadcast_id: int) -> ResponseReturnValue:
    """Queue again only the messages that failed (officer)"""
    with sessions().begin() as session:
        broadcast = or_404(session, Broadcast, broadcast_id, "broadcast")
        _may_send(broadcast)
        try:
            queued = steps.resend_failed(session, broadcast, now=clock()(), settings=settings())
        except steps.CannotBroadcast as problem:
            abort(409, str(problem))
        note(
            session, AuditAction.BROADCAST_SENT, detail=f"broadcast {broadcast_id}: {queued} queued"
        )
        return {"queued": queued, "report": delivery_report(session, broadcast.id)}


# --- finding and showing them --------------------------------------------------------------


def _may_send(broadcast: Broadcast) -> None:
    if broadcast.urgent and not role_allows(g.api_staff_role, StaffRole.ADMIN):
        abort(403, "only an admin may send an urgent notice")


def _sendable_or_refuse(session: Session, broadcast_id: int) -> Broadcast:
    broadcast = or_404(session, Broadcast, broadcast_id, "broadcast")
    _may_send(broadcast)
    if broadcast.status == BroadcastStatus.SENT:
        abort(409, "this broadcast has been sent already")
    return broadcast


def _shown(session: Session, broadcast: Broadcast) -> dict[str, Any]:
    """The broadcast with what its schema cannot read from the row: its audience as the
    token's owner may see it, and how its messages stand now."""
    return {
        "broadcast": broadcast,
        "audience": as_seen(session, Audience.from_json(broadcast.audience)),
        "report": delivery_report(session, broadcast.id),
    }
