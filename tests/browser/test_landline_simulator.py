"""The demo's landline caller, in a real browser: Grace has no mobile, rings in from the
landline simulator, and says she is coming to an event, or votes in a poll staff chose
to phone landlines for, by pressing keys. Each spoken sentence is a line of its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from doorstep.demo import load_demo
from models.events import EventRsvp
from models.polls import PollVote
from models.tenants import Area, Tenant
from tests.browser.conftest import ARTEFACTS
from tests.helpers import StaffBrowser, book_event
from tests.webhooks.landline import GRACE

ANY_POLL = re.compile(r"\b(poll|vot)", re.IGNORECASE)  # the menu's entry for VOTE


def _calls_grace(page: Any) -> Any:
    """Grace rings in from the simulator; the list of what the call says, once it speaks."""
    page.goto("/simulator/call")
    page.get_by_label("Tenant's phone number").fill("0131 496 0107")  # Grace, landline only
    page.get_by_role("button", name="Call").click()
    heard = page.get_by_label("What the call says")
    heard.get_by_role("listitem").filter(has_text="Fife Housing Group").first.wait_for()
    return heard


def _press_the_key_for(page: Any, heard: Any, words: str | re.Pattern[str]) -> None:
    """Press the key the line saying ``words`` offers (its last digit), once it is said."""
    line = heard.get_by_role("listitem").filter(has_text=words).last
    line.wait_for()
    key = re.findall(r"\d", line.inner_text())[-1]
    page.get_by_role("group", name="Keypad").get_by_role("button", name=key, exact=True).click()


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

    heard = _calls_grace(page)
    keypad = page.get_by_role("group", name="Keypad")
    _press_the_key_for(page, heard, "events")
    heard.get_by_text("Leven gala day", exact=False).first.wait_for()
    keypad.get_by_role("button", name="1", exact=True).click()  # yes
    heard.get_by_text("How many people are coming", exact=False).wait_for()
    keypad.get_by_role("button", name="2", exact=True).click()
    keypad.get_by_role("button", name="#").click()
    heard.get_by_text("see you at Leven gala day", exact=False).wait_for()
    page.screenshot(path=str(ARTEFACTS / "landline-simulator-rsvp.png"), full_page=True)

    rsvp = db.scalars(select(EventRsvp)).one()
    assert (rsvp.answer, rsvp.party, rsvp.channel) == ("yes", 2, "voice")


def test_a_landline_caller_votes_in_a_poll_phoned_to_landlines_by_pressing_keys_in_the_demo(
    page: Any,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    with sessions.begin() as session:
        load_demo(session)
    leven = db.scalars(select(Area).where(Area.name == "Leven")).one()
    poll = {
        "question": "Rents for 2027: which do you prefer?",
        "options": "Freeze rents\nRise 3% with new kitchens",
        "areas": [str(leven.id)],
        "day": "2026-03-10",
        "at": "17:00",
        "reminder_days": "0",
        "call_landlines": "y",  # "Phone landline-only tenants"
    }
    officer = staff_as("officer")
    published = officer.submit("/staff/polls/new", "/staff/polls/new", poll)
    assert published.status_code == 302
    assert "Phoned, and vote with keys" in officer.client.get(published.headers["Location"]).text

    heard = _calls_grace(page)
    said = heard.get_by_role("listitem")
    _press_the_key_for(page, heard, ANY_POLL)
    question = said.filter(has_text="Rents for 2027: which do you prefer?")
    question.wait_for()
    assert question.get_attribute("lang") == "en"
    options = said.filter(has_text=re.compile(r"(Freeze rents|Rise 3% with new kitchens)"))
    assert options.count() == 2  # each option a line of its own, after the question
    _press_the_key_for(page, heard, "Rise 3% with new kitchens")
    said.filter(has_text="Rise 3% with new kitchens").nth(1).wait_for()  # her vote, said back
    page.screenshot(path=str(ARTEFACTS / "landline-simulator-poll.png"), full_page=True)

    grace = db.scalars(select(Tenant).where(Tenant.phone == GRACE)).one()
    vote = db.scalars(select(PollVote)).one()
    assert (vote.tenant_id, vote.choice, vote.source) == (grace.id, 1, "voice")
