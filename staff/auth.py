"""Staff sign-in: email and password for the console, bearer tokens for the API.

Passwords are checked with werkzeug's scrypt hashes; five failures lock an
account for fifteen minutes. Sessions are permanent cookies that lapse after
PERMANENT_SESSION_LIFETIME of inactivity. Roles nest: admin > officer > viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
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
from werkzeug.security import check_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from models.staff import StaffUser, find_staff, is_locked, note_login_attempt, role_allows
from staff.context import clock, sessions

blueprint = Blueprint("auth", __name__, url_prefix="/staff")
F = TypeVar("F", bound=Callable[..., Any])


class SignedIn(UserMixin):
    """The signed-in staff member as the console sees them (no ORM object kept)."""

    def __init__(self, user: StaffUser) -> None:
        self.id, self.email, self.role = user.id, user.email, user.role
        self.may_see_shoppers = user.may_see_shoppers

    def may(self, role: str) -> bool:
        return role_allows(self.role, role)


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def init_app(app: Flask) -> None:
    manager = LoginManager(app)
    manager.login_view = "auth.login"
    manager.login_message = "Please sign in to see that page."
    manager.user_loader(_load)
    app.register_blueprint(blueprint)


def _load(user_id: str) -> SignedIn | None:
    if not user_id.isdigit():
        return None
    with sessions()() as db:
        user = db.get(StaffUser, int(user_id))
        return SignedIn(user) if user is not None and user.active else None


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


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        user = _check(form.email.data or "", form.password.data or "")
        if user is not None:
            session.clear()
            session.permanent = True
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash("That email and password do not match, or the account is locked for now.", "error")
    return render_template("login.html", form=form), 200 if request.method == "GET" else 401


def _check(email: str, password: str) -> SignedIn | None:
    now = clock()()
    with sessions().begin() as db:
        user = find_staff(db, email)
        if user is None or not user.active or is_locked(user, now):
            return None
        ok = check_password_hash(user.password_hash, password)
        note_login_attempt(user, succeeded=ok, now=now)
        return SignedIn(user) if ok else None


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
