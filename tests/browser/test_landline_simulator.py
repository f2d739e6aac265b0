"""The demo's landline caller, in a real browser: Grace has no mobile, rings in from the
landline simulator and says she is coming to an event by pressing keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from doorstep.demo import load_demo
from models.events import EventRsvp
from models.tenants import Area
from tests.browser.conftest import ARTEFACTS
from tests.helpers import StaffBrowser, book_event


def _menu_key(said: str, entry: str) -> str:
    return said.split(f"For {entry}, press ", 1)[1][0]


def test_a_landline_caller_rsvps_to_an_event_by_pressing_keys_in_the_demo(
    page: Any,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    with sessions.begin() as session:
        load_demo(session)
    leven = db.scalars(select(Area).where(Area.name == "Leven")).one()
    book_event(staff_as("officer"), [leven.id])

    page.goto("/simulator/call")
    page.get_by_label("Tenant's phone number").fill("0131 496 0107")  # Grace, landline only
    page.get_by_role("button", name="Call").click()
    heard = page.get_by_label("What the call says")
    heard.get_by_text("Hello, this is Fife Housing Group.").wait_for()
    keypad = page.get_by_role("group", name="Keypad")
    menu = heard.inner_text()
    keypad.get_by_role("button", name=_menu_key(menu, "events, to say if you are coming")).click()
    heard.get_by_text("Leven gala day", exact=False).wait_for()
    keypad.get_by_role("button", name="1", exact=True).click()  # yes
    heard.get_by_text("How many people are coming", exact=False).wait_for()
    keypad.get_by_role("button", name="2", exact=True).click()
    keypad.get_by_role("button", name="#").click()
    heard.get_by_text("see you at Leven gala day", exact=False).wait_for()
    page.screenshot(path=str(ARTEFACTS / "landline-simulator-rsvp.png"), full_page=True)

    rsvp = db.scalars(select(EventRsvp)).one()
    assert (rsvp.answer, rsvp.party, rsvp.channel) == ("yes", 2, "voice")
