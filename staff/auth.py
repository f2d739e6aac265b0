"""Staff sign-in: a password, then a code from an authenticator app; bearer tokens for the API.

Passwords are checked with werkzeug's scrypt hashes. After the right password the
session holds only "password given, second factor pending" (the sign_in key): it
opens no page but the next step, and lapses after ten minutes. A staff member who
has an app set up gives its code (or a recovery code); one who has none must set
one up first, unless STAFF_TWO_FACTOR is "optional", when the password alone signs
in. Five wrong passwords or codes in a row lock the account for fifteen minutes.
Sessions are permanent cookies that lapse after PERMANENT_SESSION_LIFETIME of
inactivity, and end when the password changes or two-factor is reset. Roles nest:
admin > officer > viewer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_required,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from markupsafe import Markup
from segno import make_qr
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from models.audit import AuditAction, Via, record
from models.staff import (
    StaffUser,
    clear_failures,
    find_staff,
    is_locked,
    note_failed_sign_in,
    role_allows,
)
from models.two_factor import (
    accept_app_code,
    confirm_enrolment,
    recovery_codes_left,
    secret_to_enrol,
    setup_link,
    use_recovery_code,
)
from staff.context import clock, sessions, settings, zone

blueprint = Blueprint("auth", __name__, url_prefix="/staff")
F = TypeVar("F", bound=Callable[..., Any])
PENDING_FOR = timedelta(minutes=10)
CODE, ENROL = "code", "enrol"  # the second steps of a sign-in


class SignedIn(UserMixin):
    """The signed-in staff member as the console sees them (no ORM object kept)."""

    def __init__(self, user: StaffUser) -> None:
        self.id, self.email, self.role = user.id, user.email, user.role
        self.may_see_shoppers = user.may_see_shoppers
        self.stamp = session_stamp(user)

    def may(self, role: str) -> bool:
        return role_allows(self.role, role)

    def get_id(self) -> str:
        return f"{self.id}.{self.stamp}"


def session_stamp(user: StaffUser) -> str:
    """Changes when the password or two-factor does, so sessions made before then end."""
    held = f"{user.password_hash}|{user.two_factor_since}"
    return hashlib.sha256(held.encode()).hexdigest()[:16]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField(
        "Code",
        filters=[lambda text: (text or "").strip()],
        validators=[DataRequired("Enter the code."), Length(max=40, message="That is too long.")],
    )


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to see that page."
    manager.user_loader(_load)
    app.add_template_filter(clock_time, "clock_time")
    app.register_blueprint(blueprint)


def _load(user_id: str) -> SignedIn | None:
    number, _, stamp = user_id.partition(".")
    if not number.isdigit():
        return None
    with sessions()() as db:
        user = db.get(StaffUser, int(number))
        if user is None or not user.active or session_stamp(user) != stamp:
            return None
        if two_factor_required() and not user.two_factor_enrolled:
            return None  # signed in while it was optional: set it up now
        return SignedIn(user)


def require_role(role: str) -> Callable[[F], F]:
    """Signed in, and at least this role; otherwise the login page or 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.may(role):
                abort(403, f"this needs the {role} role")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def two_factor_required() -> bool:
    """STAFF_TWO_FACTOR: "required" (the default) or "optional" (the demo)."""
    return bool(current_app.config["DOORSTEP"].staff_two_factor == "required")


def clock_time(moment: datetime | None) -> str:
    """A time of day in the landlord's time zone, such as 10:15, for a lock's end."""
    if moment is None:
        return ""
    return f"{moment.astimezone(zone()):%H:%M}"


def locked_message(until: datetime) -> str:
    return (
        f"This account is locked until {clock_time(until)} after too many wrong tries. "
        "Try again then, or ask an admin to unlock it."
    )


# --- what a sign-in step found -------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """The outcome of a step: signed in; a next step for this account; a wrong code to try
    again; or refused (and perhaps locked)."""

    signed_in: SignedIn | None = None
    staff_id: int | None = None
    next_step: str = ""
    try_again: bool = False
    locked_until: datetime | None = None
    recovery_codes: tuple[str, ...] = ()


def _failed(db: Session, staff_id: int | None, now: datetime, why: str) -> None:
    record(db, AuditAction.SIGN_IN_FAILED, at=now, via=Via.CONSOLE, staff_id=staff_id, detail=why)


def _closed(db: Session, user: StaffUser, now: datetime) -> Checked | None:
    """A deactivated or locked account is refused before anything typed is checked, so
    guesses made while it is locked tell nothing."""
    if not user.active:
        _failed(db, user.id, now, "deactivated")
        return Checked()
    if is_locked(user, now):
        _failed(db, user.id, now, "locked")
        return Checked(locked_until=user.locked_until)
    return None


def count_wrong(db: Session, user: StaffUser, now: datetime, why: str) -> Checked:
    """A wrong password or code counts towards the lock, and says so when it locks."""
    locks = note_failed_sign_in(user, now=now)
    _failed(db, user.id, now, why)
    if not locks:
        return Checked(try_again=True)
    until = f"until {user.locked_until:%Y-%m-%d %H:%M} UTC"
    record(db, AuditAction.SIGN_IN_LOCKED, at=now, via=Via.CONSOLE, staff_id=user.id, detail=until)
    return Checked(locked_until=user.locked_until)


def _signed_in(db: Session, user: StaffUser, now: datetime, how: str) -> Checked:
    clear_failures(user)
    record(db, AuditAction.SIGNED_IN, at=now, via=Via.CONSOLE, staff_id=user.id, detail=how)
    return Checked(signed_in=SignedIn(user))


def _check_password(email: str, password: str) -> Checked:
    now = clock()()
    with sessions().begin() as db:
        user = find_staff(db, email)
        if user is None:  # the typed address is not kept: it may be anyone's
            _failed(db, None, now, "unknown email")
            return Checked()
        if (closed := _closed(db, user, now)) is not None:
            return closed
        if not check_password_hash(user.password_hash, password):
            return count_wrong(db, user, now, "wrong password")
        if user.two_factor_enrolled:
            return Checked(staff_id=user.id, next_step=CODE)
        if two_factor_required():
            secret_to_enrol(user)
            return Checked(staff_id=user.id, next_step=ENROL)
        return _signed_in(db, user, now, "password only: two-factor is optional here")


def _check_code(staff_id: int, typed: str) -> Checked:
    now = clock()()
    with sessions().begin() as db:
        user = db.get(StaffUser, staff_id)
        if user is None or not user.two_factor_enrolled:  # reset since the password was given
            return Checked()
        if (closed := _closed(db, user, now)) is not None:
            return closed
        if accept_app_code(user, typed, now=now):
            return _signed_in(db, user, now, "password and authenticator app")
        if not use_recovery_code(db, user, typed, now=now):
            return count_wrong(db, user, now, "wrong code")
        db.flush()
        left = f"{recovery_codes_left(db, user.id)} left"
        record(
            db,
            AuditAction.RECOVERY_CODE_USED,
            at=now,
            via=Via.CONSOLE,
            staff_id=user.id,
            detail=left,
        )
        return _signed_in(db, user, now, "password and recovery code")


def _confirm_app(staff_id: int, typed: str) -> Checked:
    """Set up two-factor once the app shows the right code (a slip here counts for nothing:
    the secret is on the staff member's own screen), and sign in."""
    now = clock()()
    with sessions().begin() as db:
        user = db.get(StaffUser, staff_id)
        if user is None or user.two_factor_enrolled:  # set up meanwhile, in another window
            return Checked()
        if (closed := _closed(db, user, now)) is not None:
            return closed
        codes = confirm_enrolment(db, user, typed, now=now)
        if not codes:
            return Checked(try_again=True)
        record(db, AuditAction.TWO_FACTOR_ENROLLED, at=now, via=Via.CONSOLE, staff_id=user.id)
        signed_in = _signed_in(db, user, now, "password and authenticator app, just set up")
        return Checked(signed_in=signed_in.signed_in, recovery_codes=tuple(codes))


# --- the session between the password and the second step -------------------------------


@dataclass(frozen=True)
class Pending:
    """Who gave the right password, which step waits for them, and where they were going."""

    staff_id: int
    step: str
    next: str


def _start_pending(checked: Checked, next_path: str) -> None:
    session.clear()
    session.permanent = True
    session["sign_in"] = {
        "staff_id": checked.staff_id,
        "step": checked.next_step,
        "since": clock()().isoformat(),
        "next": next_path,
    }


def pending(step: str | None = None) -> Pending | None:
    """The sign-in waiting for its second step (this one, if named), unless it has lapsed."""
    held = session.get("sign_in")
    if not isinstance(held, dict):
        return None
    try:
        since = datetime.fromisoformat(held["since"])
        waiting = Pending(int(held["staff_id"]), str(held["step"]), str(held["next"]))
    except (KeyError, TypeError, ValueError):
        session.pop("sign_in", None)
        return None
    if clock()() - since > PENDING_FOR:
        session.pop("sign_in", None)
        return None
    return waiting if step in (None, waiting.step) else None


def finish_sign_in(signed_in: SignedIn) -> None:
    """Trade the pending state for a signed-in session."""
    session.pop("sign_in", None)
    session.permanent = True
    login_user(signed_in)


# --- pages ------------------------------------------------------------------------------


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET" and (waiting := pending()) is not None:
        return _second_step_page(waiting, CodeForm())
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 200 if request.method == "GET" else 401
    checked = _check_password(form.email.data or "", form.password.data or "")
    next_path = _safe_next(request.args.get("next"))
    if checked.signed_in is not None:
        session.clear()
        finish_sign_in(checked.signed_in)
        return redirect(next_path)
    if checked.next_step:
        _start_pending(checked, next_path)
        return redirect(url_for("auth.login"))
    _say_refused(checked, "That email and password do not match.")
    return render_template("login.html", form=form), 401


def _say_refused(checked: Checked, otherwise: str) -> None:
    flash(locked_message(checked.locked_until) if checked.locked_until else otherwise, "error")


def _second_step_page(waiting: Pending, form: CodeForm, status: int = 200) -> ResponseReturnValue:
    if waiting.step == CODE:
        return render_template("sign_in_code.html", form=form), status
    with sessions()() as db:
        user = db.get(StaffUser, waiting.staff_id)
        secret = None if user is None else user.totp_secret
        email = "" if user is None else user.email
    if secret is None:  # reset meanwhile: start again
        session.pop("sign_in", None)
        return redirect(url_for("auth.login"))
    page = render_template(
        "sign_in_enrol.html", form=form, secret=secret, qr=setup_qr(secret, email)
    )
    return page, status, {"Cache-Control": "no-store"}


def setup_qr(secret: str, email: str) -> Markup:
    """The QR code an authenticator app scans, as inline SVG (no image to fetch or cache)."""
    link = setup_link(secret, email=email, issuer=f"{settings().landlord} doorstep")
    svg = make_qr(link, error="m").svg_inline(scale=4, title="QR code for your authenticator app")
    return Markup(svg)  # noqa: S704 - segno's own SVG of our own link


@blueprint.post("/login/code")
def second_factor() -> ResponseReturnValue:
    return _second_step(CODE, _check_code)


@blueprint.post("/login/enrol")
def enrol() -> ResponseReturnValue:
    """Confirm the app shows the right code; then signed in, with recovery codes shown once."""
    return _second_step(ENROL, _confirm_app)


def _second_step(step: str, check: Callable[[int, str], Checked]) -> ResponseReturnValue:
    waiting = pending(step)
    if waiting is None:
        flash("Please sign in again: that took too long.", "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return _second_step_page(waiting, form, 422)
    checked = check(waiting.staff_id, form.code.data or "")
    if checked.try_again:
        form.code.errors = ["That code did not work. Type the newest code your app shows."]
        return _second_step_page(waiting, form, 401)
    if checked.signed_in is None:
        session.pop("sign_in", None)
        _say_refused(checked, "Please sign in again.")
        return redirect(url_for("auth.login"))
    finish_sign_in(checked.signed_in)
    if not checked.recovery_codes:
        return redirect(waiting.next)
    page = render_template(
        "pages/recovery_codes.html", codes=checked.recovery_codes, next=waiting.next
    )
    return page, 201, {"Cache-Control": "no-store"}


@blueprint.post("/login/restart")
def restart() -> ResponseReturnValue:
    """Leave a half-finished sign-in (another account, or no phone to hand)."""
    session.clear()
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this site, so a crafted link cannot send staff elsewhere."""
    if target and target.startswith("/") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("dashboard.home")


@blueprint.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
