"""The console's error pages: in the console's layout, saying what went wrong and where to go.

The pages asked for are read from the app's own URL map, so a page added later is
covered without anyone remembering to add it here. The API and the webhooks keep
their own answers: JSON for the API, the same plain answers as before for webhooks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from doorstep.app import create_app
from doorstep.config import Config
from models.inspections import cancel_inspection
from tests.factories import create_area, create_inspection
from tests.helpers import Clock, StaffBrowser
from tests.webhooks.test_simulator_and_health import UNREACHABLE_DATABASE

MISSING_NUMBER = 987654  # no row in an empty test database has it
FEEDS = (".json",)  # read by the pages' scripts, not by people: they answer in JSON


def missing_row_path(rule: Rule) -> str:
    """The rule with each number one no row has, and each name one nothing is called."""
    path = re.sub(r"<int:[^>]+>", str(MISSING_NUMBER), rule.rule)
    return re.sub(r"<[^>]+>", "nothing-called-this", path)


def console_pages_naming_a_row(app: Flask) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/staff/")
        and rule.arguments
        and "GET" in (rule.methods or ())
        and rule.endpoint != "staff_static.static"
        and not rule.rule.endswith(FEEDS)
    ]


def ways_on(response: TestResponse) -> list[str]:
    """The links the error page offers under "What you can do"."""
    html = response.get_data(as_text=True)
    found = re.search(r'<ul class="next-steps">(.*?)</ul>', html, re.S)
    assert found is not None, f"no way on from {response.request.path}"
    return re.findall(r'href="([^"]+)"', found.group(1))


def in_the_console_layout(response: TestResponse) -> bool:
    html = response.get_data(as_text=True)
    return response.mimetype == "text/html" and '<header class="top">' in html


def test_there_are_console_pages_naming_a_row(app: Flask) -> None:
    assert len(console_pages_naming_a_row(app)) >= 15


def test_every_console_page_for_a_missing_row_is_a_404_in_the_layout_with_a_way_back(
    app: Flask, staff_as: Callable[[str], StaffBrowser]
) -> None:
    admin = staff_as("admin")
    wrong = []
    for rule in console_pages_naming_a_row(app):
        path = missing_row_path(rule)
        response = admin.client.get(path)
        ways = ways_on(response) if response.status_code == 404 else []
        working = [way for way in ways if admin.client.get(way).status_code == 200]
        if not (response.status_code == 404 and in_the_console_layout(response) and working):
            wrong.append(f"{path} -> {response.status_code}, ways on {ways}")
    assert wrong == []


def test_the_way_back_from_a_missing_row_is_the_list_it_would_be_in(
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    viewer = staff_as("viewer")
    response = viewer.client.get(f"/staff/inspections/{MISSING_NUMBER}/walk-sheet")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f"There is no inspection number {MISSING_NUMBER}." in html
    assert ways_on(response) == ["/staff/inspections/", "/staff/"]
    assert "<title>Not found · doorstep</title>" in html


def test_a_page_the_console_does_not_have_leads_to_the_dashboard(
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    response = staff_as("viewer").client.get("/staff/no-such-page")
    assert response.status_code == 404 and in_the_console_layout(response)
    assert ways_on(response) == ["/staff/"]


def test_a_signed_out_visitor_asking_for_a_missing_row_still_goes_to_sign_in(
    app: Flask, client: FlaskClient
) -> None:
    for rule in console_pages_naming_a_row(app):
        response = client.get(missing_row_path(rule))
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/staff/login"), rule.rule


def test_a_signed_out_visitor_on_a_page_the_console_does_not_have_is_offered_sign_in(
    client: FlaskClient,
) -> None:
    response = client.get("/staff/no-such-page")
    assert response.status_code == 404 and in_the_console_layout(response)
    assert ways_on(response) == ["/staff/login"]


def test_the_consoles_feeds_answer_a_missing_row_in_json(
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    officer = staff_as("officer")
    for path in (
        f"/staff/broadcasts/{MISSING_NUMBER}/report.json",
        f"/staff/tenants/{MISSING_NUMBER}/record.json",
    ):
        response = officer.client.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["status"] == 404, path


def test_a_step_the_row_no_longer_allows_is_a_409_that_leads_back_to_the_row(
    db: Session, clock: Clock, staff_as: Callable[[str], StaffBrowser]
) -> None:
    walk = create_inspection(
        db, area=create_area(db, name="Methil"), now=clock(), starts_at=clock() - timedelta(hours=1)
    )
    cancel_inspection(db, walk, now=clock())
    db.commit()
    officer = staff_as("officer")
    page = f"/staff/inspections/{walk.id}"
    response = officer.submit(page, f"{page}/close", {})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and in_the_console_layout(response)
    assert "This inspection is cancelled and can no longer be changed." in html
    assert ways_on(response) == [page, "/staff/inspections/", "/staff/"]
    assert f'<a href="{page}">Back to inspection {walk.id}</a>' in html


def test_a_page_a_role_may_not_see_says_which_role_and_which_admins_to_ask(
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    admin = staff_as("admin")
    viewer = staff_as("viewer")
    response = viewer.client.get("/staff/users/")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and in_the_console_layout(response)
    assert "this needs the admin role" in html.lower()
    assert "You are signed in as a viewer." in html
    assert f'<a href="mailto:{admin.email}">{admin.email}</a>' in html
    assert ways_on(response) == ["/staff/"]


def test_a_form_sent_without_its_token_is_a_400_that_says_to_reload(
    db: Session, staff_as: Callable[[str], StaffBrowser]
) -> None:
    area = create_area(db, name="Methil")
    db.commit()
    officer = staff_as("officer")
    response = officer.client.post(f"/staff/areas/{area.id}/edit", data={"name": "Leven"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and in_the_console_layout(response)
    assert "Reload the page you came from and try again" in html
    assert ways_on(response) == ["/staff/areas/", "/staff/"]


def test_a_form_address_opened_as_a_page_is_a_405_that_leads_to_its_list(
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    response = staff_as("officer").client.get("/staff/inbox/1/reply")
    assert response.status_code == 405 and in_the_console_layout(response)
    html = response.get_data(as_text=True)
    assert "Use the buttons on the page" in html
    assert "The method is not allowed" not in html  # werkzeug's stock words add nothing
    assert ways_on(response) == ["/staff/inbox/", "/staff/"]


def test_the_api_keeps_its_json_envelope_even_for_a_browser(
    client: FlaskClient, api_token: Callable[[str], dict[str, str]]
) -> None:
    headers = {**api_token("viewer"), "Accept": "text/html"}
    response = client.get(f"/api/v1/tenants/{MISSING_NUMBER}", headers=headers)
    assert response.status_code == 404
    assert response.get_json() == {
        "error": f"There is no tenant number {MISSING_NUMBER}.",
        "status": 404,
    }
    unknown = client.get("/api/v1/no-such-resource", headers={"Accept": "text/html"})
    assert unknown.status_code == 404 and unknown.get_json()["status"] == 404


def test_the_webhooks_keep_their_plain_answers(client: FlaskClient) -> None:
    response = client.post("/webhooks/twilio/sms", data={"Body": "hello"})
    assert response.status_code == 403
    assert response.get_json() == {"error": "missing or bad X-Twilio-Signature", "status": 403}


def test_an_unforeseen_failure_is_a_short_page_that_needs_no_database(config: Config) -> None:
    away = create_app(replace(config, database_url=UNREACHABLE_DATABASE))
    client = away.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1.signed-in-before-the-database-went"
    response = client.get("/staff/tenants/")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.get_data(as_text=True)
