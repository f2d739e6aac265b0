"""A new staff member's first sign-in in a real browser, by keyboard: password, setting up an
authenticator app, the recovery codes; each step passes axe-core with nothing serious."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import ARTEFACTS
from tests.browser.test_accessibility import AXE_TAGS, BLOCKING, tab_to
from tests.conftest import STAFF_PASSWORD, make_staff
from tests.helpers import Clock, authenticator_code

NEWCOMER = "newcomer@fhg.example"


def serious_faults(page: Any, axe_script: Path) -> list[str]:
    page.add_script_tag(path=str(axe_script))
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [rule["id"] for rule in found["violations"] if rule["impact"] in BLOCKING]


def give_password(page: Any, email: str) -> None:
    page.goto("/staff/login")
    tab_to(page, "#email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")


def test_a_newcomer_sets_up_their_app_by_keyboard_and_keeps_their_recovery_codes(
    page: Any, app: Flask, sessions: sessionmaker[Session], clock: Clock, axe_script: Path
) -> None:
    make_staff(sessions, NEWCOMER, "officer", two_factor=False)
    give_password(page, NEWCOMER)
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    assert serious_faults(page, axe_script) == []
    assert page.locator(".qr svg").is_visible()
    page.screenshot(path=str(ARTEFACTS / "console-set-up-two-factor.png"), full_page=True)
    secret = page.locator("#secret").inner_text().replace(" ", "")

    tab_to(page, "#code")
    page.keyboard.type(pyotp.TOTP(secret).at(clock()))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert serious_faults(page, axe_script) == []
    assert page.get_by_role("list", name="Recovery codes").locator("li").count() == 10
    page.screenshot(path=str(ARTEFACTS / "console-recovery-codes.png"), full_page=True)

    page.get_by_role("link", name="I have kept them: continue").click()
    page.get_by_role("heading", name="Today").wait_for()


def test_the_code_step_passes_axe_and_works_by_keyboard(
    page: Any, app: Flask, sessions: sessionmaker[Session], axe_script: Path
) -> None:
    make_staff(sessions, "officer@fhg.example", "officer")
    give_password(page, "officer@fhg.example")
    page.get_by_role("heading", name="Type the code from your app").wait_for()
    assert serious_faults(page, axe_script) == []
    tab_to(page, "#code")
    page.keyboard.type(authenticator_code(app, "officer@fhg.example"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Today").wait_for()
