"""No door left open: every console page needs a signed-in member, every API route a token.

The routes are read from the app's own URL map, so a page added later is covered
without anyone remembering to add it here.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

OPEN_CONSOLE_PATHS = ("/staff/login", "/staff/static/")
OPEN_API_PATHS = ("/api/v1/openapi.json", "/api/v1/docs")  # the document and its page
CHANGING_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def example_path(rule: Rule) -> str:
    """The rule with every variable filled in (1 fits an int and a string alike)."""
    return re.sub(r"<[^>]+>", "1", rule.rule)


def rules_under(app: Flask, prefix: str, open_paths: tuple[str, ...]) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix) and not rule.rule.startswith(open_paths)
    ]


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def test_there_are_console_routes_to_check(app: Flask) -> None:
    assert len(rules_under(app, "/staff/", OPEN_CONSOLE_PATHS)) >= 20


def test_every_console_page_sends_a_stranger_to_sign_in(app: Flask, client: FlaskClient) -> None:
    let_in = []
    for rule in rules_under(app, "/staff/", OPEN_CONSOLE_PATHS):
        path = example_path(rule)
        for method in methods(rule):
            response = client.open(path, method=method)
            refused = (
                response.status_code == 302
                and response.headers["Location"].startswith("/staff/login")
                if method == "GET"
                else response.status_code in (302, 400)
            )
            if not refused:
                let_in.append(f"{method} {path} -> {response.status_code}")
    assert let_in == []


def test_every_api_route_asks_for_a_token(app: Flask, client: FlaskClient) -> None:
    rules = rules_under(app, "/api/v1", OPEN_API_PATHS)
    assert rules, "the API has no routes"
    let_in = []
    for rule in rules:
        path = example_path(rule)
        for method in methods(rule):
            body = {"json": {}} if method in CHANGING_METHODS else {}
            for headers in ({}, {"Authorization": "Bearer not-a-real-token"}):
                response = client.open(path, method=method, headers=headers, **body)
                if response.status_code != 401:
                    let_in.append(f"{method} {path} {headers} -> {response.status_code}")
    assert let_in == []
