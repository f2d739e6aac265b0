"""Console pages: notices and broadcasts, and volunteer-bank opportunities.

Staff write a notice, see who it reaches, what each language costs and how a basic
phone shows it, then send it now or schedule it; the broadcast's page then shows
its live delivery report, the replies that came back and, for an opportunity, who
said YES. Every action goes through participation.broadcasts, as the API's do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from wtforms import SelectChoice, ValidationError

from bot import catalogue
from models.audiences import Audience, EmptyAudience
from models.audit import AuditAction
from models.broadcasts import (
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    UnreadableList,
    broadcasts_page,
    delivery_report,
    interested,
    replies_to,
    tenants_from_csv,
)
from models.console import all_areas, tenant_names
from models.staff import StaffRole
from models.tenants import Role
from participation import broadcasts as steps
from staff.audit_trail import note
from staff.auth import require_role
from staff.context import clock, sessions, settings, zone
from staff.lookup import or_404
from staff.pages.audiences import describe
from staff.pages.broadcast_forms import (
    TOPIC_LABELS,
    BroadcastForm,
    ScheduleForm,
    broadcast_form_class,
    channel_labels,
)
from staff.pages.common import PAGE_SIZE, last_page, page_number, use_time_filters
from staff.pages.inspection_forms import ConfirmForm, utc_from_local
from staff.shoppers import (
    ANSWERERS_WITHHELD,
    answerers_withheld,
    audience_shoppers_shown,
    may_see_shoppers,
)

blueprint = Blueprint("broadcasts", __name__, url_prefix="/staff/broadcasts")
use_time_filters(blueprint)

REFRESH_SECONDS = 15
QueueStep = Callable[..., int]  # participation.broadcasts.send or resend_failed
KIND_LABELS = {BroadcastKind.NOTICE: "Notice", BroadcastKind.OPPORTUNITY: "Opportunity"}


def segment_price() -> float:
    return float(current_app.config.get("SMS_SEGMENT_PRICE", 0.04))


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    page = page_number()
    with sessions()() as db:
        found, total = broadcasts_page(db, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        reports = {broadcast.id: delivery_report(db, broadcast.id) for broadcast in found}
        return render_template(
            "pages/broadcasts.html",
            broadcasts=found,
            reports=reports,
            kinds=KIND_LABELS,
            page=page,
            pages=last_page(total),
        )


@blueprint.route("/new", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def add() -> ResponseReturnValue:
    kind = request.values.get("kind", BroadcastKind.NOTICE)
    if kind not in tuple(BroadcastKind):
        abort(400, "kind must be notice or opportunity")
    with sessions().begin() as db:
        form = broadcast_form_class()(data=_defaults(kind))
        form.areas.choices = [SelectChoice(area.id, area.name) for area in all_areas(db)]
        form.roles.offer(may_see_shoppers(db))
        if not form.validate_on_submit():
            return _render_form(form, kind)
        if form.urgent.data and not current_user.may(StaffRole.ADMIN):
            abort(403, "Only an admin may send an urgent notice.")
        audience, unmatched = _audience(db, form)
        if audience is None:
            return _render_form(form, kind)
        try:
            broadcast = steps.draft(
                db,
                kind=kind,
                texts=form.texts(),
                audience=audience,
                topic=form.topic.data or "news",
                urgent=bool(form.urgent.data),
                staff_id=current_user.id,
                now=clock()(),
                unmatched=tuple(unmatched),
                call_landlines=bool(form.call_landlines.data),
            )
        except steps.CannotBroadcast as problem:
            form.text_en.errors = [*form.text_en.errors, str(problem)]
            return _render_form(form, kind)
        broadcast_id = broadcast.id
    flash("Saved as a draft. Check the count and the cost, then send or schedule it.", "info")
    return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id))


def _defaults(kind: str) -> dict[str, object]:
    if kind == BroadcastKind.OPPORTUNITY:
        return {"kind": kind, "roles": [Role.VOLUNTEER_BANK.value]}
    return {"kind": kind, "topic": "news"}


def _render_form(form: BroadcastForm, kind: str) -> ResponseReturnValue:
    page = render_template(
        "pages/broadcast_form.html",
        form=form,
        kind=kind,
        languages=catalogue.language_names(),
    )
    return page, 422 if form.errors else 200


def _audience(db: Session, form: BroadcastForm) -> tuple[Audience | None, list[str]]:
    """The audience the form names, or None with the reason put on the form."""
    tenant_ids: set[int] = set()
    unmatched: list[str] = []
    upload = form.tenants_csv.data
    if isinstance(upload, FileStorage) and upload.filename:
        try:
            tenant_ids, unmatched = tenants_from_csv(db, upload.read())
        except UnreadableList as problem:
            form.tenants_csv.errors = [str(problem)]
            return None, []
        if not tenant_ids:
            form.tenants_csv.errors = ["No row of the list matched a tenant."]
            return None, unmatched
    try:
        audience = Audience(
            everyone=bool(form.everyone.data),
            area_ids=frozenset(form.areas.data or ()),
            roles=frozenset(form.roles.data or ()),
            tenant_ids=frozenset(tenant_ids),
            channels=tuple(c for c in channel_labels() if c in (form.channels.data or ())),
        )
    except EmptyAudience as problem:
        form.everyone.errors = [f"{str(problem).capitalize()}."]
        return None, []
    return audience, unmatched


@blueprint.get("/<int:broadcast_id>")
@require_role(StaffRole.VIEWER)
def show(broadcast_id: int) -> str:
    with sessions().begin() as db:
        broadcast = or_404(db, Broadcast, broadcast_id, "broadcast")
        return _render_broadcast(db, broadcast)


def _render_broadcast(
    db: Session, broadcast: Broadcast, schedule_form: ScheduleForm | None = None
) -> str:
    sent = broadcast.status == BroadcastStatus.SENT
    preview = None if sent else steps.preview(db, broadcast, settings(), segment_price())
    return render_template(
        "pages/broadcast.html",
        broadcast=broadcast,
        kinds=KIND_LABELS,
        topics=TOPIC_LABELS,
        audience=_describe_audience(db, broadcast),
        preview=preview,
        costs=steps.language_costs(broadcast, settings()),
        price=segment_price(),
        report=delivery_report(db, broadcast.id) if sent else None,
        refresh=REFRESH_SECONDS if sent else None,
        **_who_answered(db, broadcast),
        language_names=dict(catalogue.language_names()),
        confirm_form=ConfirmForm(formdata=None),
        schedule_form=schedule_form or ScheduleForm(formdata=None),
        window=settings().sending_window.describe(),
    )


def _who_answered(db: Session, broadcast: Broadcast) -> dict[str, object]:
    """Who replied and who said YES: by name where this member may see them (noted when
    they are shoppers), else only how many, and why."""
    replies, volunteers = replies_to(db, broadcast.id), interested(db, broadcast.id)
    chosen = Audience.from_json(broadcast.audience)
    answered = [reply.tenant_id for reply in replies] + [v.tenant_id for v in volunteers]
    audience_shoppers_shown(db, chosen, answered)
    counted = {"volunteers": len(volunteers), "replies": len(replies)}
    if answerers_withheld(db, chosen):
        return {"replies": [], "volunteers": [], "counted": counted, "withheld": ANSWERERS_WITHHELD}
    names = tenant_names(db, (reply.tenant_id for reply in replies))
    return {
        "replies": replies,
        "names": names,
        "volunteers": volunteers,
        "counted": counted,
        "withheld": None,
    }


def _describe_audience(db: Session, broadcast: Broadcast) -> str:
    chosen = Audience.from_json(broadcast.audience)
    areas = {area.id: area.name for area in all_areas(db)}
    described = describe(chosen, areas, sees_shoppers=may_see_shoppers(db))
    if chosen.channels:
        labels = channel_labels()
        described += " (by " + " or ".join(labels.get(c, c) for c in chosen.channels) + ")"
    return described


def _may_send(broadcast: Broadcast) -> None:
    if broadcast.urgent and not current_user.may(StaffRole.ADMIN):
        abort(403, "Only an admin may send an urgent notice.")


@blueprint.post("/<int:broadcast_id>/send")
@require_role(StaffRole.OFFICER)
def send(broadcast_id: int) -> ResponseReturnValue:
    return _queue(
        broadcast_id, steps.send, "Queued {} messages. They go within the sending window."
    )


def _queue(broadcast_id: int, step: QueueStep, done: str) -> ResponseReturnValue:
    """Send or resend, after the confirm button; ``done`` says how many were queued."""
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form was out of date. Please try again.")
    with sessions().begin() as db:
        broadcast = or_404(db, Broadcast, broadcast_id, "broadcast")
        _may_send(broadcast)
        try:
            queued = step(db, broadcast, now=clock()(), settings=settings())
        except steps.CannotBroadcast as problem:
            abort(409, str(problem))
        note(db, AuditAction.BROADCAST_SENT, detail=f"broadcast {broadcast_id}: {queued} queued")
    flash(done.format(queued), "info")
    return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id))


@blueprint.post("/<int:broadcast_id>/schedule")
@require_role(StaffRole.OFFICER)
def schedule(broadcast_id: int) -> ResponseReturnValue:
    form = ScheduleForm()
    with sessions().begin() as db:
        broadcast = or_404(db, Broadcast, broadcast_id, "broadcast")
        _may_send(broadcast)
        send_at = _send_at(form)
        if send_at is None:
            return _render_broadcast(db, broadcast, form), 422
        try:
            steps.schedule_send(db, broadcast, send_at=send_at, now=clock()(), settings=settings())
        except steps.CannotBroadcast as problem:
            form.at.errors = [*form.at.errors, str(problem)]
            return _render_broadcast(db, broadcast, form), 422
        note(db, AuditAction.BROADCAST_SENT, detail=f"broadcast {broadcast_id}: scheduled")
    flash("Scheduled. It goes at that time, within the sending window.", "info")
    return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id))


def _send_at(form: ScheduleForm) -> datetime | None:
    if not form.validate_on_submit() or form.day.data is None or form.at.data is None:
        return None
    try:
        return utc_from_local(form.day.data, form.at.data, zone())
    except ValidationError as problem:
        form.at.errors = [*form.at.errors, str(problem)]
        return None


@blueprint.post("/<int:broadcast_id>/resend")
@require_role(StaffRole.OFFICER)
def resend(broadcast_id: int) -> ResponseReturnValue:
    return _queue(broadcast_id, steps.resend_failed, "Queued {} failed messages again.")


@blueprint.get("/<int:broadcast_id>/report.json")
@require_role(StaffRole.VIEWER)
def report(broadcast_id: int) -> ResponseReturnValue:
    """The delivery report alone, for a page that refreshes it without reloading."""
    with sessions()() as db:
        return delivery_report(db, or_404(db, Broadcast, broadcast_id, "broadcast").id)
