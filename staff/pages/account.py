"""Your own account: change your password; set up two-factor sign-in where it is optional.

Changing the password needs the current one, and a wrong one counts towards the
lock as at sign-in, so a session left open on a shared computer cannot be turned
into the account itself. A new password ends every other session of the account.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from models.audit import AuditAction, record
from models.passwords import SHORTEST_PASSWORD
from models.staff import StaffAccountError, StaffUser, is_locked
from models.two_factor import confirm_enrolment, recovery_codes_left, secret_to_enrol
from staff.accounts import change_password
from staff.audit_trail import acting
from staff.auth import CodeForm, SignedIn, count_wrong, locked_message, setup_qr
from staff.context import sessions, settings
from staff.pages.common import use_time_filters

blueprint = Blueprint("account", __name__, url_prefix="/staff/account")
use_time_filters(blueprint)


class PasswordForm(FlaskForm):
    current = PasswordField(
        "Your current password",
        validators=[DataRequired("Type your current password."), Length(max=200)],
    )
    new = PasswordField(
        "New password", validators=[DataRequired("Choose a new password."), Length(max=200)]
    )
    again = PasswordField(
        "New password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("new", "The two new passwords are not the same."),
        ],
    )


def _me(db: Session) -> StaffUser:
    me = db.get(StaffUser, current_user.id)
    if me is None:  # removed since this request signed in
        abort(404, "Your account is no longer there.")
    return me


def _page(
    password_form: PasswordForm, code_form: CodeForm, status: int = 200
) -> ResponseReturnValue:
    """The page; while two-factor is being set up it shows the secret, so it is not cached."""
    with sessions()() as db:
        me = _me(db)
        secret = None if me.two_factor_enrolled else me.totp_secret
        page = render_template(
            "pages/account.html",
            me=me,
            codes_left=recovery_codes_left(db, me.id),
            password_form=password_form,
            code_form=code_form,
            shortest=SHORTEST_PASSWORD,
            secret=secret,
            qr=None if secret is None else setup_qr(secret, me.email),
        )
    return page, status, {"Cache-Control": "no-store"}


@blueprint.get("/")
@login_required
def show() -> ResponseReturnValue:
    return _page(PasswordForm(formdata=None), CodeForm(formdata=None))


@blueprint.post("/password")
@login_required
def password() -> ResponseReturnValue:
    form = PasswordForm()
    if not form.validate_on_submit():
        return _page(form, CodeForm(formdata=None), 422)
    actor = acting()
    with sessions().begin() as db:
        me = _me(db)
        if is_locked(me, actor.at):
            locked_until = me.locked_until
        elif not check_password_hash(me.password_hash, form.current.data or ""):
            locked_until = count_wrong(db, me, actor.at, "wrong current password").locked_until
            form.current.errors = ["That is not your current password."]
        else:
            locked_until = None
            try:
                change_password(db, actor, me, form.new.data or "", landlord=settings().landlord)
            except StaffAccountError as exc:
                form.new.errors = [str(exc)]
            else:
                login_user(SignedIn(me))  # the new stamp: every other session ends
    if locked_until is not None:
        logout_user()
        flash(locked_message(locked_until), "error")
        return redirect(url_for("auth.login"))
    if form.current.errors or form.new.errors:
        return _page(form, CodeForm(formdata=None), 422)
    flash("Your password is changed. You are signed out on every other computer.", "info")
    return redirect(url_for("account.show"))


@blueprint.post("/two-factor/start")
@login_required
def start_two_factor() -> ResponseReturnValue:
    """Make the secret for the app to learn (kept unused until a code confirms it)."""
    with sessions().begin() as db:
        me = _me(db)
        if not me.two_factor_enrolled:
            secret_to_enrol(me)
    return redirect(url_for("account.show") + "#two-factor")


@blueprint.post("/two-factor")
@login_required
def confirm_two_factor() -> ResponseReturnValue:
    form = CodeForm()
    if not form.validate_on_submit():
        return _page(PasswordForm(formdata=None), form, 422)
    actor = acting()
    with sessions().begin() as db:
        me = _me(db)
        if me.two_factor_enrolled or me.totp_secret is None:
            return redirect(url_for("account.show"))
        codes = confirm_enrolment(db, me, form.code.data or "", now=actor.at)
        if codes:
            record(db, AuditAction.TWO_FACTOR_ENROLLED, at=actor.at, via=actor.via, staff_id=me.id)
            login_user(SignedIn(me))  # the new stamp: sessions without it end
    if not codes:
        form.code.errors = ["That code did not match. Type the code your app shows now."]
        return _page(PasswordForm(formdata=None), form, 422)
    page = render_template("pages/recovery_codes.html", codes=codes, next=url_for("account.show"))
    return page, 201, {"Cache-Control": "no-store"}
