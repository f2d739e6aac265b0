"""Console pages: staff accounts and their API tokens, for admins only.

An admin cannot deactivate themself or change their own role, so there is
always at least one admin who can put things right. A new API token is shown
once, on the page that made it, and only its hash is kept.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Email, Length

from models.console import live_token_counts, staff_members, tokens_of
from models.staff import ApiToken, StaffRole, StaffUser, find_staff, issue_token
from staff.auth import require_role
from staff.context import clock, sessions
from staff.pages.common import LARGEST_ID, use_time_filters

blueprint = Blueprint("users", __name__, url_prefix="/staff/users")
use_time_filters(blueprint)

SHORTEST_PASSWORD = 10
ROLE_CHOICES = [
    SelectChoice(StaffRole.VIEWER.value, "Viewer: reads and downloads"),
    SelectChoice(StaffRole.OFFICER.value, "Officer: also replies, edits and imports"),
    SelectChoice(StaffRole.ADMIN.value, "Admin: also manages staff accounts"),
]


class NewStaffForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[lambda text: (text or "").strip().lower()],
        validators=[
            DataRequired("Enter their email."),
            Email("Enter a whole email address."),
            Length(max=254),
        ],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=StaffRole.VIEWER.value)
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Choose a password."),
            Length(
                min=SHORTEST_PASSWORD,
                max=200,
                message=f"Use at least {SHORTEST_PASSWORD} characters (and at most 200).",
            ),
        ],
    )


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class ShopperNamesForm(FlaskForm):
    allow = HiddenField()


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the button says what it does."""


@blueprint.get("/")
@require_role(StaffRole.ADMIN)
def index() -> str:
    with sessions()() as db:
        return render_template(
            "pages/users.html", staff=staff_members(db), live_tokens=live_token_counts(db)
        )


@blueprint.route("/new", methods=["GET", "POST"])
@require_role(StaffRole.ADMIN)
def add() -> ResponseReturnValue:
    form = NewStaffForm()
    if form.validate_on_submit():
        email, role = form.email.data or "", form.role.data or StaffRole.VIEWER
        try:
            with sessions().begin() as db:
                taken = find_staff(db, email) is not None
                if not taken:
                    user = StaffUser(
                        email=email,
                        role=role,
                        password_hash=generate_password_hash(form.password.data or ""),
                    )
                    db.add(user)
        except IntegrityError:  # added by someone else at the same moment
            taken = True
        if not taken:
            flash(f"Added {email} as {role}.", "info")
            return redirect(url_for("users.show", staff_id=user.id))
        form.email.errors = [f"There is already an account for {email}."]
    return render_template("pages/user_new.html", form=form), 422 if form.errors else 200


def staff_or_404(db: Session, staff_id: int) -> StaffUser:
    user = db.get(StaffUser, staff_id) if staff_id <= LARGEST_ID else None
    if user is None:
        abort(404, f"There is no staff account number {staff_id}.")
    return user


@blueprint.get("/<int:staff_id>")
@require_role(StaffRole.ADMIN)
def show(staff_id: int) -> str:
    with sessions()() as db:
        user = staff_or_404(db, staff_id)
        return render_template(
            "pages/user.html",
            user=user,
            tokens=tokens_of(db, user.id),
            role_form=RoleForm(formdata=None, role=user.role),
            confirm=ConfirmForm(formdata=None),
            names_form=ShopperNamesForm(formdata=None),
            is_me=user.id == current_user.id,
        )


@blueprint.post("/<int:staff_id>/role")
@require_role(StaffRole.ADMIN)
def change_role(staff_id: int) -> ResponseReturnValue:
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, "Choose one of the roles offered.")
    with sessions().begin() as db:
        user = staff_or_404(db, staff_id)
        if user.id == current_user.id:
            flash("You cannot change your own role. Ask another admin.", "error")
        else:
            user.role = form.role.data
            flash(f"{user.email} is now {user.role}.", "info")
    return redirect(url_for("users.show", staff_id=staff_id))


@blueprint.post("/<int:staff_id>/shopper-names")
@require_role(StaffRole.ADMIN)
def shopper_names(staff_id: int) -> ResponseReturnValue:
    """Grant or withdraw seeing which tenant gave a mystery-shopping answer."""
    form = ShopperNamesForm()
    if not form.validate_on_submit() or form.allow.data not in ("yes", "no"):
        abort(400, "The form was incomplete; reload the page and try again.")
    with sessions().begin() as db:
        user = staff_or_404(db, staff_id)
        user.may_see_shoppers = form.allow.data == "yes"
        said = "can now see" if user.may_see_shoppers else "can no longer see"
        flash(f"{user.email} {said} mystery shoppers' names.", "info")
    return redirect(url_for("users.show", staff_id=staff_id))


@blueprint.post("/<int:staff_id>/deactivate")
@require_role(StaffRole.ADMIN)
def deactivate(staff_id: int) -> ResponseReturnValue:
    return set_active(staff_id, False)


@blueprint.post("/<int:staff_id>/reactivate")
@require_role(StaffRole.ADMIN)
def reactivate(staff_id: int) -> ResponseReturnValue:
    return set_active(staff_id, True)


def set_active(staff_id: int, active: bool) -> ResponseReturnValue:
    with sessions().begin() as db:
        user = staff_or_404(db, staff_id)
        if user.id == current_user.id and not active:
            flash("You cannot deactivate your own account. Ask another admin.", "error")
        else:
            user.active = active
            user.failed_logins, user.locked_until = 0, None
            what = "can sign in again" if active else "can no longer sign in or use the API"
            flash(f"{user.email} {what}.", "info")
    return redirect(url_for("users.show", staff_id=staff_id))


@blueprint.post("/<int:staff_id>/tokens")
@require_role(StaffRole.ADMIN)
def new_token(staff_id: int) -> ResponseReturnValue:
    """Shown on this response and never again: a redirect would have to keep it somewhere."""
    with sessions().begin() as db:
        user = staff_or_404(db, staff_id)
        if not user.active:
            flash("Reactivate this account before giving it an API token.", "error")
            return redirect(url_for("users.show", staff_id=staff_id))
        token = issue_token(db, user)
        email = user.email
    page = render_template("pages/token.html", email=email, staff_id=staff_id, token=token)
    return page, 201, {"Cache-Control": "no-store"}


@blueprint.post("/<int:staff_id>/tokens/<int:token_id>/revoke")
@require_role(StaffRole.ADMIN)
def revoke_token(staff_id: int, token_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        user = staff_or_404(db, staff_id)
        token = db.get(ApiToken, token_id) if token_id <= LARGEST_ID else None
        if token is None or token.staff_id != user.id:
            abort(404, f"{user.email} has no API token number {token_id}.")
        if token.revoked_at is None:
            token.revoked_at = clock()()
        flash(f"Revoked API token {token_id} of {user.email}.", "info")
    return redirect(url_for("users.show", staff_id=staff_id))
