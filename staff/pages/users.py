"""Console pages: staff accounts and their API tokens, for admins only.

An admin cannot deactivate themself, change their own role, reset their own
password or their own two-factor sign-in, so there is always another admin (or
the ``doorstep staff`` command) to put things right, and their own password is
only ever changed by someone who knows it. A new API token or password is shown
once, on the page that made it, and never kept in plain.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, Length

from models.console import live_token_counts, staff_members, tokens_of
from models.passwords import SHORTEST_PASSWORD
from models.staff import (
    ApiToken,
    PasswordRefused,
    StaffAccountError,
    StaffRole,
    StaffUser,
    is_locked,
)
from models.two_factor import recovery_codes_left
from staff import accounts
from staff.audit_trail import acting
from staff.auth import require_role
from staff.context import clock, sessions, settings
from staff.lookup import LARGEST_ID, or_404
from staff.pages.common import use_time_filters

blueprint = Blueprint("users", __name__, url_prefix="/staff/users")
use_time_filters(blueprint)

ROLE_CHOICES = [
    SelectChoice(StaffRole.VIEWER.value, "Viewer: reads and downloads"),
    SelectChoice(StaffRole.OFFICER.value, "Officer: also replies, edits and imports"),
    SelectChoice(StaffRole.ADMIN.value, "Admin: also manages staff accounts"),
]


class NewStaffForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[lambda text: (text or "").strip()],
        validators=[DataRequired("Enter their email."), Length(max=254)],
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=StaffRole.VIEWER.value)
    password = PasswordField(
        "Password", validators=[DataRequired("Choose a password."), Length(max=200)]
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
            "pages/users.html",
            staff=staff_members(db),
            live_tokens=live_token_counts(db),
            now=clock()(),
        )


@blueprint.route("/new", methods=["GET", "POST"])
@require_role(StaffRole.ADMIN)
def add() -> ResponseReturnValue:
    form = NewStaffForm()
    if form.validate_on_submit():
        try:
            with sessions().begin() as db:
                user = accounts.add_account(
                    db,
                    acting(),
                    email=form.email.data or "",
                    role=form.role.data or StaffRole.VIEWER,
                    password=form.password.data or "",
                    landlord=settings().landlord,
                )
                added = (user.id, user.email, user.role)
        except StaffAccountError as exc:
            _show_on(form, exc)
        except IntegrityError:  # added by someone else at the same moment
            form.email.errors = [f"There is already an account for {form.email.data}."]
        else:
            flash(f"Added {added[1]} as {added[2]}.", "info")
            return redirect(url_for("users.show", staff_id=added[0]))
    page = render_template("pages/user_new.html", form=form, shortest=SHORTEST_PASSWORD)
    return page, 422 if form.errors else 200


def _show_on(form: NewStaffForm, refused: StaffAccountError) -> None:
    """Put the reason by the field it is about."""
    (form.password if isinstance(refused, PasswordRefused) else form.email).errors = [str(refused)]


@blueprint.get("/<int:staff_id>")
@require_role(StaffRole.ADMIN)
def show(staff_id: int) -> str:
    with sessions()() as db:
        user = or_404(db, StaffUser, staff_id, "staff account")
        return render_template(
            "pages/user.html",
            user=user,
            tokens=tokens_of(db, user.id),
            codes_left=recovery_codes_left(db, user.id),
            locked=is_locked(user, clock()()),
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
        user = or_404(db, StaffUser, staff_id, "staff account")
        if user.id == current_user.id:
            flash("You cannot change your own role. Ask another admin.", "error")
        else:
            accounts.change_role(db, acting(), user, form.role.data or user.role)
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
        user = or_404(db, StaffUser, staff_id, "staff account")
        accounts.let_see_shoppers(db, acting(), user, form.allow.data == "yes")
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
        user = or_404(db, StaffUser, staff_id, "staff account")
        if user.id == current_user.id and not active:
            flash("You cannot deactivate your own account. Ask another admin.", "error")
        else:
            accounts.set_active(db, acting(), user, active)
            what = "can sign in again" if active else "can no longer sign in or use the API"
            flash(f"{user.email} {what}.", "info")
    return redirect(url_for("users.show", staff_id=staff_id))


@blueprint.post("/<int:staff_id>/unlock")
@require_role(StaffRole.ADMIN)
def unlock(staff_id: int) -> ResponseReturnValue:
    """Lift a lock before its fifteen minutes are up (they phoned, and it is them)."""
    with sessions().begin() as db:
        user = or_404(db, StaffUser, staff_id, "staff account")
        accounts.unlock_account(db, acting(), user)
        flash(f"{user.email} can sign in again now.", "info")
    return redirect(url_for("users.show", staff_id=staff_id))


@blueprint.post("/<int:staff_id>/password")
@require_role(StaffRole.ADMIN)
def reset_password(staff_id: int) -> ResponseReturnValue:
    """A new password, shown on this response only: a redirect would have to keep it."""
    with sessions().begin() as db:
        user = or_404(db, StaffUser, staff_id, "staff account")
        if user.id == current_user.id:
            flash("Change your own password on Your account.", "error")
            return redirect(url_for("users.show", staff_id=staff_id))
        password = accounts.reset_password(db, acting(), user)
        email = user.email
    page = render_template("pages/password.html", email=email, staff_id=staff_id, password=password)
    return page, 201, {"Cache-Control": "no-store"}


@blueprint.post("/<int:staff_id>/two-factor/reset")
@require_role(StaffRole.ADMIN)
def reset_two_factor(staff_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        user = or_404(db, StaffUser, staff_id, "staff account")
        if user.id == current_user.id:
            flash("Another admin can reset your own two-factor sign-in.", "error")
        else:
            accounts.restart_two_factor(db, acting(), user)
            flash(f"{user.email} sets up two-factor sign-in again when they next sign in.", "info")
    return redirect(url_for("users.show", staff_id=staff_id))


@blueprint.post("/<int:staff_id>/tokens")
@require_role(StaffRole.ADMIN)
def new_token(staff_id: int) -> ResponseReturnValue:
    """Shown on this response and never again: a redirect would have to keep it somewhere."""
    with sessions().begin() as db:
        user = or_404(db, StaffUser, staff_id, "staff account")
        if not user.active:
            flash("Reactivate this account before giving it an API token.", "error")
            return redirect(url_for("users.show", staff_id=staff_id))
        token = accounts.give_token(db, acting(), user)
        email = user.email
    page = render_template("pages/token.html", email=email, staff_id=staff_id, token=token)
    return page, 201, {"Cache-Control": "no-store"}


@blueprint.post("/<int:staff_id>/tokens/<int:token_id>/revoke")
@require_role(StaffRole.ADMIN)
def revoke_token(staff_id: int, token_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        user = or_404(db, StaffUser, staff_id, "staff account")
        token = db.get(ApiToken, token_id) if token_id <= LARGEST_ID else None
        if token is None or token.staff_id != user.id:
            abort(404, f"{user.email} has no API token number {token_id}.")
        accounts.revoke_token(db, acting(), user, token)
        flash(f"Revoked API token {token_id} of {user.email}.", "info")
    return redirect(url_for("users.show", staff_id=staff_id))
