"""Staff account actions leave their audit line, from the console and from the command.

A console line names the staff member who acted; a command line names nobody (the
operator at the command line has no account). When the account acted on is not the
actor's own, the line names it by email; an email typed at sign-in that matches no
account is never kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from doorstep.cli import main
from models.audit import AuditAction, AuditEntry, Via
from models.staff import ApiToken, StaffUser
from tests.conftest import STAFF_PASSWORD, make_staff
from tests.helpers import StaffBrowser

Staff = Callable[[str], StaffBrowser]
JO = "jo@example.org"


@dataclass(frozen=True)
class Expected:
    """Whose id the line carries (None: nobody's) and which account's email it names."""

    actor: str | None
    names: str = ""


@dataclass
class Desk:
    app: Flask
    db: Session
    sessions: sessionmaker[Session]
    staff_as: Staff

    def command(self, *args: str, given: str | None = None) -> None:
        result = self.app.test_cli_runner().invoke(main, list(args), input=given)
        assert result.exit_code == 0, result.output

    def jo(self, *, two_factor: bool = True) -> StaffBrowser:
        """Jo, an officer, not yet signed in anywhere."""
        make_staff(self.sessions, JO, "officer", two_factor=two_factor)
        return StaffBrowser(self.app.test_client(), JO, STAFF_PASSWORD)

    def page_of(self, email: str) -> str:
        found = self.db.scalar(select(StaffUser.id).where(StaffUser.email == email))
        self.db.commit()
        return f"/staff/users/{found}"

    def admin_on_jos_page(self) -> tuple[StaffBrowser, str]:
        self.jo()
        admin = self.staff_as("admin")
        return admin, self.page_of(JO)


def lock_jo(desk: Desk) -> None:
    stranger = StaffBrowser(desk.app.test_client(), JO, "not the password at all")
    for _ in range(5):
        stranger.sign_in()


def console_sign_in(desk: Desk) -> Expected:
    assert desk.jo().sign_in().status_code == 302
    return Expected(JO)


def console_wrong_password(desk: Desk) -> Expected:
    jo = desk.jo()
    jo.password = "not the password at all"
    assert jo.sign_in().status_code == 401
    return Expected(JO)


def console_unknown_email(desk: Desk) -> Expected:
    stranger = StaffBrowser(desk.app.test_client(), "who.am.i@example.org", STAFF_PASSWORD)
    assert stranger.sign_in().status_code == 401
    return Expected(None)


def console_lock(desk: Desk) -> Expected:
    desk.jo()
    lock_jo(desk)
    return Expected(JO)


def console_password_change(desk: Desk) -> Expected:
    jo = desk.jo()
    jo.sign_in()
    form = {
        "current": STAFF_PASSWORD,
        "new": "heather on the braes",
        "again": "heather on the braes",
    }
    assert jo.submit("/staff/account/", "/staff/account/password", form).status_code == 302
    return Expected(JO)


def console_password_reset(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    assert admin.submit(page, f"{page}/password", {}).status_code == 201
    return Expected(admin.email, JO)


def command_password_reset(desk: Desk) -> Expected:
    desk.jo()
    desk.command("staff", "reset-password", JO)
    return Expected(None, JO)


def console_unlock(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    lock_jo(desk)
    assert admin.submit(page, f"{page}/unlock", {}).status_code == 302
    return Expected(admin.email, JO)


def command_unlock(desk: Desk) -> Expected:
    desk.jo()
    lock_jo(desk)
    desk.command("staff", "unlock", JO)
    return Expected(None, JO)


def console_add(desk: Desk) -> Expected:
    admin = desk.staff_as("admin")
    form = {"email": JO, "role": "viewer", "password": "heather on the braes"}
    assert admin.submit("/staff/users/new", "/staff/users/new", form).status_code == 302
    return Expected(admin.email, JO)


def command_add(desk: Desk) -> Expected:
    desk.command("staff", "add", JO, "--role", "viewer", "--generate-password")
    return Expected(None, JO)


def console_deactivate(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    assert admin.submit(page, f"{page}/deactivate", {}).status_code == 302
    return Expected(admin.email, JO)


def command_deactivate(desk: Desk) -> Expected:
    desk.jo()
    desk.command("staff", "deactivate", JO)
    return Expected(None, JO)


def console_reactivate(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    admin.submit(page, f"{page}/deactivate", {})
    assert admin.submit(page, f"{page}/reactivate", {}).status_code == 302
    return Expected(admin.email, JO)


def command_reactivate(desk: Desk) -> Expected:
    desk.jo()
    desk.command("staff", "deactivate", JO)
    desk.command("staff", "reactivate", JO)
    return Expected(None, JO)


def console_role(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    assert admin.submit(page, f"{page}/role", {"role": "viewer"}).status_code == 302
    return Expected(admin.email, JO)


def console_enrol(desk: Desk) -> Expected:
    desk.jo(two_factor=False).set_up_app()
    return Expected(JO)


def console_two_factor_reset(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    assert admin.submit(page, f"{page}/two-factor/reset", {}).status_code == 302
    return Expected(admin.email, JO)


def command_two_factor_reset(desk: Desk) -> Expected:
    desk.jo()
    desk.command("staff", "reset-two-factor", JO)
    return Expected(None, JO)


def console_recovery_code(desk: Desk) -> Expected:
    jo = desk.jo(two_factor=False)
    codes = jo.set_up_app()
    jo.submit("/staff/", "/staff/logout", {})
    StaffBrowser(jo.client, JO, STAFF_PASSWORD).sign_in()  # asks for a code: give a recovery one
    assert jo.give_code(codes[0]).status_code == 302
    return Expected(JO)


def console_grant_names(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    assert admin.submit(page, f"{page}/shopper-names", {"allow": "yes"}).status_code == 302
    return Expected(admin.email, JO)


def console_withdraw_names(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    admin.submit(page, f"{page}/shopper-names", {"allow": "yes"})
    assert admin.submit(page, f"{page}/shopper-names", {"allow": "no"}).status_code == 302
    return Expected(admin.email, JO)


def console_token(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    assert admin.submit(page, f"{page}/tokens", {}).status_code == 201
    return Expected(admin.email, JO)


def console_revoke(desk: Desk) -> Expected:
    admin, page = desk.admin_on_jos_page()
    token_id = desk.db.scalar(select(ApiToken.id).join(StaffUser).where(StaffUser.email == JO))
    desk.db.commit()
    assert admin.submit(page, f"{page}/tokens/{token_id}/revoke", {}).status_code == 302
    return Expected(admin.email, JO)


Scenario = Callable[[Desk], Expected]
STAFF_SCENARIOS: dict[tuple[AuditAction, Via, str], Scenario] = {
    (AuditAction.SIGNED_IN, Via.CONSOLE, "both steps"): console_sign_in,
    (AuditAction.SIGN_IN_FAILED, Via.CONSOLE, "wrong password"): console_wrong_password,
    (AuditAction.SIGN_IN_FAILED, Via.CONSOLE, "unknown email"): console_unknown_email,
    (AuditAction.SIGN_IN_LOCKED, Via.CONSOLE, "five wrong"): console_lock,
    (AuditAction.PASSWORD_CHANGED, Via.CONSOLE, "own"): console_password_change,
    (AuditAction.PASSWORD_RESET, Via.CONSOLE, "admin"): console_password_reset,
    (AuditAction.PASSWORD_RESET, Via.COMMAND, "operator"): command_password_reset,
    (AuditAction.ACCOUNT_UNLOCKED, Via.CONSOLE, "admin"): console_unlock,
    (AuditAction.ACCOUNT_UNLOCKED, Via.COMMAND, "operator"): command_unlock,
    (AuditAction.ACCOUNT_ADDED, Via.CONSOLE, "admin"): console_add,
    (AuditAction.ACCOUNT_ADDED, Via.COMMAND, "operator"): command_add,
    (AuditAction.ACCOUNT_DEACTIVATED, Via.CONSOLE, "admin"): console_deactivate,
    (AuditAction.ACCOUNT_DEACTIVATED, Via.COMMAND, "operator"): command_deactivate,
    (AuditAction.ACCOUNT_REACTIVATED, Via.CONSOLE, "admin"): console_reactivate,
    (AuditAction.ACCOUNT_REACTIVATED, Via.COMMAND, "operator"): command_reactivate,
    (AuditAction.ROLE_CHANGED, Via.CONSOLE, "admin"): console_role,
    (AuditAction.TWO_FACTOR_ENROLLED, Via.CONSOLE, "at sign-in"): console_enrol,
    (AuditAction.TWO_FACTOR_RESET, Via.CONSOLE, "admin"): console_two_factor_reset,
    (AuditAction.TWO_FACTOR_RESET, Via.COMMAND, "operator"): command_two_factor_reset,
    (AuditAction.RECOVERY_CODE_USED, Via.CONSOLE, "at sign-in"): console_recovery_code,
    (AuditAction.SHOPPER_NAMES_GRANTED, Via.CONSOLE, "admin"): console_grant_names,
    (AuditAction.SHOPPER_NAMES_WITHDRAWN, Via.CONSOLE, "admin"): console_withdraw_names,
    (AuditAction.TOKEN_ISSUED, Via.CONSOLE, "admin"): console_token,
    (AuditAction.TOKEN_ISSUED, Via.COMMAND, "staff add"): command_add,
    (AuditAction.TOKEN_REVOKED, Via.CONSOLE, "admin"): console_revoke,
}
STAFF_ACTIONS = {
    AuditAction.SIGNED_IN,
    AuditAction.SIGN_IN_FAILED,
    AuditAction.SIGN_IN_LOCKED,
    AuditAction.PASSWORD_CHANGED,
    AuditAction.PASSWORD_RESET,
    AuditAction.ACCOUNT_UNLOCKED,
    AuditAction.ACCOUNT_ADDED,
    AuditAction.ACCOUNT_DEACTIVATED,
    AuditAction.ACCOUNT_REACTIVATED,
    AuditAction.ROLE_CHANGED,
    AuditAction.TWO_FACTOR_ENROLLED,
    AuditAction.TWO_FACTOR_RESET,
    AuditAction.RECOVERY_CODE_USED,
    AuditAction.SHOPPER_NAMES_GRANTED,
    AuditAction.SHOPPER_NAMES_WITHDRAWN,
    AuditAction.TOKEN_ISSUED,
    AuditAction.TOKEN_REVOKED,
}


@pytest.fixture
def desk(app: Flask, db: Session, sessions: sessionmaker[Session], staff_as: Staff) -> Desk:
    return Desk(app, db, sessions, staff_as)


def lines_of(db: Session, action: AuditAction) -> list[AuditEntry]:
    db.expire_all()
    found = list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))
    db.commit()
    return found


def id_of(db: Session, email: str) -> int:
    found = db.scalar(select(StaffUser.id).where(StaffUser.email == email))
    db.commit()
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("action", "via", "how"),
    list(STAFF_SCENARIOS),
    ids=[f"{action.value}-{via.value}-{how}" for action, via, how in STAFF_SCENARIOS],
)
def test_each_staff_account_action_leaves_its_line(
    desk: Desk, action: AuditAction, via: Via, how: str
) -> None:
    expected = STAFF_SCENARIOS[(action, via, how)](desk)
    found = [line for line in lines_of(desk.db, action) if line.via == via.value]
    assert found, f"no {action.value} line by {via.value}"
    line = found[-1]
    wanted_id = None if expected.actor is None else id_of(desk.db, expected.actor)
    assert line.staff_id == wanted_id
    assert line.tenant_id is None
    if expected.names:
        assert line.detail.startswith(expected.names)
    else:
        assert "@" not in line.detail, "no account is named: its own, or a typed address"
    assert STAFF_PASSWORD not in line.detail


def test_every_staff_account_action_has_a_scenario() -> None:
    assert {action for action, _via, _how in STAFF_SCENARIOS} == STAFF_ACTIONS


def test_a_typed_email_that_matches_no_account_is_not_kept(desk: Desk) -> None:
    console_unknown_email(desk)
    (line,) = lines_of(desk.db, AuditAction.SIGN_IN_FAILED)
    assert (line.staff_id, line.detail) == (None, "unknown email")
