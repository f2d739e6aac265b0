"""The staff pages, for admins: accounts, roles, deactivation and API tokens."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from models.staff import ApiToken, StaffUser, staff_for_token
from tests.conftest import STAFF_PASSWORD
from tests.helpers import StaffBrowser

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


@pytest.mark.parametrize("role", ["viewer", "officer"])
def test_only_an_admin_may_see_the_staff_pages(staff_as: Staff, role: str) -> None:
    browser = staff_as(role)
    assert browser.client.get(USERS).status_code == 403
    assert browser.client.get(NEW).status_code == 403
    assert ">Staff</a>" not in browser.client.get("/staff/").get_data(as_text=True)


def test_the_list_shows_each_account_with_role_state_and_live_tokens(staff_as: Staff) -> None:
    admin = staff_as("admin")
    html = admin.client.get(USERS).get_data(as_text=True)
    row = html.split(f">{admin.email}</a></td>", 1)[1].split("</tr>", 1)[0]
    assert "<td>admin</td>" in row and "<td>Yes</td>" in row and "<td>1</td>" in row


def test_an_admin_adds_a_staff_member_who_can_then_sign_in(
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
    assert user.role == "officer" and user.active
    assert user.password_hash != "correct horse"
    assert check_password_hash(user.password_hash, "correct horse")
    assert (
        StaffBrowser(app.test_client(), "jo.bloggs@example.org", "correct horse")
        .sign_in()
        .status_code
        == 302
    )


def test_a_short_password_or_a_taken_email_is_refused_with_a_reason(
    staff_as: Staff, db: Session
) -> None:
    admin = staff_as("admin")
    short = admin.submit(
        NEW, NEW, {"email": "jo@example.org", "role": "viewer", "password": "123456789"}
    )
    assert short.status_code == 422
    assert "Use at least 10 characters" in short.get_data(as_text=True)

    taken = admin.submit(
        NEW, NEW, {"email": admin.email.upper(), "role": "viewer", "password": "long enough pw"}
    )
    assert taken.status_code == 422
    assert f"There is already an account for {admin.email}." in taken.get_data(as_text=True)
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


def test_a_new_api_token_is_shown_once_and_works_until_revoked(
    staff_as: Staff, db: Session
) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other = account(db, officer.email)
    page = f"/staff/users/{other.id}"

    response = admin.submit(page, f"{page}/tokens", {})

    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    token = shown_token(response.get_data(as_text=True))
    assert token not in admin.client.get(page).get_data(as_text=True)
    assert staff_for_token(db, token) is not None
    db.commit()

    newest = tokens(db, other)[-1]
    assert admin.submit(page, f"{page}/tokens/{newest.id}/revoke", {}).status_code == 302
    assert tokens(db, other)[-1].revoked_at is not None
    assert staff_for_token(db, token) is None
    db.commit()


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


def test_an_officer_cannot_make_tokens_or_accounts(staff_as: Staff, db: Session) -> None:
    officer = staff_as("officer")
    me = account(db, officer.email)
    assert officer.submit("/staff/", f"/staff/users/{me.id}/tokens", {}).status_code == 403
    assert (
        officer.submit(
            "/staff/", NEW, {"email": "x@example.org", "role": "admin", "password": STAFF_PASSWORD}
        ).status_code
        == 403
    )
    assert len(tokens(db, me)) == 1


def test_a_forged_csrf_token_changes_no_role(staff_as: Staff, db: Session) -> None:
    admin, officer = staff_as("admin"), staff_as("officer")
    other = account(db, officer.email)
    response = admin.client.post(
        f"/staff/users/{other.id}/role", data={"role": "admin", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert account(db, officer.email).role == "officer"
