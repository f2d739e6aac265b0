"""Every console page in a real browser, for staff who use a keyboard, a screen reader or
large text: axe-core finds nothing serious, the main tasks work without a mouse, focus
shows, and at 200% zoom nothing needs scrolling sideways.

The pages are read from the app's own routes, so a page added later is checked too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import catalogue, wording
from doorstep.demo import load_demo
from models.broadcasts import Broadcast
from models.events import Event
from models.inspections import file_report
from models.messages import InboundRecord, OutboundRecord
from models.mystery_shopping import MysteryShopCheckIn
from models.polls import Poll
from models.staff import StaffUser
from models.tenants import Area, Tenant
from tests.browser.conftest import ARTEFACTS
from tests.conftest import PUBLIC_URL, STAFF_PASSWORD, TWILIO_TOKEN, make_staff
from tests.factories import create_inspection
from tests.helpers import Clock, Phone, StaffBrowser, authenticator_code

ADMIN = "admin@fhg.example"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
ZOOMED = {"width": 640, "height": 450}  # a 1280 px window at 200%
NOT_HTML = {  # downloads and data: nothing for a screen reader to read
    "areas.export",
    "audit.export",
    "broadcasts.report",
    "events.sign_in_csv",
    "inbox.export",
    "inspection_photos.photo",
    "media.file",
    "inspection_report.report_csv",
    "mystery_shopping.report_csv",
    "staff_static.static",
    "tenant_data.record",
    "tenants.export",
}
LOGIN = "/staff/login"
FOCUSED_IS = """([selector, text]) => {
  const focused = document.activeElement;
  return focused.matches(selector) && (text === null || focused.textContent.trim() === text);
}"""


@dataclass
class Console:
    """The live console with a bit of everything in it, and the ids to reach each page."""

    url: str
    ids: dict[str, int | str]
    paths: list[str]
    app: Flask


@pytest.fixture
def console(
    app: Flask, live_url: str, sessions: sessionmaker[Session], db: Session, clock: Clock
) -> Console:
    make_staff(sessions, ADMIN, "admin")
    ids = _seed(app, db, clock)
    return Console(live_url, ids, _console_paths(app, ids), app)


@pytest.fixture
def context(chromium_browser: Any, console: Console) -> Iterator[Any]:
    context = chromium_browser.new_context(
        base_url=console.url, viewport={"width": 1024, "height": 900}
    )
    yield context
    context.close()


def _seed(app: Flask, db: Session, clock: Clock) -> dict[str, int | str]:
    """Demo estates and tenants, then one of each thing a console page shows."""
    load_demo(db)
    db.commit()
    officer = StaffBrowser(app.test_client(), ADMIN, STAFF_PASSWORD)
    assert officer.sign_in().status_code == 302
    methil = db.scalars(select(Area).where(Area.name == "Methil")).one()
    shopper = db.scalars(select(Tenant).order_by(Tenant.id)).first()
    assert shopper is not None
    shopper.set_roles({"mystery_shopper"})
    walk = create_inspection(
        db,
        area=methil,
        starts_at=clock() - timedelta(hours=2),
        meeting_point="Outside the Co-op, Wellesley Road",
        officer="Jean Brown",
        now=clock() - timedelta(days=8),
    )
    report = file_report(
        db,
        tenant=shopper,
        category="lighting",
        location="Close at 12 Wellesley Road",
        description="The stair light has been out for a week",
        photo_ids=[],
        channel="sms",
        now=clock(),
    )
    db.commit()
    _post(officer, "/staff/events/new", _booking(methil.id))
    _post(officer, "/staff/polls/new", _poll())
    _post(officer, "/staff/broadcasts/new", _notice("The lifts at Methil Court stop on Monday."))
    phone = Phone(app.test_client(), shopper.phone, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
    for reply in ("SHOP", "1", "1", "1", "4", "3", "Waited on hold", "Answer faster"):
        phone.text(reply)
    stranger = Phone(
        app.test_client(), "+447700900124", auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL
    )
    for said in ("Hi", "Morag Campbell", "1", "Somewhere in Fife", "The close door will not lock"):
        stranger.text(said)
    db.expire_all()
    return {
        "area_id": methil.id,
        "tenant_id": shopper.id,
        "inspection_id": walk.id,
        "report_id": report.id,
        "event_id": _first_id(db, Event.id),
        "poll_id": _first_id(db, Poll.id),
        "broadcast_id": _first_id(db, Broadcast.id),
        "check_in_id": _first_id(db, MysteryShopCheckIn.id),
        "inbound_id": _first_id(db, InboundRecord.id, InboundRecord.inbox.is_not(None)),
        "staff_id": _first_id(db, StaffUser.id),
        "year": clock().year,
        **_wording_ids(),
    }


def _wording_ids() -> dict[str, str]:
    """A language other than English, and a line of the bot's that staff may reword."""
    language = next(code for code in catalogue.languages() if code != catalogue.DEFAULT_LANGUAGE)
    return {"language": language, "key": next(filter(wording.editable, catalogue.keys()))}


def _post(officer: StaffBrowser, path: str, form: dict[str, Any]) -> None:
    response = officer.submit(path, path, form)
    assert response.status_code == 302, response.get_data(as_text=True)


def _first_id(db: Session, column: Any, *where: Any) -> int:
    found = db.scalar(select(column).where(*where).order_by(column))
    assert found is not None, f"the seed made no {column}"
    return int(found)


def _booking(area_id: int) -> dict[str, Any]:
    return {
        "title": "Summer fun day",
        "kind": "community",
        "areas": [str(area_id)],
        "day": "2026-07-04",
        "at": "12:00",
        "until": "16:00",
        "venue": "Methil Community Hall",
        "capacity": "40",
        "most_per_party": "4",
        "repeat_months": "1",
        "notes": "",
    }


def _poll() -> dict[str, str]:
    return {
        "question": "Which rent rise do you prefer for 2027?",
        "options": "3% rise\n4% with new kitchens",
        "everyone": "y",
        "day": "2026-03-10",
        "at": "17:00",
        "reminder_days": "2",
    }


def _notice(text: str) -> dict[str, str]:
    return {"kind": "notice", "text_en": text, "everyone": "y", "topic": "news"}


def _console_paths(app: Flask, ids: dict[str, int | str]) -> list[str]:
    """Every console page that answers GET with HTML, its arguments filled from the seed."""
    paths, unfillable = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith("/staff/") or "GET" not in (rule.methods or ()):
            continue
        if rule.endpoint in NOT_HTML or rule.rule == LOGIN:
            continue
        if missing := rule.arguments - ids.keys():
            unfillable.append(f"{rule.rule} needs {sorted(missing)}")
            continue
        paths.append(rule.build({name: ids[name] for name in rule.arguments})[1])
    assert not unfillable, "teach _seed to make rows for these pages: " + "; ".join(unfillable)
    return paths


def test_every_excluded_route_still_exists_and_is_not_a_page(app: Flask) -> None:
    endpoints = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert endpoints.keys() >= NOT_HTML
    kept = {endpoints[name] for name in NOT_HTML}
    files = (".csv", ".json", "<path:filename>", "<int:number>", "<int:media_id>")
    assert all(rule.endswith(files) for rule in kept)


# --- axe-core on every page -------------------------------------------------------------


def test_every_console_page_passes_axe_with_nothing_serious_or_critical(
    context: Any, console: Console, axe_script: Path
) -> None:
    page = context.new_page()
    results = {LOGIN: _axe(page, LOGIN, axe_script)}
    sign_in(page, console)
    for path in console.paths:
        results[path] = _axe(page, path, axe_script)
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "axe-results.json").write_text(json.dumps(_summary(results), indent=2))
    blocking = {
        path: [
            f"{rule['id']} ({rule['impact']}): {[node['target'] for node in rule['nodes']]}"
            for rule in result["violations"]
            if rule["impact"] in BLOCKING
        ]
        for path, result in results.items()
    }
    assert {path: found for path, found in blocking.items() if found} == {}
    assert len(results) == len(console.paths) + 1 >= 40
    assert_axe_would_see_a_fault(page)


def assert_axe_would_see_a_fault(page: Any) -> None:
    """The check itself works: an unlabelled box and pale text on the last page are caught."""
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
          '<input type="text"><p style="color:#bbb;background:#fff">Pale words</p>')"""
    )
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert {"label", "color-contrast"} <= {rule["id"] for rule in found["violations"]}


def _axe(page: Any, path: str, axe_script: Path) -> dict[str, Any]:
    _open(page, path)
    page.add_script_tag(path=str(axe_script))
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return result


def _summary(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    summary = []
    for path, result in results.items():
        impacts: dict[str, int] = {}
        for rule in result["violations"]:
            impacts[rule["impact"]] = impacts.get(rule["impact"], 0) + 1
        summary.append(
            {
                "page": path,
                "violations": impacts,
                "rules": sorted(rule["id"] for rule in result["violations"]),
                "passes": len(result["passes"]),
            }
        )
    return summary


def _open(page: Any, path: str) -> None:
    """Go to a page and make sure it is that page, not an error or a redirect."""
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    assert page.url.removeprefix(_origin(page)) == path, f"{path} led to {page.url}"


def _origin(page: Any) -> str:
    return str(page.evaluate("location.origin"))


# --- 200% zoom ----------------------------------------------------------------------------


def test_at_200_percent_zoom_no_page_scrolls_sideways_and_its_heading_shows(
    context: Any, console: Console
) -> None:
    page = context.new_page()
    page.set_viewport_size(ZOOMED)
    problems = _zoom_problems(page, LOGIN, signed_in=False)
    sign_in(page, console)
    for path in console.paths:
        problems += _zoom_problems(page, path, signed_in=True)
    page.goto("/staff/")
    page.screenshot(path=str(ARTEFACTS / "console-at-200-percent.png"), full_page=True)
    assert problems == []


def _zoom_problems(page: Any, path: str, *, signed_in: bool) -> list[str]:
    _open(page, path)
    problems = []
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll > client + 1:
        problems.append(f"{path}: {scroll} px wide in a {client} px window")
    if not page.locator("h1").first.is_visible():
        problems.append(f"{path}: its heading is hidden")
    if signed_in and not page.get_by_role("navigation", name="Main").is_visible():
        problems.append(f"{path}: the main navigation is hidden")
    return problems


# --- the keyboard alone ----------------------------------------------------------------


def tab_to(
    page: Any, selector: str, text: str | None = None, *, backwards: bool = False, most: int = 80
) -> None:
    """Press Tab (or Shift+Tab) until an element matching ``selector`` (and saying ``text``)
    has focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(most):
        page.keyboard.press(key)
        if page.evaluate(FOCUSED_IS, [selector, text]):
            return
    raise AssertionError(f"{most} presses of {key} never reached {selector} {text or ''}")


def sign_in(page: Any, console: Console) -> None:
    """Sign in as the admin with the keyboard alone: password, then the app's code."""
    page.goto(LOGIN)
    tab_to(page, "#email")
    page.keyboard.type(ADMIN)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(STAFF_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Type the code from your app").wait_for()
    tab_to(page, "#code")
    page.keyboard.type(authenticator_code(console.app, ADMIN))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Today").wait_for()


def type_date(page: Any, iso: str) -> None:
    """Type a date into the focused date field in the order this browser's language shows
    day, month and year (Debian's Chromium may only have its American one)."""
    order = page.evaluate(
        """() => new Intl.DateTimeFormat(navigator.language)
          .formatToParts(new Date(2026, 3, 14)).map(part => part.type)
          .filter(type => type !== 'literal')"""
    )
    year, month, day = iso.split("-")
    page.keyboard.type("".join({"year": year, "month": month, "day": day}[part] for part in order))


def type_time(page: Any, clock_time: str) -> None:
    """Type a time into the focused time field, with AM or PM where the browser wants one."""
    hours, minutes = (int(part) for part in clock_time.split(":"))
    twelve = page.evaluate(
        "() => new Intl.DateTimeFormat(navigator.language, {hour: 'numeric'})"
        ".resolvedOptions().hour12"
    )
    if not twelve:
        page.keyboard.type(f"{hours:02d}{minutes:02d}")
        return
    page.keyboard.type(f"{hours % 12 or 12:02d}{minutes:02d}{'AP'[hours >= 12]}")


def press_to_go(page: Any, key: str = "Enter") -> None:
    """Press a key on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


def follow_nav(page: Any, name: str) -> None:
    tab_to(page, "nav[aria-label='Main'] a", name)
    press_to_go(page)


def assert_focus_shows(page: Any) -> None:
    style = page.evaluate(
        """() => {
          const s = getComputedStyle(document.activeElement);
          return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), shadow: s.boxShadow};
        }"""
    )
    outlined = style["style"] != "none" and style["width"] >= 2
    assert outlined or style["shadow"] != "none", style


def test_a_keyboard_user_signs_in_skips_to_the_content_and_sees_where_focus_is(
    context: Any, console: Console
) -> None:
    page = context.new_page()
    sign_in(page, console)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert_focus_shows(page)
    skip = page.evaluate("document.activeElement.getBoundingClientRect().toJSON()")
    assert skip["left"] >= 0 and skip["top"] >= 0 and skip["width"] > 0
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    for selector in ("nav[aria-label='Main'] a", "button", "input, select, textarea"):
        page.goto("/staff/broadcasts/new")
        tab_to(page, selector)
        assert_focus_shows(page)


def test_a_keyboard_user_answers_a_tenant_from_the_inbox_and_marks_it_done(
    context: Any, console: Console, db: Session
) -> None:
    page = context.new_page()
    sign_in(page, console)
    follow_nav(page, "Inbox")
    tab_to(page, "textarea[name='text']")
    assert_focus_shows(page)
    page.keyboard.type("Thanks Morag, a joiner will come on Thursday.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    press_to_go(page)
    page.get_by_text("Your reply is on its way").wait_for()
    tab_to(page, "button.secondary")
    press_to_go(page, "Space")
    page.get_by_text("Nothing waiting").wait_for()

    db.expire_all()
    reply = db.scalars(select(OutboundRecord).order_by(OutboundRecord.id.desc())).first()
    assert reply is not None and reply.body == "Thanks Morag, a joiner will come on Thursday."
    assert reply.address == "+447700900124"
    asked = db.scalars(select(InboundRecord).where(InboundRecord.inbox.is_not(None))).all()
    assert [message.inbox for message in asked] == ["done"]


def test_a_keyboard_user_writes_a_notice_and_schedules_it(
    context: Any, console: Console, db: Session
) -> None:
    page = context.new_page()
    sign_in(page, console)
    follow_nav(page, "Broadcasts")
    tab_to(page, "a[href$='/broadcasts/new']")
    press_to_go(page)
    page.get_by_role("heading", name="Write a notice").wait_for()
    tab_to(page, "#text_en")
    page.keyboard.type("The bins go out on Tuesday this week.")
    tab_to(page, "#everyone")
    page.keyboard.press("Space")
    tab_to(page, "button[type='submit']", "Save and preview")
    press_to_go(page)
    page.get_by_role("heading", name="Before sending").wait_for()
    tab_to(page, "input[name='day']")
    type_date(page, "2026-04-14")
    tab_to(page, "input[name='at']")
    type_time(page, "10:30")
    tab_to(page, "button", "Schedule")
    press_to_go(page)

    db.expire_all()
    notice = db.scalars(select(Broadcast).order_by(Broadcast.id.desc())).first()
    assert notice is not None and notice.texts["en"].endswith(
        "The bins go out on Tuesday this week."
    )
    assert notice.status == "scheduled"
    assert page.locator("#status").inner_text().startswith("Scheduled for 14 Apr 2026")


def test_a_keyboard_user_books_an_event(context: Any, console: Console, db: Session) -> None:
    page = context.new_page()
    sign_in(page, console)
    follow_nav(page, "Events")
    tab_to(page, "a[href$='/events/new']")
    press_to_go(page)
    page.get_by_role("heading", name="Book an event").wait_for()
    tab_to(page, "#title")
    page.keyboard.type("Coffee morning")
    tab_to(page, "#everyone")
    page.keyboard.press("Space")
    tab_to(page, "#day")
    type_date(page, "2026-08-05")
    for field, clock_time in (("#at", "10:00"), ("#until", "13:30")):
        tab_to(page, field)
        type_time(page, clock_time)
    tab_to(page, "#venue")
    page.keyboard.type("Leven Community Centre")
    tab_to(page, "button", "Book the event")
    press_to_go(page)
    page.get_by_role("heading", name="Coffee morning").wait_for()

    db.expire_all()
    booked = db.scalars(select(Event).where(Event.title == "Coffee morning")).one()
    assert booked.venue == "Leven Community Centre"
    assert booked.starts_at.strftime("%Y-%m-%d %H:%M") == "2026-08-05 09:00"  # 10:00 BST
