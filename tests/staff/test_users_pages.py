"""The staff pages, for admins: accounts, roles, locks, passwords, two-factor, API tokens."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from models.staff import ApiToken, RecoveryCode, StaffUser
from tests.conftest import STAFF_PASSWORD
from tests.helpers import Clock, StaffBrowser, statements_on

Staff = Callable[[str], StaffBrowser]
USERS = "/staff/users/"
NEW = "/staff/users/new"


def account(db: Session, email: str) -> StaffUser:
    db.expire_all()
    user = db.scalar(select(StaffUser).where(StaffUser.email == email))
    db.commit()
    assert user is not None
    return user


def tokens(db: Session, user: StaffUser) -> list[ApiToken]:
    db.expire_all()
    found = list(
        db.scalars(select(ApiToken).where(ApiToken.staff_id == user.id).order_by(ApiToken.id))
    )
    db.commit()
    return found


def shown_token(html: str) -> str:
    found = re.search(
        r'<input id="token" class="token" type="text" readonly value="([^"]+)">', html
    )
    assert found is not None
    return found.group(1)


def shown_password(html: str) -> str:
    found = re.search(
        r'<input id="password" class="token" type="text" readonly value="([^"]+)">', html
    )
    assert found is not None
    return found.group(1)


def api_answers(app: Flask, token: str) -> int:
    """What the API says to a call made with this token."""
    headers = {"Authorization": f"Bearer {token}"}
    return app.test_client().get("/api/v1/areas", headers=headers).status_code


def lock(app: Flask, email: str) -> None:
    """Five wrong passwords, from someone else's browser."""
    stranger = StaffBrowser(app.test_client(), email, "not the password at all")
    for _ in range(5):
        stranger.sign_in()


def row_of(html: str, email: str) -> str:
    return html.split(f">{email}</a></td>", 1)[1].split("</tr>", 1)[0]


@pytest.mark.parametrize("role", ["viewer", "officer"])
def test_only_an_admin_may_see_the_staff_pages(staff_as: Staff, role: str) -> None:
    browser = staff_as(role)
    assert browser.client.get(USERS).status_code == 403
    assert browser.client.get(NEW).status_code == 403
    assert ">Staff</a>" not in browser.client.get("/staff/").get_data(as_text=True)


def test_the_list_shows_each_account_with_role_state_two_factor_and_live_tokens(
    staff_as: Staff,
) -> None:
    admin = staff_as("admin")
    row = row_of(admin.client.get(USERS).text, admin.email)
    assert "<td>admin</td>" in row and "<td>Yes</td>" in row and "<td>1</td>" in row
    assert "<td>Set up</td>" in row


def test_an_admin_adds_a_staff_member_who_then_sets_up_their_app_and_signs_in(
    staff_as: Staff, db: Session, app: Flask
) -> None:
    admin = staff_as("admin")
    response = admin.submit(
        NEW,
        NEW,
        {"email": " Jo.Bloggs@Example.org ", "role": "officer", "password": "correct horse"},
    )
    assert response.status_code == 302
    user = account(db, "jo.bloggs@example.org")
    assert user.role == "officer" and user.active and not user.two_factor_enrolled
    assert user.password_hash != "correct horse"
    assert check_password_hash(user.password_hash, "correct horse")
    jo = StaffBrowser(app.test_client(), "jo.bloggs@example.org", "correct horse")
    assert len(jo.set_up_app()) == 10
    assert jo.client.get("/staff/").status_code == 200


@pytest.mark.parametrize(
    ("email", "password", "reason"),
    [
        ("jo@example.org", "12345678901", "Use at least 12 characters"),
        ("jo@example.org", "QWERTY123456", "one of the most used"),
        ("jo@example.org", "Jo@Example.org", "Do not use the email address"),
        ("jo.bloggs@example.org", "Jo.Bloggs2026!", "Do not use the email address"),
        ("jo@example.org", "Fife Housing Group 1", "the landlord&#39;s name"),
        ("notanemail", "correct horse battery", "notanemail is not an email address"),
        ("jo@", "correct horse battery", "is not an email address"),
    ],
)
def test_a_poor_password_or_a_bad_email_is_refused_with_a_reason(
    staff_as: Staff, db: Session, email: str, password: str, reason: str
) -> None:
    admin = staff_as("admin")
    refused = admin.submit(NEW, NEW, {"email": email, "role": "viewer", "password": password})
    assert refused.status_code == 422
    assert reason in refused.text
    db.expire_all()
    assert len(list(db.scalars(select(StaffUser)))) == 1
    db.commit()


def test_a_taken_email_is_refused_with_a_reason(staff_as: Staff, db: Session) -> None:
    admin = staff_as("admin")
    taken = admin.submit(
        NEW, NEW, {"email": admin.email.upper(), "role": "viewer", "password": "long enough pw"}
    )
    assert taken.status_code == 422
    assert f"There is already an account for {admin.email}." in taken.text
    db.expire_all()
    assert len(list(db.scalars(select(StaffUser)))) == 1
    db.commit()


def test_an_admin_changes_another_members_role_but_not_their_own(
    staff_as: Staff, db: Session
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other, me = account(db, officer.email), account(db, admin.email)

    page = f"/staff/users/{other.id}"
    assert admin.submit(page, f"{page}/role", {"role": "viewer"}).status_code == 302
    assert account(db, officer.email).role == "viewer"
    assert officer.client.get("/staff/tenants/import").status_code == 403  # at once

    mine = f"/staff/users/{me.id}"
    admin.submit(mine, f"{mine}/role", {"role": "viewer"})
    assert account(db, admin.email).role == "admin"
    assert "You cannot change your own role" in admin.client.get(mine).get_data(as_text=True)


def test_a_deactivated_member_is_signed_out_and_can_be_reactivated(
    staff_as: Staff, db: Session
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other = account(db, officer.email)
    page = f"/staff/users/{other.id}"

    assert admin.submit(page, f"{page}/deactivate", {}).status_code == 302
    assert not account(db, officer.email).active
    assert officer.client.get("/staff/").status_code == 302  # back to the sign-in page
    assert officer.sign_in().status_code == 401

    assert admin.submit(page, f"{page}/reactivate", {}).status_code == 302
    assert account(db, officer.email).active
    assert officer.sign_in().status_code == 302


def test_an_admin_cannot_deactivate_themself(staff_as: Staff, db: Session) -> None:
    admin = staff_as("admin")
    me = account(db, admin.email)
    page = f"/staff/users/{me.id}"
    admin.submit(page, f"{page}/deactivate", {})
    assert account(db, admin.email).active
    assert "You cannot deactivate your own account" in admin.client.get(page).get_data(as_text=True)


def test_a_locked_account_shows_until_when_and_an_admin_unlocks_it(
    staff_as: Staff, db: Session, app: Flask
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other = account(db, officer.email)
    page = f"/staff/users/{other.id}"
    lock(app, officer.email)

    listed = row_of(admin.client.get(USERS).text, officer.email)
    assert "<td>Locked until 10:15</td>" in listed and "<td>Yes</td>" not in listed
    shown = admin.client.get(page).text
    assert "<dt>Can sign in</dt><dd>Locked until 10:15" in shown
    assert officer.sign_in().status_code == 401

    assert admin.submit(page, f"{page}/unlock", {}).status_code == 302
    assert "<dt>Can sign in</dt><dd>Yes</dd>" in admin.client.get(page).text
    assert "Unlock" not in admin.client.get(page).text
    assert officer.sign_in().status_code == 302


def test_an_admin_resets_a_password_shown_once_and_the_old_one_and_its_sessions_stop(
    staff_as: Staff, db: Session, app: Flask
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other = account(db, officer.email)
    page = f"/staff/users/{other.id}"
    lock(app, officer.email)

    response = admin.submit(page, f"{page}/password", {})
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    password = shown_password(response.text)
    assert len(password) >= 12 and password not in admin.client.get(page).text
    assert officer.client.get("/staff/").status_code == 302, "their session ended"

    assert officer.sign_in().status_code == 401, "the old password"
    officer.password = password
    assert officer.sign_in().status_code == 302, "the new one, and the lock lifted"


def test_an_admin_resets_two_factor_and_the_member_sets_it_up_again(
    staff_as: Staff, db: Session
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other = account(db, officer.email)
    page = f"/staff/users/{other.id}"
    assert "Set up 5 Jan 2026, 09:00" in admin.client.get(page).text

    assert admin.submit(page, f"{page}/two-factor/reset", {}).status_code == 302
    assert "Not set up: they set it up when they next sign in" in admin.client.get(page).text
    assert officer.client.get("/staff/").status_code == 302, "their session ended"
    codes = officer.set_up_app()
    assert officer.totp_secret != "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "a new secret"
    assert (
        f"Set up 3 Mar 2026, 10:00; {len(codes)} recovery codes left" in admin.client.get(page).text
    )

    admin.submit(page, f"{page}/two-factor/reset", {})
    db.expire_all()
    assert list(db.scalars(select(RecoveryCode))) == []
    db.commit()


def test_an_admin_resets_neither_their_own_password_nor_their_own_two_factor(
    staff_as: Staff, db: Session
) -> None:
    admin = staff_as("admin")
    me = account(db, admin.email)
    page = f"/staff/users/{me.id}"
    assert "Reset password" not in admin.client.get(page).text
    refused = admin.submit(page, f"{page}/password", {})
    assert refused.status_code == 302
    admin.submit(page, f"{page}/two-factor/reset", {})
    after = account(db, admin.email)
    assert after.password_hash == me.password_hash and after.two_factor_enrolled
    assert admin.client.get("/staff/").status_code == 200


def test_a_new_api_token_is_shown_once_and_works_until_revoked(
    staff_as: Staff, db: Session, app: Flask
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other = account(db, officer.email)
    page = f"/staff/users/{other.id}"

    response = admin.submit(page, f"{page}/tokens", {})

    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    token = shown_token(response.get_data(as_text=True))
    assert token not in admin.client.get(page).get_data(as_text=True)
    assert api_answers(app, token) == 200

    newest = tokens(db, other)[-1]
    assert admin.submit(page, f"{page}/tokens/{newest.id}/revoke", {}).status_code == 302
    assert tokens(db, other)[-1].revoked_at is not None
    assert api_answers(app, token) == 401


def test_the_user_page_says_when_each_token_was_last_used_noting_it_once_a_minute(
    staff_as: Staff, db: Session, app: Flask, clock: Clock
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other = account(db, officer.email)
    page = f"/staff/users/{other.id}"
    token = shown_token(admin.submit(page, f"{page}/tokens", {}).text)
    newest = tokens(db, other)[-1]
    assert re.search(
        rf"Number {newest.id}</td>.*?<td>Never</td>", admin.client.get(page).text, re.S
    )

    first_call = clock()
    engine: Engine = app.extensions["doorstep.engine"]
    with statements_on(engine) as sent:
        for _ in range(3):
            assert api_answers(app, token) == 200
            clock.advance(seconds=15)
    writes = [s for s in sent if s.lstrip().upper().startswith("UPDATE API_TOKENS")]
    assert len(writes) == 1, "three calls in under a minute: one write"
    assert tokens(db, other)[-1].last_used_at == first_call
    clock.advance(minutes=2)
    assert api_answers(app, token) == 200
    used = tokens(db, other)[-1].last_used_at
    assert used == clock.now
    row = re.search(rf"Number {newest.id}</td>(.*?)</tr>", admin.client.get(page).text, re.S)
    assert row is not None and "3 Mar 2026, 10:02" in row.group(1)


def test_a_token_of_another_member_cannot_be_revoked_through_the_wrong_page(
    staff_as: Staff, db: Session
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    me, other = account(db, admin.email), account(db, officer.email)
    their_token = tokens(db, other)[0]
    page = f"/staff/users/{me.id}"
    response = admin.submit(page, f"{page}/tokens/{their_token.id}/revoke", {})
    assert response.status_code == 404
    assert tokens(db, other)[0].revoked_at is None


def test_an_officer_cannot_make_tokens_accounts_or_resets(staff_as: Staff, db: Session) -> None:
    officer = staff_as("officer")
    me = account(db, officer.email)
    assert officer.submit("/staff/", f"/staff/users/{me.id}/tokens", {}).status_code == 403
    assert (
        officer.submit(
            "/staff/", NEW, {"email": "x@example.org", "role": "admin", "password": STAFF_PASSWORD}
        ).status_code
        == 403
    )
    for action in ("unlock", "password", "two-factor/reset"):
        assert officer.submit("/staff/", f"/staff/users/{me.id}/{action}", {}).status_code == 403
    assert len(tokens(db, me)) == 1


def test_a_forged_csrf_token_changes_no_role_and_resets_nothing(
    staff_as: Staff, db: Session
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other = account(db, officer.email)
    response = admin.client.post(
        f"/staff/users/{other.id}/role", data={"role": "admin", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert account(db, officer.email).role == "officer"
    for action in ("password", "two-factor/reset", "unlock"):
        forged = admin.client.post(f"/staff/users/{other.id}/{action}", data={"csrf_token": "x"})
        assert forged.status_code == 400
    after = account(db, officer.email)
    assert after.password_hash == other.password_hash and after.two_factor_enrolled
