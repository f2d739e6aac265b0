"""Signing in and out of the console: password, then an authenticator app's code; lockout,
sessions, roles, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from doorstep.config import Config
from models.staff import StaffUser
from tests.conftest import STAFF_PASSWORD, make_staff
from tests.helpers import (
    STAFF_TOTP_SECRET,
    Clock,
    StaffBrowser,
    authenticator_code,
    csrf_token,
    recovery_codes_on,
    secret_on,
)


def browser(
    app: Flask, sessions: sessionmaker[Session], role: str = "officer", *, two_factor: bool = True
) -> StaffBrowser:
    email = f"{role}@example.org"
    make_staff(sessions, email, role, two_factor=two_factor)
    return StaffBrowser(app.test_client(), email, STAFF_PASSWORD)


def give_password(visitor: StaffBrowser) -> str:
    """Only the first step; the page the browser is sent to next."""
    token = csrf_token(visitor.client.get("/staff/login").get_data(as_text=True))
    response = visitor.client.post(
        "/staff/login",
        data={"email": visitor.email, "password": visitor.password, "csrf_token": token},
    )
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_afterwards(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    response = visitor.client.get("/staff/inbox/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")
    signed = visitor.sign_in(next_path="/staff/inbox/")
    assert signed.status_code == 302 and signed.headers["Location"] == "/staff/inbox/"
    assert visitor.client.get("/staff/inbox/").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    visitor.password = "not the password"
    response = visitor.sign_in()
    assert response.status_code == 401
    assert "That email and password do not match." in response.text
    assert visitor.client.get("/staff/").status_code == 302


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes_and_say_until_when(
    app: Flask, sessions: sessionmaker[Session], clock: Clock
) -> None:
    visitor = browser(app, sessions)
    right = visitor.password
    visitor.password = "wrong password"
    for _ in range(4):
        assert "do not match" in visitor.sign_in().text
    fifth = visitor.sign_in()
    assert fifth.status_code == 401 and "locked until 10:15" in fifth.text
    visitor.password = right
    locked = visitor.sign_in()
    assert locked.status_code == 401, "locked even with the right password"
    assert "This account is locked until 10:15" in locked.text
    assert "Try again then, or ask an admin to unlock it." in locked.text
    clock.advance(minutes=16)
    assert visitor.sign_in().status_code == 302


def test_the_lock_says_its_time_in_the_landlords_time_zone_in_summer_too(
    app: Flask, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)
    visitor = browser(app, sessions)
    visitor.password = "wrong password"
    for _ in range(5):
        response = visitor.sign_in()
    assert "locked until 10:15" in response.text


def test_after_the_password_a_code_from_the_app_is_asked_for_and_nothing_else_opens(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    assert give_password(visitor) == "/staff/login"
    page = visitor.client.get("/staff/login")
    assert page.status_code == 200 and "Type the code from your app" in page.text
    assert 'autocomplete="one-time-code"' in page.text
    for path in ("/staff/", "/staff/tenants/", "/staff/account/", "/staff/users/"):
        refused = visitor.client.get(path)
        assert refused.status_code == 302 and refused.headers["Location"].startswith(
            "/staff/login"
        ), path
    code = authenticator_code(app, visitor.email)
    assert visitor.give_code(code).status_code == 302
    assert visitor.client.get("/staff/").status_code == 200


def test_the_code_is_checked_against_the_apps_clock_a_step_either_side(
    app: Flask, sessions: sessionmaker[Session], clock: Clock
) -> None:
    totp = pyotp.TOTP(STAFF_TOTP_SECRET)
    visitor = browser(app, sessions)
    give_password(visitor)
    too_late = visitor.give_code(totp.at(clock(), counter_offset=2))
    assert too_late.status_code == 401 and "That code did not work" in too_late.text
    wall_clock = visitor.give_code(totp.now())  # the test's clock is not the wall's
    assert wall_clock.status_code == 401
    assert visitor.give_code(totp.at(clock(), counter_offset=1)).status_code == 302


def test_a_code_cannot_be_used_twice(
    app: Flask, sessions: sessionmaker[Session], clock: Clock
) -> None:
    visitor = browser(app, sessions)
    code = pyotp.TOTP(STAFF_TOTP_SECRET).at(clock())
    give_password(visitor)
    assert visitor.give_code(code).status_code == 302
    visitor.submit("/staff/", "/staff/logout", {})

    give_password(visitor)
    again = visitor.give_code(code)
    assert again.status_code == 401 and "That code did not work" in again.text
    earlier = pyotp.TOTP(STAFF_TOTP_SECRET).at(clock(), counter_offset=-1)
    assert visitor.give_code(earlier).status_code == 401, "older than the last one used"


def test_wrong_codes_count_towards_the_same_lock_as_wrong_passwords(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    visitor.password = "wrong password"
    visitor.sign_in()
    visitor.password = STAFF_PASSWORD
    give_password(visitor)
    for _ in range(3):
        assert visitor.give_code("000000").status_code == 401
    locking = visitor.give_code("000000")
    assert locking.status_code == 302 and locking.headers["Location"] == "/staff/login"
    assert "locked until 10:15" in visitor.client.get("/staff/login").text
    assert visitor.sign_in().status_code == 401, "the right password and code wait for 10:15"


def test_giving_the_password_again_does_not_forgive_wrong_codes(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    give_password(visitor)
    for _ in range(4):
        visitor.give_code("123456")
    visitor.submit("/staff/login", "/staff/login/restart", {})
    give_password(visitor)
    visitor.give_code("654321")
    assert "locked until" in visitor.client.get("/staff/login").text


def test_a_half_finished_sign_in_lapses_after_ten_minutes(
    app: Flask, sessions: sessionmaker[Session], clock: Clock
) -> None:
    visitor = browser(app, sessions)
    give_password(visitor)
    clock.advance(minutes=11)
    assert "Type the code" not in visitor.client.get("/staff/login").text
    late = visitor.give_code(authenticator_code(app, visitor.email))
    assert late.status_code == 302 and late.headers["Location"] == "/staff/login"
    assert visitor.client.get("/staff/").status_code == 302


def test_starting_again_leaves_the_half_finished_sign_in(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    give_password(visitor)
    assert visitor.submit("/staff/login", "/staff/login/restart", {}).status_code == 302
    page = visitor.client.get("/staff/login").text
    assert 'id="password"' in page and "Type the code" not in page


def test_a_member_with_no_app_must_set_one_up_before_any_page(
    app: Flask, sessions: sessionmaker[Session], db: Session
) -> None:
    visitor = browser(app, sessions, two_factor=False)
    assert give_password(visitor) == "/staff/login"
    page = visitor.client.get("/staff/login")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Set up two-factor sign-in" in page.text and "<svg" in page.text
    assert visitor.client.get("/staff/").status_code == 302
    secret = secret_on(page.text)

    slip = visitor.client.post(
        "/staff/login/enrol", data={"code": "000000", "csrf_token": csrf_token(page.text)}
    )
    assert slip.status_code == 401 and secret_on(slip.text) == secret

    code = pyotp.TOTP(secret).at(visitor.client.application.extensions["doorstep.clock"]())
    done = visitor.client.post(
        "/staff/login/enrol", data={"code": code, "csrf_token": csrf_token(page.text)}
    )
    assert done.status_code == 201 and done.headers["Cache-Control"] == "no-store"
    codes = recovery_codes_on(done.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert visitor.client.get("/staff/").status_code == 200
    db.expire_all()
    user = db.scalars(select(StaffUser)).one()
    assert user.failed_logins == 0, "a slip while setting up is no guess"
    assert user.two_factor_since is not None
    db.commit()

    visitor.totp_secret = secret
    visitor.submit("/staff/", "/staff/logout", {})
    assert give_password(visitor) == "/staff/login"
    assert "Type the code from your app" in visitor.client.get("/staff/login").text


def test_a_recovery_code_signs_in_once(app: Flask, sessions: sessionmaker[Session]) -> None:
    visitor = browser(app, sessions, two_factor=False)
    codes = visitor.set_up_app()
    visitor.submit("/staff/", "/staff/logout", {})

    give_password(visitor)
    assert visitor.give_code(codes[3].upper().replace("-", " ")).status_code == 302
    visitor.submit("/staff/", "/staff/logout", {})
    give_password(visitor)
    assert visitor.give_code(codes[3]).status_code == 401


def test_where_two_factor_is_optional_the_password_alone_signs_in_those_without_an_app(
    config: Config, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    from doorstep.app import create_app

    app = create_app(replace(config, staff_two_factor="optional"), clock=clock)
    newcomer = browser(app, sessions, "viewer", two_factor=False)
    signed = newcomer.sign_in()
    assert signed.status_code == 302 and signed.headers["Location"] == "/staff/"

    enrolled = browser(app, sessions, "admin")
    assert give_password(enrolled) == "/staff/login", "an app once set up is always asked for"
    app.extensions["doorstep.engine"].dispose()


def test_when_two_factor_becomes_required_sessions_without_it_end(
    app: Flask, config: Config, sessions: sessionmaker[Session]
) -> None:
    app.config["DOORSTEP"] = replace(config, staff_two_factor="optional")
    visitor = browser(app, sessions, two_factor=False)
    assert visitor.sign_in().status_code == 302
    assert visitor.client.get("/staff/").status_code == 200
    app.config["DOORSTEP"] = config
    assert visitor.client.get("/staff/").status_code == 302


def test_a_deactivated_account_cannot_sign_in_and_its_session_stops_working(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    assert visitor.sign_in().status_code == 302
    with sessions.begin() as db:
        db.execute(update(StaffUser).values(active=False))
    assert visitor.client.get("/staff/").status_code == 302
    assert visitor.sign_in().status_code == 401


def test_the_session_cookie_is_http_only_lax_and_lapses(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    cookie = visitor.sign_in().headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600


def test_sign_out_needs_the_csrf_token_and_ends_the_session(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    visitor.sign_in()
    assert visitor.client.post("/staff/logout").status_code == 400
    assert visitor.client.get("/staff/").status_code == 200
    assert visitor.submit("/staff/", "/staff/logout", {}).status_code == 302
    assert visitor.client.get("/staff/").status_code == 302


def test_a_sign_in_form_without_its_csrf_token_is_refused(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    response = visitor.client.post(
        "/staff/login", data={"email": visitor.email, "password": STAFF_PASSWORD}
    )
    assert response.status_code in (400, 401)
    give_password(visitor)
    no_token = visitor.client.post(
        "/staff/login/code", data={"code": authenticator_code(app, visitor.email)}
    )
    assert no_token.status_code == 400
    assert visitor.client.get("/staff/").status_code == 302


def test_nonsense_at_the_code_step_gets_an_answer_not_an_error(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    give_password(visitor)
    for typed in ("", " ", "x" * 2000, "12345\x00", "١٢٣٤٥٦", "🙂🙂🙂🙂🙂🙂"):
        token = csrf_token(visitor.client.get("/staff/login").text)
        response = visitor.client.post(
            "/staff/login/code", data={"code": typed, "csrf_token": token}
        )
        assert response.status_code in (302, 401, 422), typed
    stranger = app.test_client()
    assert stranger.get("/staff/login").status_code == 200
    token = csrf_token(stranger.get("/staff/login").text)
    no_sign_in = stranger.post("/staff/login/code", data={"code": "123456", "csrf_token": token})
    assert no_sign_in.status_code == 302 and no_sign_in.headers["Location"] == "/staff/login"


def test_after_sign_in_a_link_elsewhere_is_not_followed(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = visitor.sign_in(next_path=target)
        assert response.headers["Location"] == "/staff/", target
        visitor.submit("/staff/", "/staff/logout", {})


def test_passwords_are_stored_hashed(
    app: Flask, sessions: sessionmaker[Session], db: Session
) -> None:
    browser(app, sessions)
    stored = db.scalar(select(StaffUser.password_hash))
    assert stored is not None and STAFF_PASSWORD not in stored and stored.startswith("scrypt:")


def test_every_role_sees_the_dashboard(staff_as: Callable[[str], StaffBrowser]) -> None:
    for role in ("viewer", "officer", "admin"):
        page = staff_as(role).client.get("/staff/")
        assert page.status_code == 200 and "Today" in page.get_data(as_text=True)


def test_the_home_page_leads_to_the_console(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
