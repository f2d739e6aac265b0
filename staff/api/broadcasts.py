"""API resource: notices and broadcasts, volunteer-bank opportunities, delivery reports.

A broadcast is created as a draft; its preview gives the count by channel, each
language's segments and the estimated cost; sending queues it now or schedules it
(``send_at``, an ISO 8601 time with its offset). Officers write; an urgent notice,
which ignores the sending window, is for admins only (403 otherwise). Every action
goes through bot.broadcasts, exactly as the console's do.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, g, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot import broadcasts as steps
from bot import catalogue
from models.audiences import Audience
from models.audit import AuditAction
from models.broadcasts import (
    LONGEST_TEXT,
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    broadcasts_page,
    delivery_report,
    interested,
)
from models.staff import StaffRole, role_allows
from models.tenants import Role
from staff.api.audience_field import PARTS, audience_field, audience_json
from staff.api.common import (
    LARGEST_ID,
    api_role,
    flag_field,
    json_object,
    moment_field,
    paged,
    reachable_page,
)
from staff.audit_trail import note
from staff.context import clock, sessions, settings
from staff.shoppers import audience_shoppers_shown

blueprint = Blueprint("broadcasts", __name__)

BROADCAST_ID = f"<int(max={LARGEST_ID}):broadcast_id>"
NEW_FIELDS = frozenset({"kind", "texts", "audience", "topic", "urgent", "call_landlines"})
OPPORTUNITY_ROLES = (Role.VOLUNTEER_BANK.value,)  # an opportunity is for the volunteer bank
SEND_FIELDS = frozenset({"send_at"})
KINDS = tuple(kind.value for kind in BroadcastKind)
TOPICS = tuple(str(topic) for topic in steps.TOPICS)


@blueprint.get("/broadcasts", endpoint="list")
@api_role("viewer")
def list_broadcasts() -> ResponseReturnValue:
    limit, offset = reachable_page()
    with sessions()() as session:
        found, total = broadcasts_page(session, limit=limit, offset=offset)
        items = [broadcast_json(session, broadcast) for broadcast in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.post("/broadcasts", endpoint="create")
@api_role("officer")
def create_broadcast() -> ResponseReturnValue:
    body = json_object(allowed=NEW_FIELDS)
    for field in ("texts", "audience"):
        if field not in body:
            abort(400, f"{field}: required")
    kind = _choice(body, "kind", KINDS, default=BroadcastKind.NOTICE.value)
    topic = _choice(body, "topic", TOPICS, default="news")
    urgent = body.get("urgent", False)
    if not isinstance(urgent, bool):
        abort(400, "urgent: must be true or false")
    if urgent and not role_allows(g.api_staff_role, StaffRole.ADMIN):
        abort(403, "only an admin may send an urgent notice")
    call_landlines = flag_field(body, "call_landlines") if "call_landlines" in body else False
    texts = _texts(body["texts"])
    with sessions().begin() as session:
        audience = audience_field(
            session,
            body["audience"],
            parts=PARTS,
            default_roles=OPPORTUNITY_ROLES if kind == BroadcastKind.OPPORTUNITY else (),
        )
        try:
            broadcast = steps.draft(
                session,
                kind=kind,
                texts=texts,
                audience=audience,
                topic=topic,
                urgent=urgent,
                call_landlines=call_landlines,
                staff_id=g.api_staff_id,
                now=clock()(),
            )
        except steps.CannotBroadcast as problem:
            abort(422, str(problem))
        created = broadcast_json(session, broadcast)
    return created, 201, {"Location": url_for("api.broadcasts.one", broadcast_id=created["id"])}


@blueprint.get(f"/broadcasts/{BROADCAST_ID}", endpoint="one")
@api_role("viewer")
def one_broadcast(broadcast_id: int) -> ResponseReturnValue:
    with sessions().begin() as session:
        return broadcast_json(session, _broadcast_or_404(session, broadcast_id), volunteers=True)


@blueprint.get(f"/broadcasts/{BROADCAST_ID}/preview", endpoint="preview")
@api_role("viewer")
def preview_broadcast(broadcast_id: int) -> ResponseReturnValue:
    price = float(current_app.config.get("SMS_SEGMENT_PRICE", 0.04))
    with sessions()() as session:
        broadcast = _broadcast_or_404(session, broadcast_id)
        preview = steps.preview(session, broadcast, settings(), price)
    return {
        "recipients": preview.recipients,
        "by_channel": preview.by_channel,
        "sms_segments": preview.sms_segments,
        "cost": preview.cost,
        "currency": "GBP",
        "price_per_segment": price,
        "languages": [
            {
                "language": cost.language,
                "body": cost.body,
                "encoding": cost.encoding,
                "characters": cost.characters,
                "segments": cost.segments,
                "forcing_ucs2": list(cost.forcing_ucs2),
                "parts": list(cost.parts),
                "in_english": cost.in_english,
            }
            for cost in preview.languages
        ],
        "problems": list(preview.problems),
    }


@blueprint.post(f"/broadcasts/{BROADCAST_ID}/send", endpoint="send")
@api_role("officer")
def send_broadcast(broadcast_id: int) -> ResponseReturnValue:
    """Now, or at ``send_at`` when given."""
    body = json_object(allowed=SEND_FIELDS) if request.get_data() else {}
    send_at = moment_field(body["send_at"], "send_at") if body.get("send_at") is not None else None
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
        return broadcast_json(session, broadcast)


@blueprint.get(f"/broadcasts/{BROADCAST_ID}/report", endpoint="report")
@api_role("viewer")
def broadcast_report(broadcast_id: int) -> ResponseReturnValue:
    with sessions()() as session:
        return delivery_report(session, _broadcast_or_404(session, broadcast_id).id)


@blueprint.post(f"/broadcasts/{BROADCAST_ID}/resend-failed", endpoint="resend_failed")
@api_role("officer")
def resend_failed(broadcast_id: int) -> ResponseReturnValue:
    with sessions().begin() as session:
        broadcast = _broadcast_or_404(session, broadcast_id)
        _may_send(broadcast)
        try:
            queued = steps.resend_failed(session, broadcast, now=clock()(), settings=settings())
        except steps.CannotBroadcast as problem:
            abort(409, str(problem))
        note(
            session, AuditAction.BROADCAST_SENT, detail=f"broadcast {broadcast_id}: {queued} queued"
        )
        return {"queued": queued, "report": delivery_report(session, broadcast.id)}


# --- reading input -------------------------------------------------------------------------


def _choice(body: dict[str, Any], field: str, allowed: tuple[str, ...], *, default: str) -> str:
    value = body.get(field, default)
    if value not in allowed:
        abort(400, f"{field}: must be one of {', '.join(allowed)}")
    return str(value)


def _texts(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        abort(400, 'texts: must be an object of language code to text, such as {"en": "..."}')
    known = catalogue.languages()
    texts: dict[str, str] = {}
    for language, text in value.items():
        if language not in known:
            abort(
                400, f"texts: {str(language)[:8]!r} is not a language we have ({', '.join(known)})"
            )
        if not isinstance(text, str) or len(text) > LONGEST_TEXT:
            abort(400, f"texts.{language}: must be text of at most {LONGEST_TEXT} characters")
        if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\r\t" for ch in text):
            abort(400, f"texts.{language}: must not contain control characters")
        texts[language] = text
    return texts


# --- finding and showing them --------------------------------------------------------------


def _broadcast_or_404(session: Session, broadcast_id: int) -> Broadcast:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        abort(404, f"there is no broadcast {broadcast_id}")
    return broadcast


def _may_send(broadcast: Broadcast) -> None:
    if broadcast.urgent and not role_allows(g.api_staff_role, StaffRole.ADMIN):
        abort(403, "only an admin may send an urgent notice")


def _sendable_or_refuse(session: Session, broadcast_id: int) -> Broadcast:
    broadcast = _broadcast_or_404(session, broadcast_id)
    _may_send(broadcast)
    if broadcast.status == BroadcastStatus.SENT:
        abort(409, "this broadcast has been sent already")
    return broadcast


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def broadcast_json(
    session: Session, broadcast: Broadcast, *, volunteers: bool = False
) -> dict[str, Any]:
    audience = Audience.from_json(broadcast.audience)
    shown: dict[str, Any] = {
        "id": broadcast.id,
        "kind": broadcast.kind,
        "status": broadcast.status,
        "texts": dict(broadcast.texts),
        "audience": audience_json(session, audience, PARTS),
        "unmatched": list(broadcast.unmatched),
        "topic": broadcast.topic,
        "urgent": broadcast.urgent,
        "call_landlines": broadcast.call_landlines,
        "send_at": _time(broadcast.send_at),
        "sent_at": _time(broadcast.sent_at),
        "queued": broadcast.queued,
        "created_at": _time(broadcast.created_at),
        "report": delivery_report(session, broadcast.id),
    }
    if volunteers:
        offered = interested(session, broadcast.id)
        audience_shoppers_shown(session, audience, (v.tenant_id for v in offered))
        shown["volunteers"] = [
            {
                "tenant_id": v.tenant_id,
                "name": v.name,
                "channel": v.channel,
                "said_at": _time(v.said_at),
            }
            for v in offered
        ]
    return shown
