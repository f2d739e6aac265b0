"""Console pages: events and RSVPs. Book an event (or a monthly series), see who is
coming, print or download the sign-in sheet, call it off, and mark who came.

Booking, changing and cancelling go through participation.event_steps, so the tenants' messages
are queued in the same transaction as the change, exactly as when the API does it.
Times are typed and shown in the landlord's time zone and stored in UTC.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from models.audit import AuditAction
from models.console import all_areas
from models.events import (
    Answer,
    Event,
    EventDetails,
    EventsError,
    counts_for,
    events_page,
    invited_count,
    monthly_series,
    record_attendance,
    rsvps_for,
)
from models.on_behalf import OnBehalfError
from models.staff import StaffRole
from participation import event_steps, on_behalf
from staff.audit_trail import note
from staff.auth import require_role
from staff.context import clock, sessions, settings, zone
from staff.lookup import or_404
from staff.pages.audiences import describe
from staff.pages.common import csv_download, last_page, local_time, page_number, use_time_filters
from staff.pages.event_forms import KIND_LABELS, AttendanceForm, EventForm
from staff.pages.inspection_forms import ConfirmForm
from staff.pages.on_behalf_forms import SOURCE_LABELS, RsvpForTenantForm
from staff.pages.poll_lookup import tenant_named
from staff.shoppers import (
    ANSWERERS_WITHHELD,
    WHY_WITHHELD,
    answerers_withheld,
    audience_shoppers_shown,
    hidden_roles,
    may_see_shoppers,
)

blueprint = Blueprint("events", __name__, url_prefix="/staff/events")
use_time_filters(blueprint)

ANSWER_LABELS: dict[str, str] = {
    Answer.YES: "Coming",
    Answer.WAITING: "Waiting list",
    Answer.MAYBE: "Maybe",
    Answer.NO: "Not coming",
}
NO_NAME = "A tenant with no name yet"
NOT_YOURS_TO_MARK = f"You cannot mark who came here: {WHY_WITHHELD}."
NOT_YOURS_TO_ENTER = f"You cannot enter an answer for a tenant here: {WHY_WITHHELD}."
PAGE = 50


@blueprint.app_template_filter("event_kind")
def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@blueprint.app_template_filter("rsvp_answer")
def answer_label(answer: str) -> str:
    return ANSWER_LABELS.get(answer, answer)


@blueprint.app_template_filter("entry_source")
def source_label(source: str) -> str:
    """How an answer staff entered came: "by phone", "in person", "on paper"."""
    return SOURCE_LABELS.get(source, source).lower()


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    now, page = clock()(), page_number()
    with sessions()() as db:
        upcoming, _ = events_page(db, upcoming=True, now=now, limit=PAGE)
        past, total = events_page(db, upcoming=False, now=now, limit=PAGE, offset=(page - 1) * PAGE)
        counts = counts_for(db, [event.id for event in (*upcoming, *past)])
        return render_template(
            "pages/events.html",
            upcoming=upcoming,
            past=past,
            counts=counts,
            page=page,
            pages=last_page(total),
        )


def open_or_409(db: Session, event_id: int) -> Event:
    event = or_404(db, Event, event_id, "event")
    if not event.open:
        abort(409, "This event is cancelled and can no longer be changed.")
    return event


def render_form(form: EventForm, event: Event | None) -> ResponseReturnValue:
    page = render_template("pages/event_form.html", form=form, event=event, zone=zone().key)
    return page, 422 if form.errors else 200


def checked(form: EventForm, details: EventDetails | None, *, was: Event | None = None) -> bool:
    """Whether the typed event can be booked: still to come, and holding together."""
    if details is None:
        return False
    if (was is None or details.starts_at != was.starts_at) and details.starts_at <= clock()():
        form.at.errors = [*form.at.errors, "That time has passed. Choose a time still to come."]
        return False
    try:
        details.checked()
    except EventsError as problem:
        form.title.errors = [*form.title.errors, f"This does not hold together: {problem}."]
        return False
    return True


@blueprint.route("/new", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def add() -> ResponseReturnValue:
    now = clock()()
    with sessions().begin() as db:
        form = EventForm()
        form.offer(all_areas(db), sees_shoppers=may_see_shoppers(db))
        valid = form.validate_on_submit()
        details = form.details(zone()) if valid else None
        if not checked(form, details) or details is None:
            return render_form(form, None)
        try:
            occurrences = monthly_series(details, form.repeat_months.data or 1, zone())
        except EventsError as problem:
            form.repeat_months.errors = [*form.repeat_months.errors, f"{problem}."]
            return render_form(form, None)
        events = event_steps.create(
            db, occurrences, staff_id=current_user.id, now=now, settings=settings()
        )
        first, invited = events[0].id, invited_count(db, events[0].id)
    series = f" and {len(events) - 1} more, monthly" if len(events) > 1 else ""
    flash(f"Booked the event{series}. {invited} tenants are invited.", "info")
    return redirect(url_for("events.show", event_id=first))


@blueprint.route("/<int:event_id>/edit", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def edit(event_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        event = open_or_409(db, event_id)
        form = EventForm.for_event(event, zone()) if request.method == "GET" else EventForm()
        sees = may_see_shoppers(db)
        form.offer(all_areas(db), sees_shoppers=sees)
        form.kept_audience = event.audience if event.audience.tenant_ids else None
        form.kept_roles = event.audience.roles & hidden_roles(sees)
        del form.repeat_months  # a series is booked once; each event is changed on its own
        valid = form.validate_on_submit()
        details = form.details(zone()) if valid else None
        if not checked(form, details, was=event) or details is None:
            return render_form(form, event)
        told = event_steps.change(db, event, details, now=clock()(), settings=settings())
    flash(
        "Saved the event." + (f" {told} tenants will hear of the change." if told else ""), "info"
    )
    return redirect(url_for("events.show", event_id=event_id))


@blueprint.route("/<int:event_id>/cancel", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def cancel(event_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    with sessions().begin() as db:
        event = open_or_409(db, event_id)
        if not form.validate_on_submit():
            counts = counts_for(db, [event.id])[event.id]
            return render_template(
                "pages/event_cancel.html", event=event, counts=counts, form=form
            ), (400 if request.method == "POST" else 200)
        told = event_steps.cancel(db, event, now=clock()(), settings=settings())
    flash(f"Cancelled the event. {told} tenants will be told it is off.", "info")
    return redirect(url_for("events.show", event_id=event_id))


@blueprint.get("/<int:event_id>")
@require_role(StaffRole.VIEWER)
def show(event_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        return render_event(db, or_404(db, Event, event_id, "event"))


def render_event(
    db: Session, event: Event, *, entry: RsvpForTenantForm | None = None, status: int = 200
) -> ResponseReturnValue:
    withheld = answerers_withheld(db, event.audience)  # then the counts alone
    rsvps = [] if withheld else rsvps_for(db, event.id)
    form = AttendanceForm(formdata=None)
    form.came.choices = [(rsvp.tenant_id, rsvp.tenant.name or NO_NAME) for rsvp in rsvps]
    form.came.data = [rsvp.tenant_id for rsvp in rsvps if rsvp.attended]
    areas = {area.id: area.name for area in all_areas(db)}
    audience_shoppers_shown(db, event.audience, (rsvp.tenant_id for rsvp in rsvps))
    page = render_template(
        "pages/event.html",
        event=event,
        audience=describe(event.audience, areas, sees_shoppers=may_see_shoppers(db)),
        rsvps=rsvps,
        counts=counts_for(db, [event.id])[event.id],
        invited=invited_count(db, event.id),
        attendance=form,
        entry=entry or RsvpForTenantForm(formdata=None),
        answers_open=event.open and not event.answers_closed(clock()()),
        started=event.starts_at <= clock()(),
        no_name=NO_NAME,
        withheld=ANSWERERS_WITHHELD if withheld else None,
    )
    return page, status


@blueprint.post("/<int:event_id>/answers")
@require_role(StaffRole.OFFICER)
def answer_for_tenant(event_id: int) -> ResponseReturnValue:
    """An answer a tenant gave by phone, on paper or in person; it counts as their own."""
    with sessions().begin() as db:
        event = or_404(db, Event, event_id, "event")
        if answerers_withheld(db, event.audience):  # whether it replaced one says who answered
            abort(403, NOT_YOURS_TO_ENTER)
        if not event.open or event.answers_closed(clock()()):
            abort(409, "Answers for this event are closed.")
        form = RsvpForTenantForm()
        if not form.validate_on_submit():
            return render_event(db, event, entry=form, status=422)
        tenant = tenant_named(db, form.tenant.data or "")
        if tenant is None:
            form.tenant.errors = ["No tenant has that phone number or tenant number."]
            return render_event(db, event, entry=form, status=422)
        try:
            result = on_behalf.rsvp_for_tenant(
                db,
                event,
                tenant,
                answer=form.answer.data or "",
                party=form.party.data or 1,
                source=form.source.data or "",
                staff_id=current_user.id,
                now=clock()(),
                settings=settings(),
            )
        except (OnBehalfError, EventsError) as refused:
            form.answer.errors = [f"{str(refused).capitalize()}."]
            return render_event(db, event, entry=form, status=409)
        said = f"event {event.id}: {result.rsvp.answer}, {result.rsvp.channel}"
        note(db, AuditAction.ENTERED_FOR_TENANT, tenant_id=tenant.id, detail=said)
        name, answer = tenant.name or "the tenant", answer_label(result.rsvp.answer).lower()
    flash(f"Recorded for {name}: {answer}.", "info")
    return redirect(url_for("events.show", event_id=event_id, _anchor="rsvps"))


@blueprint.post("/<int:event_id>/attendance")
@require_role(StaffRole.OFFICER)
def attendance(event_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        event = or_404(db, Event, event_id, "event")
        if answerers_withheld(db, event.audience):  # what it accepts would say who answered
            abort(403, NOT_YOURS_TO_MARK)
        if event.starts_at > clock()():
            abort(409, "The event has not started yet: mark who came once it has.")
        rsvps = rsvps_for(db, event.id)
        form = AttendanceForm()
        form.came.choices = [(rsvp.tenant_id, rsvp.tenant.name or NO_NAME) for rsvp in rsvps]
        if not form.validate_on_submit():
            abort(400, "The form was incomplete; reload the page and try again.")
        came = set(form.came.data or ())
        record_attendance(db, event, sorted(came), attended=True)
        others = [rsvp.tenant_id for rsvp in rsvps if rsvp.tenant_id not in came]
        record_attendance(db, event, others, attended=False)
    flash(f"Saved: {len(came)} came.", "info")
    return redirect(url_for("events.show", event_id=event_id, _anchor="attendance"))


def _sign_in_rows(db: Session, event: Event) -> list[tuple[str, str, int, str]]:
    """Those coming, then the waiting list and maybes: name, phone, party, answer.

    A sheet is nothing but names, so where they may not be shown it is refused, and where
    they are shown as shoppers the audit log says so."""
    if answerers_withheld(db, event.audience):
        abort(403, ANSWERERS_WITHHELD)
    rsvps = [rsvp for rsvp in rsvps_for(db, event.id) if rsvp.answer != Answer.NO]
    audience_shoppers_shown(db, event.audience, (rsvp.tenant_id for rsvp in rsvps))
    return [
        (
            rsvp.tenant.name or NO_NAME,
            rsvp.tenant.phone or "",
            rsvp.party,
            answer_label(rsvp.answer),
        )
        for rsvp in rsvps
    ]


@blueprint.get("/<int:event_id>/sign-in.csv")
@require_role(StaffRole.VIEWER)
def sign_in_csv(event_id: int) -> Response:
    with sessions().begin() as db:
        event = or_404(db, Event, event_id, "event")
        rows = [(*row, "") for row in _sign_in_rows(db, event)]
        when = local_time(event.starts_at)
    return csv_download(
        f"event-{event_id}-sign-in.csv",
        ["name", "phone", "party", "answer", f"signed in ({when})"],
        rows,
    )


@blueprint.get("/<int:event_id>/sign-in")
@require_role(StaffRole.VIEWER)
def sign_in_sheet(event_id: int) -> str:
    with sessions().begin() as db:
        event = or_404(db, Event, event_id, "event")
        return render_template(
            "pages/event_sign_in.html", event=event, rows=_sign_in_rows(db, event)
        )
