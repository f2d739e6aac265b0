"""Signing in and out of the console: passwords, lockout, sessions, roles, safe redirects."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from models.staff import StaffUser
from tests.conftest import STAFF_PASSWORD, make_staff
from tests.helpers import Clock, StaffBrowser, csrf_token


def browser(app: Flask, sessions: sessionmaker[Session], role: str = "officer") -> StaffBrowser:
    email = f"{role}@example.org"
    make_staff(sessions, email, role)
    return StaffBrowser(app.test_client(), email, STAFF_PASSWORD)


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_afterwards(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    response = visitor.client.get("/staff/inbox/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")
    page = visitor.client.get(response.headers["Location"]).get_data(as_text=True)
    signed = visitor.client.post(
        "/staff/login?next=/staff/inbox/",
        data={"email": visitor.email, "password": STAFF_PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert signed.status_code == 302 and signed.headers["Location"] == "/staff/inbox/"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    visitor.password = "not the password"
    response = visitor.sign_in()
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert visitor.client.get("/staff/").status_code == 302


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    app: Flask, sessions: sessionmaker[Session], clock: Clock
) -> None:
    visitor = browser(app, sessions)
    right = visitor.password
    visitor.password = "wrong password"
    for _ in range(5):
        assert visitor.sign_in().status_code == 401
    visitor.password = right
    assert visitor.sign_in().status_code == 401, "locked even with the right password"
    clock.advance(minutes=16)
    assert visitor.sign_in().status_code == 302


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
    assert visitor.client.get("/staff/").status_code == 302


def test_after_sign_in_a_link_elsewhere_is_not_followed(
    app: Flask, sessions: sessionmaker[Session]
) -> None:
    visitor = browser(app, sessions)
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        page = visitor.client.get("/staff/login").get_data(as_text=True)
        response = visitor.client.post(
            f"/staff/login?next={target}",
            data={
                "email": visitor.email,
                "password": STAFF_PASSWORD,
                "csrf_token": csrf_token(page),
            },
        )
        assert response.headers["Location"] == "/staff/", target


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
