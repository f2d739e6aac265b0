"""Console pages: requests to get involved (JOIN), and granting or declining them.

A request shows who asked (name, area, the channel they asked on), for which role and
when, new ones first. Granting gives the tenant the role; either way the tenant is told
by a notice queued with the decision (bot.involvement_steps). Asking to become a mystery
shopper is shown, and decided, only by staff an admin let see shoppers (staff.shoppers).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from bot import involvement_steps
from models.involvement import InvolvementRequest, RequestProblem, new_request_count, requests
from models.mystery_shopping import SHOPPER_ROLE
from models.staff import StaffRole
from staff.auth import require_role
from staff.context import clock, sessions, settings
from staff.lookup import LARGEST_ID
from staff.pages.common import PAGE_SIZE, last_page, page_number, use_time_filters
from staff.pages.inspection_forms import ConfirmForm
from staff.pages.tenants import role_label
from staff.shoppers import hidden_roles, may_see_shoppers, shoppers_shown

blueprint = Blueprint("involvement", __name__, url_prefix="/staff/involvement")
use_time_filters(blueprint)


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    page = page_number()
    with sessions().begin() as db:
        hidden = hidden_roles(may_see_shoppers(db))
        shown, total = requests(
            db, hidden_roles=hidden, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        waiting = new_request_count(db, hidden_roles=hidden)
        shoppers_shown(db, (asked.tenant_id for asked in shown if asked.role == SHOPPER_ROLE))
        return render_template(
            "pages/involvement.html",
            requests=shown,
            waiting=waiting,
            page=page,
            pages=last_page(total),
            confirm=ConfirmForm(formdata=None),
            role_label=role_label,
        )


@blueprint.post("/<int:request_id>/grant")
@require_role(StaffRole.OFFICER)
def grant(request_id: int) -> ResponseReturnValue:
    return decide(request_id, "grant")


@blueprint.post("/<int:request_id>/decline")
@require_role(StaffRole.OFFICER)
def decline(request_id: int) -> ResponseReturnValue:
    return decide(request_id, "decline")


def decide(request_id: int, decision: str) -> ResponseReturnValue:
    """Grant or decline one request; the tenant's notice is queued with the decision."""
    if not ConfirmForm().validate_on_submit():
        abort(400, "The form was incomplete; reload the page and try again.")
    with sessions().begin() as db:
        found = db.get(InvolvementRequest, request_id) if request_id <= LARGEST_ID else None
        if found is None or found.role in hidden_roles(may_see_shoppers(db)):
            abort(404, f"There is no request number {request_id}.")
        try:
            told = involvement_steps.decide(
                db,
                found,
                grant=decision == "grant",
                staff_id=current_user.id,
                now=clock()(),
                settings=settings(),
            )
        except RequestProblem as problem:
            abort(409, f"{str(problem).capitalize()}.")
        name, role = found.tenant.name or "The tenant", role_label(found.role)
    done = "now has the role" if decision == "grant" else "was declined for the role"
    heard = "They will be told by text." if told else "We have no way to reach them: tell them."
    flash(f"{name} {done}: {role}. {heard}", "info")
    return redirect(url_for("involvement.index"))
