"""Console pages: tenants. Find them, read what they said, fix their details, import them.

Everything a tenant typed (names, estates, messages) is shown as text and never
as markup; Jinja escapes it, and CSV cells that look like formulas are defused.
Who shops for us is shown only to staff an admin let see it (staff.shoppers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import Session
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from bot.catalogue import language_names, languages
from bot.presentation import Trait, UnknownChannel, has, presentation_of
from models.audit import AuditAction
from models.consent import Topic, consent_history, topics_of
from models.console import all_areas, current_consents, matching_tenants, staff_emails
from models.media import Media, media_by_message
from models.messages import (
    InboundRecord,
    InboxState,
    OutboundRecord,
    OutboxStatus,
    tenant_messages,
)
from models.mystery_shopping import SHOPPER_ROLE, messages_naming_a_shopper
from models.staff import StaffRole
from models.tenant_import import BadImportFile, import_tenants
from models.tenants import Area, Role, Tenant, keep_phone_identities, search_tenants
from participation.topic_choices import change_topics, described
from staff.audit_trail import acting, note
from staff.auth import require_role
from staff.context import sessions
from staff.lookup import LARGEST_ID, or_404
from staff.pages.common import (
    PAGE_SIZE,
    CheckboxList,
    csv_download,
    last_page,
    page_number,
    tidy,
    use_time_filters,
)
from staff.shoppers import (
    hidden_roles,
    may_see_shoppers,
    roles_kept,
    roles_shown,
    shoppers_shown,
)

blueprint = Blueprint("tenants", __name__, url_prefix="/staff/tenants")
use_time_filters(blueprint)

LONGEST_SEARCH = 100
TOPIC_LABELS = {
    Topic.EVENTS.value: "Event invitations",
    Topic.SURVEYS.value: "Polls and surveys",
    Topic.NEWS.value: "News",
    Topic.INSPECTIONS.value: "Estate walk notices",
}
WHOLE_THREAD = 10_000

ROLE_LABELS: dict[str, str] = {
    Role.MYSTERY_SHOPPER: "Mystery shopper",
    Role.RESIDENT_INSPECTOR: "Resident inspector",
    Role.VOLUNTEER_BANK: "Volunteer bank",
    Role.VOICES: "Resident VOICES",
    Role.TRA_REP: "Tenants' and residents' association rep",
    Role.MEMBER: "Shareholding member",
    Role.BOARD_OBSERVER: "Board observer",
}
STATUS_WORDS: dict[str, str] = {
    OutboxStatus.QUEUED: "waiting to send",
    OutboxStatus.SENDING: "sending",
    OutboxStatus.SENT: "sent",
    OutboxStatus.DELIVERED: "delivered",
    OutboxStatus.UNDELIVERED: "not delivered",
    OutboxStatus.FAILED: "could not be sent",
    OutboxStatus.OPTED_OUT: "not sent: opted out",
    OutboxStatus.UNREACHABLE: "not sent: cannot be reached",
}
INBOUND_NOTES = {
    "photos": "sent a photo",
    "location": "sent a location",
    "recording": "left a voice note",
}
INBOX_NOTES: dict[str, str] = {
    InboxState.OPEN: "waiting in the inbox",
    InboxState.DONE: "inbox: done",
}
EXPORT_HEADER = ("name", "phone", "area", "tenancy", "language", "roles", "verified", "channels")


@blueprint.app_template_filter("channel_label")
def channel_label(channel: str) -> str:
    try:
        return presentation_of(channel).label
    except UnknownChannel:  # a kind this install no longer has
        return channel


@blueprint.app_template_filter("role_label")
def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


class TenantSearch(FlaskForm):
    class Meta:
        csrf = False  # a search changes nothing, and its address should be shareable

    q = StringField("Name, phone number or estate")
    area = SelectField("Area", coerce=int)
    unverified = BooleanField("Only sign-ups waiting to be confirmed")


class TenantForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[tidy],
        validators=[DataRequired("Enter the tenant's name."), Length(max=120)],
    )
    area = SelectField("Area", coerce=int)
    language = SelectField("Language for messages")
    roles = CheckboxList("Ways they take part")
    verified = BooleanField("Details confirmed by staff")
    landline_only = BooleanField("Landline only: we phone them instead of texting")
    topics = CheckboxList("Messages they get (as they would text STOP EVENTS or START EVENTS)")

    def offer_choices(self, areas: list[Area], *, hidden: frozenset[str]) -> None:
        """``hidden``: roles this member may not see, so may not tick or untick either."""
        self.area.choices = area_choices(areas, none="Not set")
        self.topics.choices = [SelectChoice(topic, label) for topic, label in TOPIC_LABELS.items()]
        self.language.choices = [SelectChoice(code, name) for code, name in language_names()]
        self.roles.choices = [
            SelectChoice(role.value, ROLE_LABELS[role]) for role in Role if role not in hidden
        ]


def area_choices(areas: list[Area], *, none: str) -> list[SelectChoice]:
    return [SelectChoice(0, none), *(SelectChoice(area.id, area.name) for area in areas)]


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file exported from the housing system",
        validators=[FileRequired("Choose a CSV file to import.")],
    )


@dataclass(frozen=True)
class TenantFilter:
    """What the list is narrowed to; the same filter drives the page and the CSV."""

    text: str
    area_id: int | None
    unverified: bool

    @classmethod
    def from_request(cls) -> TenantFilter:
        area_id = request.args.get("area", type=int) or 0
        return cls(
            text=(tidy(request.args.get("q", "")) or "")[:LONGEST_SEARCH],
            area_id=area_id if 0 < area_id <= LARGEST_ID else None,
            unverified=request.args.get("unverified", "") not in ("", "0", "n", "no", "false"),
        )

    def args(self) -> dict[str, Any]:
        found: dict[str, Any] = {"q": self.text, "area": self.area_id, "unverified": 1}
        keep = {
            "q": bool(self.text),
            "area": self.area_id is not None,
            "unverified": self.unverified,
        }
        return {name: value for name, value in found.items() if keep[name]}


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    wanted, page = TenantFilter.from_request(), page_number()
    with sessions()() as db:
        areas = all_areas(db)
        found, total = search_tenants(
            db,
            text=wanted.text,
            area_id=wanted.area_id,
            unverified=wanted.unverified,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        form = TenantSearch(formdata=None, data={"q": wanted.text, "unverified": wanted.unverified})
        form.area.choices = area_choices(areas, none="All areas")
        form.area.data = wanted.area_id or 0
        return render_template(
            "pages/tenants.html",
            form=form,
            tenants=found,
            total=total,
            page=page,
            pages=last_page(total),
            filter_args=wanted.args(),
        )


@blueprint.get("/export.csv")
@require_role(StaffRole.VIEWER)
def export() -> ResponseReturnValue:
    wanted = TenantFilter.from_request()
    rows, shoppers = [], []
    with sessions().begin() as db:
        sees = may_see_shoppers(db)
        for tenant in matching_tenants(
            db, text=wanted.text, area_id=wanted.area_id, unverified=wanted.unverified
        ):
            roles = roles_shown(tenant, sees)
            rows.append(export_row(tenant, roles))
            if SHOPPER_ROLE in roles:
                shoppers.append(tenant.id)
        shoppers_shown(db, shoppers)
    return csv_download("tenants.csv", EXPORT_HEADER, rows)


def export_row(tenant: Tenant, roles: list[str]) -> list[object]:
    """One tenant in the import's own columns, so a file can go round the loop; ``roles``
    are those the member downloading it may see."""
    return [
        tenant.name or "",
        tenant.phone or "",
        area_shown(tenant),
        tenant.tenancy or "",
        tenant.language,
        ";".join(roles),
        "yes" if tenant.verified else "no",
        ";".join(sorted({identity.channel for identity in tenant.identities})),
    ]


def area_shown(tenant: Tenant) -> str:
    return tenant.area.name if tenant.area is not None else (tenant.area_text or "")


@dataclass(frozen=True)
class Said:
    """One message in a tenant's thread, in the words the page shows."""

    direction: str  # "in" from the tenant, "out" to them
    text: str
    at: datetime
    channel: str
    note: str
    recording: str | None = None  # a voice note left on a call
    files: tuple[Media, ...] = ()  # what the tenant sent besides words
    shared: Mapping[str, Any] = field(default_factory=dict)  # a map pin, a contact card


def in_order(
    messages: list[InboundRecord | OutboundRecord],
) -> list[InboundRecord | OutboundRecord]:
    """Oldest first, each reply straight after the message it answers even within one second
    (as models.messages.thread orders a phone's thread)."""

    def place(message: InboundRecord | OutboundRecord) -> tuple[datetime, int, int, int]:
        if isinstance(message, InboundRecord):
            return (message.received_at, message.id, 0, 0)
        return (message.created_at, message.in_reply_to or 0, 1, message.id)

    return sorted(messages, key=place)


def thread_entry(
    message: InboundRecord | OutboundRecord,
    staff: dict[int, str],
    files: Mapping[int, list[Media]],
) -> Said:
    if isinstance(message, OutboundRecord):
        status = STATUS_WORDS.get(message.status, message.status)
        if message.attempts > 1 and has(message.channel, Trait.HEARS):  # rung again: busy
            status = f"{status}, called {message.attempts} times"
        if message.sent_by_staff_id is not None:
            status = f"{status}, written by {staff.get(message.sent_by_staff_id, 'staff')}"
        return Said("out", message.body, message.created_at, message.channel, status)
    notes = [words for key, words in INBOUND_NOTES.items() if key in message.media]
    if message.inbox is not None:
        notes.append(INBOX_NOTES.get(message.inbox, message.inbox))
    note = "; ".join(notes)
    recording = message.media.get("recording")
    said = message.body, message.received_at, message.channel, note, recording
    return Said("in", *said, tuple(files.get(message.id, ())), message.media)


@blueprint.get("/<int:tenant_id>")
@require_role(StaffRole.VIEWER)
def show(tenant_id: int) -> str:
    """Without leave to see shoppers, the messages that would say this tenant is one are not
    in the thread at all: a placeholder where they were would say it just the same."""
    with sessions().begin() as db:
        tenant = or_404(db, Tenant, tenant_id, "tenant")
        sees = may_see_shoppers(db)
        naming = messages_naming_a_shopper(db, tenant.id)
        withheld = None if sees else naming
        messages, total = tenant_messages(db, tenant.id, limit=WHOLE_THREAD, withheld=withheld)
        if sees and naming is not None:
            shoppers_shown(db, [tenant.id])
        staff = staff_emails(db)
        files = media_by_message(db, (m.id for m in messages if isinstance(m, InboundRecord)))
        return render_template(
            "pages/tenant.html",
            tenant=tenant,
            roles=roles_shown(tenant, sees),
            area=area_shown(tenant),
            language=dict(language_names()).get(tenant.language, tenant.language),
            consents=current_consents(db, tenant.id),
            topics={TOPIC_LABELS[topic]: on for topic, on in topics_of(db, tenant.id).items()},
            consent_log=consent_history(db, tenant.id),
            thread=[thread_entry(message, staff, files) for message in in_order(messages)],
            thread_total=total,
        )


@blueprint.route("/<int:tenant_id>/edit", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def edit(tenant_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        tenant = or_404(db, Tenant, tenant_id, "tenant")
        sees = may_see_shoppers(db)
        form = TenantForm(
            data={
                "name": tenant.name,
                "area": tenant.area_id or 0,
                "language": tenant.language,
                "roles": roles_shown(tenant, sees),
                "verified": tenant.verified,
                "landline_only": tenant.landline_only,
                "topics": [topic for topic, on in topics_of(db, tenant.id).items() if on],
            }
        )
        form.offer_choices(all_areas(db), hidden=hidden_roles(sees))
        if form.validate_on_submit():
            tenant.name = form.name.data
            tenant.area_id = form.area.data or None
            tenant.language = form.language.data or tenant.language
            tenant.set_roles(roles_kept(tenant, form.roles.data or [], sees))
            tenant.verified = bool(form.verified.data)
            was_landline, tenant.landline_only = tenant.landline_only, bool(form.landline_only.data)
            keep_phone_identities(
                db, tenant, became_mobile=was_landline and not tenant.landline_only
            )
            _change_topics(db, tenant, ticked=set(form.topics.data or []))
            flash(f"Saved the details of {tenant.name}.", "info")
            return redirect(url_for("tenants.show", tenant_id=tenant.id))
        page = render_template("pages/tenant_edit.html", tenant=tenant, form=form)
        return page, 422 if form.errors else 200


def _change_topics(db: Session, tenant: Tenant, *, ticked: set[str]) -> None:
    """The topics ticked on, the others off: the consent log, and an audit line."""
    actor = acting()
    wanted = {topic: topic in ticked for topic in TOPIC_LABELS}
    source = f"staff {actor.staff_id} by {actor.via}"
    changed = change_topics(db, tenant.id, wanted, source=source, now=actor.at)
    if changed:
        note(db, AuditAction.TOPICS_CHANGED, tenant_id=tenant.id, detail=described(changed))


@blueprint.route("/import", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def import_file() -> ResponseReturnValue:
    """Show the report straight away rather than redirecting: it is the result itself, and
    sending the same file again only updates the same tenants."""
    form = ImportForm()
    if not form.validate_on_submit():
        page = render_template("pages/tenant_import.html", form=form, report=None)
        return page, 422 if form.errors else 200
    data = form.file.data.read()
    try:
        with sessions().begin() as db:
            report = import_tenants(db, data, languages=languages())
            note(db, AuditAction.TENANTS_IMPORTED, detail=report.summary)
    except BadImportFile as problem:
        form.file.errors = [f"This file cannot be imported: {problem}."]
        return render_template("pages/tenant_import.html", form=form, report=None), 422
    return render_template(
        "pages/tenant_import.html", form=ImportForm(formdata=None), report=report
    )


@blueprint.errorhandler(413)
def file_too_large(_error: Exception) -> ResponseReturnValue:
    """A file over the app's request limit: say so on the import page, not as a bare error."""
    signed_in = current_user.is_authenticated and current_user.may(StaffRole.OFFICER)
    if request.endpoint != "tenants.import_file" or not signed_in:
        return _error  # type: ignore[return-value]  # werkzeug's own short page
    form = ImportForm(formdata=None)
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024
    form.file.errors = [
        f"This file is larger than this page accepts ({limit} kB). "
        "Split it into smaller files and import each one."
    ]
    return render_template("pages/tenant_import.html", form=form, report=None), 413
