"""Console pages: a tenant's data rights. Download everything held about them; erase them.

Erasing cannot be undone, so it is for admins, asks first, and wants the tenant's
name typed back, the way a careful colleague would check before shredding a file.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from models.audit import AuditAction
from models.data_rights import UnknownTenant, erase_tenant, tenant_record
from models.staff import StaffRole
from models.tenants import Tenant
from staff.audit_trail import note
from staff.auth import require_role
from staff.context import clock, sessions
from staff.lookup import or_404

blueprint = Blueprint("tenant_data", __name__, url_prefix="/staff/tenants")


class EraseForm(FlaskForm):
    name = StringField("Type the tenant's name to confirm", [DataRequired(), Length(max=120)])


@blueprint.get("/<int:tenant_id>/record.json")
@require_role(StaffRole.OFFICER)
def record(tenant_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        try:
            held = tenant_record(db, tenant_id)
        except UnknownTenant:
            abort(404, "no tenant with that id")
        note(db, AuditAction.TENANT_EXPORTED, tenant_id=tenant_id)
    return Response(
        json.dumps(held, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=tenant-{tenant_id}.json"},
    )


@blueprint.route("/<int:tenant_id>/erase", methods=["GET", "POST"])
@require_role(StaffRole.ADMIN)
def erase(tenant_id: int) -> ResponseReturnValue:
    form = EraseForm()
    with sessions().begin() as db:
        tenant = or_404(db, Tenant, tenant_id, "tenant")
        expected = tenant.name or str(tenant.id)
        if form.validate_on_submit():
            if " ".join((form.name.data or "").split()).casefold() == expected.casefold():
                erase_tenant(db, tenant_id, now=clock()())
                note(db, AuditAction.TENANT_ERASED, tenant_id=tenant_id)
                flash("The tenant was erased. Their survey answers remain as figures only.", "info")
                return redirect(url_for("tenants.index"))
            form.name.errors = ["That is not the tenant's name: nothing was erased."]
        return render_template(
            "pages/tenant_erase.html", tenant=tenant, expected=expected, form=form
        )
