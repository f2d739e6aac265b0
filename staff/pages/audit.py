"""Console page: the audit log, for admins. Who did what, when, to which tenant.

Filtered by staff member, action and tenant, and downloadable as CSV with the same
filters, so an admin can answer "who exported this tenant's record?" in a minute.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from models.audit import AuditAction, AuditEntry, AuditFilter, audit_lines
from models.staff import StaffRole, StaffUser
from staff.auth import require_role
from staff.context import sessions
from staff.lookup import LARGEST_ID
from staff.pages.common import (
    PAGE_SIZE,
    csv_download,
    last_page,
    local_time,
    page_number,
    use_time_filters,
)

blueprint = Blueprint("audit", __name__, url_prefix="/staff/audit")
use_time_filters(blueprint)

ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.SIGNED_IN: "Signed in",
    AuditAction.SIGN_IN_FAILED: "Sign-in failed",
    AuditAction.SIGN_IN_LOCKED: "Sign-in refused: account locked",
    AuditAction.PASSWORD_CHANGED: "Changed their password",
    AuditAction.PASSWORD_RESET: "Reset a password",
    AuditAction.ACCOUNT_UNLOCKED: "Unlocked an account",
    AuditAction.ACCOUNT_ADDED: "Added a staff account",
    AuditAction.ACCOUNT_DEACTIVATED: "Deactivated a staff account",
    AuditAction.ACCOUNT_REACTIVATED: "Reactivated a staff account",
    AuditAction.ROLE_CHANGED: "Changed a role",
    AuditAction.TWO_FACTOR_ENROLLED: "Set up two-factor sign-in",
    AuditAction.TWO_FACTOR_RESET: "Reset two-factor sign-in",
    AuditAction.RECOVERY_CODE_USED: "Signed in with a recovery code",
    AuditAction.SHOPPER_NAMES_GRANTED: "Allowed to see mystery shoppers' names",
    AuditAction.SHOPPER_NAMES_WITHDRAWN: "No longer allowed to see mystery shoppers' names",
    AuditAction.SHOPPER_IDENTITY_VIEWED: "Saw who a mystery shopper is",
    AuditAction.TENANT_EXPORTED: "Downloaded a tenant's record",
    AuditAction.TENANT_ERASED: "Erased a tenant",
    AuditAction.TENANTS_IMPORTED: "Imported tenants",
    AuditAction.REPAIRS_IMPORTED: "Imported repairs",
    AuditAction.BROADCAST_SENT: "Sent a broadcast",
    AuditAction.WORDING_CHANGED: "Changed the wording",
    AuditAction.TOKEN_ISSUED: "Issued an API token",
    AuditAction.TOKEN_REVOKED: "Revoked an API token",
}
EXPORT_HEADER = ("when", "staff member", "action", "via", "tenant", "detail")
COMMAND_LINE = "the command line"


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a search: it changes nothing

    staff = SelectField("Staff member", coerce=str, validators=[Optional()])
    action = SelectField(
        "Action",
        choices=[
            SelectChoice("", "Any action"),
            *(SelectChoice(a.value, label) for a, label in ACTION_LABELS.items()),
        ],
        validators=[Optional()],
    )
    tenant = IntegerField(
        "Tenant number", validators=[Optional(), NumberRange(min=1, max=LARGEST_ID)]
    )


def _filter_form(db: Session) -> tuple[AuditFilterForm, AuditFilter]:
    """The form as asked, and the lines it picks; anything nonsensical is ignored."""
    form = AuditFilterForm(request.args)
    form.staff.choices = [
        SelectChoice("", "Anyone"),
        *(SelectChoice(str(i), email) for i, email in _emails(db).items()),
    ]
    valid = form.validate()
    staff = form.staff.data if valid and (form.staff.data or "").isdigit() else None
    return form, AuditFilter(
        staff_id=int(staff) if staff else None,
        action=form.action.data if valid and form.action.data else None,
        tenant_id=form.tenant.data if valid else None,
    )


def _emails(db: Session) -> dict[int, str]:
    found = db.execute(select(StaffUser.id, StaffUser.email).order_by(StaffUser.email))
    return {staff_id: email for staff_id, email in found}


def _filter_args(wanted: AuditFilter) -> dict[str, object]:
    asked = {"staff": wanted.staff_id, "action": wanted.action, "tenant": wanted.tenant_id}
    return {name: value for name, value in asked.items() if value}


@blueprint.get("/")
@require_role(StaffRole.ADMIN)
def index() -> str:
    page = page_number()
    with sessions()() as db:
        form, wanted = _filter_form(db)
        lines, total = audit_lines(db, wanted, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return render_template(
            "pages/audit.html",
            form=form,
            lines=lines,
            total=total,
            page=page,
            pages=last_page(total),
            filter_args=_filter_args(wanted),
            who=_emails(db),
            labels=ACTION_LABELS,
            command_line=COMMAND_LINE,
        )


@blueprint.get("/export.csv")
@require_role(StaffRole.ADMIN)
def export() -> ResponseReturnValue:
    with sessions()() as db:
        _form, wanted = _filter_form(db)
        lines, _total = audit_lines(db, wanted, limit=None)
        who = _emails(db)
    return csv_download("audit-log.csv", EXPORT_HEADER, (_row(line, who) for line in lines))


def _row(line: AuditEntry, who: dict[int, str]) -> tuple[object, ...]:
    staff = who.get(line.staff_id, "") if line.staff_id is not None else COMMAND_LINE
    return (local_time(line.at), staff, line.action, line.via, line.tenant_id or "", line.detail)
