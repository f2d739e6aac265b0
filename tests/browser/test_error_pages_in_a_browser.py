"""The console's error pages in a real browser: axe-core finds nothing serious on them,
and each shows a way on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from doorstep.demo import demo_settings
from tests.browser.conftest import ARTEFACTS
from tests.browser.test_accessibility import AXE_TAGS, BLOCKING
from tests.conftest import STAFF_PASSWORD, make_staff

VIEWER = "viewer@fhg.example"
ERRORS = {
    "/staff/tenants/987654": 404,  # a missing row
    "/staff/no-such-page": 404,  # a page the console does not have
    "/staff/users/": 403,  # a viewer may not manage staff
    "/staff/inbox/1/reply": 405,  # a form's address, opened as a page
}


def test_the_error_pages_pass_axe_and_show_a_way_on(
    page: Any, app: Flask, sessions: sessionmaker[Session], axe_script: Path
) -> None:
    app.config["DOORSTEP"] = demo_settings(app.config["DOORSTEP"])  # a password alone signs in
    make_staff(sessions, VIEWER, "viewer", two_factor=False)
    page.goto("/staff/login")
    page.get_by_label("Email").fill(VIEWER)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Today").wait_for()

    blocking = {}
    for path, status in ERRORS.items():
        response = page.goto(path)
        assert response is not None and response.status == status, path
        page.add_script_tag(path=str(axe_script))
        found = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        blocking[path] = [rule["id"] for rule in found["violations"] if rule["impact"] in BLOCKING]
        first_way = page.locator("ul.next-steps a").first
        assert first_way.is_visible(), path
    page.screenshot(path=str(ARTEFACTS / "error-page-405.png"), full_page=True)
    assert {path: rules for path, rules in blocking.items() if rules} == {}
