"""The console's error pages: what went wrong, in the console's layout, and where to go next.

A missing row (404) leads back to the list it would be in and to the dashboard; a
refusal (400, 405, 409) also back to the row the refused step belongs to; a page the
staff member's role may not open (403) names the admins who can change that. Someone
not signed in is offered the sign-in. The console's feeds (``.json``, read by the
pages' scripts) answer in JSON instead, as the API does.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from models.console import admin_emails
from staff.context import sessions

CONSOLE = "/staff/"
# A section as the console's menu names it, where that is not its address in words.
SECTION_NAMES = {
    "users": "Staff",
    "audit": "Audit log",
    "repairs": "Repair surveys",
    "involvement": "Getting involved",
    "account": "Your account",
}
# One row of a section, for "Back to inspection 5".
ROW_NAMES = {
    "tenants": "tenant",
    "areas": "area",
    "inspections": "inspection",
    "events": "event",
    "broadcasts": "broadcast",
    "polls": "poll",
    "users": "staff member",
    "mystery-shopping": "check-in",
}
TITLES = {
    400: "The form could not be used",
    403: "Not open to your role",
    404: "Not found",
    405: "Not a page to open",
    409: "This cannot be done now",
}

UNFORESEEN = (
    "<!doctype html><title>Something went wrong · doorstep</title><h1>Something went wrong</h1>"
    "<p>Try again in a minute. If it keeps happening, tell whoever runs doorstep here.</p>"
)


@dataclass(frozen=True)
class WayOn:
    href: str
    label: str


def is_console_page(path: str) -> bool:
    return path.startswith(CONSOLE) and not path.endswith(".json")


def error_page(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    if status == 500:  # unforeseen: perhaps the database the layout asks who is signed in
        return UNFORESEEN, status
    page = render_template(
        "errors.html",
        status=status,
        title=TITLES.get(status, error.name),
        reason=_own_reason(error),
        ways_on=ways_on(status),
        admins=_admins() if status == 403 else [],
    )
    return page, status


def _own_reason(error: HTTPException) -> str:
    """The reason a page gave; werkzeug's stock sentence says nothing the page does not."""
    stock = type(error).description
    return "" if not error.description or error.description == stock else error.description


def ways_on(status: int) -> list[WayOn]:
    """The row the page belongs to (unless it is the row that is missing), its list, the
    dashboard: each only where it is a page, and never the address that failed."""
    if not current_user.is_authenticated:
        return [WayOn(url_for("auth.login"), "Sign in")]
    section, _, rest = request.path.removeprefix(CONSOLE).partition("/")
    number = rest.partition("/")[0]
    candidates = [
        WayOn(f"{CONSOLE}{section}/", f"Back to {_section_name(section)}"),
        WayOn(url_for("dashboard.home"), "Go to the dashboard"),
    ]
    if status != 404 and number.isdigit() and section in ROW_NAMES:
        row = WayOn(f"{CONSOLE}{section}/{number}", f"Back to {ROW_NAMES[section]} {number}")
        candidates.insert(0, row)
    return [way for way in candidates if way.href != request.path and _is_a_page(way.href)]


def _section_name(section: str) -> str:
    return SECTION_NAMES.get(section, section.replace("-", " ").capitalize())


def _is_a_page(path: str) -> bool:
    adapter = current_app.create_url_adapter(request)
    if adapter is None:
        return False
    try:
        adapter.match(path, method="GET")
    except HTTPException:  # not found, not a page to GET, or only with a slash added
        return False
    return True


def _admins() -> list[str]:
    with sessions()() as db:
        return admin_emails(db)
