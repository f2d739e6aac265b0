"""Your own account: changing your password, and setting up two-factor where it is optional."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pyotp
import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from doorstep.config import Config
from tests.conftest import STAFF_PASSWORD, make_staff
from tests.helpers import Clock, StaffBrowser, recovery_codes_on, secret_on

Staff = Callable[[str], StaffBrowser]
ACCOUNT = "/staff/account/"
NEW_PASSWORD = "heather on the braes"


def change(browser: StaffBrowser, current: str, new: str, again: str | None = None) -> TestResponse:
    form = {"current": current, "new": new, "again": new if again is None else again}
    return browser.submit(ACCOUNT, "/staff/account/password", form)


@pytest.mark.parametrize("role", ["viewer", "officer", "admin"])
def test_every_member_reaches_their_own_account_from_the_header(staff_as: Staff, role: str) -> None:
    browser = staff_as(role)
    assert 'href="/staff/account/"' in browser.client.get("/staff/").text
    page = browser.client.get(ACCOUNT)
    assert page.status_code == 200 and browser.email in page.text
    assert "5 Jan 2026, 09:00</time>; 0 recovery codes left" in page.text


def test_a_member_changes_their_password_and_their_other_sessions_end(
    staff_as: Staff, app: Flask
) -> None:
    here = staff_as("officer")
    elsewhere = StaffBrowser(app.test_client(), here.email, STAFF_PASSWORD)
    assert elsewhere.sign_in().status_code == 302

    changed = change(here, STAFF_PASSWORD, NEW_PASSWORD)
    assert changed.status_code == 302
    assert "Your password is changed" in here.client.get(ACCOUNT).text
    assert here.client.get("/staff/").status_code == 200, "this session goes on"
    assert elsewhere.client.get("/staff/").status_code == 302, "the other one ends"

    assert elsewhere.sign_in().status_code == 401, "the old password"
    elsewhere.password = NEW_PASSWORD
    assert elsewhere.sign_in().status_code == 302


@pytest.mark.parametrize(
    ("new", "again", "reason"),
    [
        ("short pw", None, "Use at least 12 characters"),
        ("qwertyuiop123", None, "one of the most used"),
        ("Fife Housing Group!", None, "the landlord&#39;s name"),
        (NEW_PASSWORD, "heather on the brae", "The two new passwords are not the same."),
        ("", None, "Choose a new password."),
    ],
)
def test_a_poor_new_password_is_refused_with_a_reason(
    staff_as: Staff, new: str, again: str | None, reason: str
) -> None:
    browser = staff_as("viewer")
    refused = change(browser, STAFF_PASSWORD, new, again)
    assert refused.status_code == 422
    assert reason in refused.text
    browser.submit("/staff/", "/staff/logout", {})
    assert browser.sign_in().status_code == 302, "the password is as it was"


def test_a_new_password_of_their_email_is_refused(staff_as: Staff) -> None:
    browser = staff_as("viewer")
    refused = change(browser, STAFF_PASSWORD, browser.email.upper() + "!!")
    assert "Do not use the email address" in refused.text


def test_a_wrong_current_password_counts_towards_the_lock_and_the_lock_signs_out(
    staff_as: Staff,
) -> None:
    browser = staff_as("officer")
    for _ in range(4):
        wrong = change(browser, "not my password at all", NEW_PASSWORD)
        assert wrong.status_code == 422
        assert "That is not your current password." in wrong.text
    locking = change(browser, "not my password at all", NEW_PASSWORD)
    assert locking.headers["Location"] == "/staff/login"
    assert "locked until 10:15" in browser.client.get("/staff/login").text
    assert browser.client.get("/staff/").status_code == 302
    assert browser.sign_in().status_code == 401


def test_where_two_factor_is_optional_a_member_sets_it_up_from_their_account(
    config: Config, clock: Clock, sessions: sessionmaker[Session], db: Session
) -> None:
    from doorstep.app import create_app

    app = create_app(replace(config, staff_two_factor="optional"), clock=clock)
    make_staff(sessions, "jo@example.org", "officer", two_factor=False)
    jo = StaffBrowser(app.test_client(), "jo@example.org", STAFF_PASSWORD)
    assert jo.sign_in().headers["Location"] == "/staff/"
    assert "Set up two-factor sign-in" in jo.client.get(ACCOUNT).text

    assert jo.submit(ACCOUNT, "/staff/account/two-factor/start", {}).status_code == 302
    page = jo.client.get(ACCOUNT)
    assert page.headers["Cache-Control"] == "no-store" and "<svg" in page.text
    secret = secret_on(page.text)
    slip = jo.submit(ACCOUNT, "/staff/account/two-factor", {"code": "000000"})
    assert slip.status_code == 422 and "That code did not match" in slip.text

    code = pyotp.TOTP(secret).at(clock())
    done = jo.submit(ACCOUNT, "/staff/account/two-factor", {"code": code})
    assert done.status_code == 201 and done.headers["Cache-Control"] == "no-store"
    assert len(recovery_codes_on(done.text)) == 10
    assert jo.client.get("/staff/").status_code == 200, "still signed in"
    assert "3 Mar 2026, 10:00</time>; 10 recovery codes left" in jo.client.get(ACCOUNT).text

    jo.submit("/staff/", "/staff/logout", {})
    jo.totp_secret = secret
    clock.advance(seconds=30)
    assert jo.sign_in().status_code == 302
    assert "Type the code" not in jo.client.get("/staff/").text
    app.extensions["doorstep.engine"].dispose()


def test_the_account_forms_need_their_csrf_token(staff_as: Staff) -> None:
    browser = staff_as("officer")
    form = {"current": STAFF_PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD}
    assert browser.client.post("/staff/account/password", data=form).status_code == 400
    assert browser.client.post("/staff/account/two-factor/start").status_code == 400
    browser.submit("/staff/", "/staff/logout", {})
    assert browser.sign_in().status_code == 302
