"""A landline-only tenant gets every unasked message a texting tenant gets, as a call.

Grace, the demo's landline-only tenant, is phoned through the dispatcher (the offline
Twilio stand-in records each call, and she picks it up on the signed voice webhook):
she votes in a poll, does the mystery shop check-in, answers the repair survey, and
hears the outcome of the problem she reported on a walk by voice note. Every kind of
unasked message (bot/message_kinds.py) has its call wording in every language and a
test here (or in test_voice_calls.py) that phones it to her; a kind declared without
one fails.
"""

from __future__ import annotations

import pkgutil
import string
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import import_module
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import bot
import participation
import scheduler
from bot import catalogue
from bot.involvement_steps import ask_to_join
from bot.message_kinds import MESSAGE_KINDS
from models.events import Event
from models.inspections import InspectionFinding, IssueReport
from models.involvement import InvolvementRequest
from models.mystery_shopping import MysteryShopCheckIn
from models.polls import PollVote
from models.repairs import Repair
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.broadcast_helpers import deliver_all
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone, StaffBrowser, book_event
from tests.scheduler.test_mystery_shop_schedule import (
    BEFORE_MARCH,
    MARCH_INVITATION,
    book_standing_tasks,
)
from tests.webhooks import test_voice_calls as voice_calls
from tests.webhooks.landline import GRACE, Heard, Landline, book_phoned_walk, demo_areas

ELAINE = "+447700900105"  # Leven's tenant with a mobile
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE0456"


def _grace(db: Session) -> Tenant:
    return db.scalars(select(Tenant).where(Tenant.phone == GRACE)).one()


def _picks_up(client: FlaskClient, placed: dict[str, Any]) -> Landline:
    """Grace answers a call we placed; what it says is in the landline's ``last``."""
    grace = Landline(client, GRACE, outbound=True)
    grace.answer(placed)
    return grace


def _said(call: Landline) -> Heard:
    assert call.last is not None
    return call.last


def _answers_with_1(call: Heard, keyword: str) -> None:
    assert "Reply" not in call.text, call.text  # worded for a call, not a text
    assert call.gather is not None and f"on1={keyword}" in call.gather["action"]


def _poll_form(areas: dict[str, int], **changes: str) -> dict[str, object]:
    return {
        "question": "Rents for 2027: which do you prefer?",
        "options": "Freeze rents\nRise 3% with new kitchens",
        "areas": [str(areas["Leven"])],
        "day": "2026-03-10",
        "at": "17:00",
        "reminder_days": "0",
        **changes,
    }


def test_grace_is_phoned_a_poll_its_reminder_and_its_outcome_and_votes_with_a_key(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    areas = demo_areas(sessions, db)
    officer = staff_as("officer")
    form = _poll_form(areas, call_landlines="y")
    published = officer.submit("/staff/polls/new", "/staff/polls/new", form)
    assert published.status_code == 302, published.text
    poll_page = published.headers["Location"]
    assert "Phoned, and vote with keys" in officer.client.get(poll_page).text
    deliver_all(dispatcher)
    [placed] = fake_twilio.calls_to(GRACE)
    invitation = _said(_picks_up(client, placed))
    assert "Rents for 2027: which do you prefer? Please answer by Tue 10 Mar" in invitation.text
    assert invitation.text.count("To vote now, press 1.") == 2  # said twice
    _answers_with_1(invitation, "VOTE")
    [elaine] = fake_twilio.sent_to(ELAINE)  # a texting tenant still gets a text
    assert "Reply VOTE to answer" in elaine["body"]

    remind = f"{poll_page}/remind/{areas['Leven']}"
    assert officer.submit(remind, remind, {}).status_code == 302
    deliver_all(dispatcher)
    grace = _picks_up(client, fake_twilio.calls_to(GRACE)[-1])
    reminder = _said(grace)
    assert reminder.text.startswith("A reminder: Fife Housing Group would like your view.")
    _answers_with_1(reminder, "VOTE")
    asked = grace.press("1")
    assert "For Freeze rents, press 1." in asked.text
    assert "For Rise 3% with new kitchens, press 2." in asked.text
    assert "You voted Rise 3% with new kitchens" in grace.press("2").text
    vote = db.scalars(select(PollVote)).one()
    assert (vote.tenant_id, vote.choice, vote.source) == (_grace(db).id, 1, "voice")

    clock.advance(days=8)  # past the close
    outcome = {"outcome": "You chose new kitchens: they start in May."}
    assert officer.submit(poll_page, f"{poll_page}/outcome", outcome).status_code == 302
    deliver_all(dispatcher)
    told = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
    assert "here is what we did. You chose new kitchens: they start in May." in told.text
    assert told.gather is None  # nothing to press


def test_grace_is_phoned_when_someone_else_in_her_home_votes_in_her_place(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    areas = demo_areas(sessions, db)
    grace = _grace(db)
    son = create_tenant(db, name="Iain Thomson", phone="+447700900177", area=grace.area)
    son.tenancy = grace.tenancy
    db.commit()
    form = _poll_form(areas, call_landlines="y", per_household="y")
    officer = staff_as("officer")
    assert officer.submit("/staff/polls/new", "/staff/polls/new", form).status_code == 302
    deliver_all(dispatcher)
    call = _picks_up(client, fake_twilio.calls_to(GRACE)[0])
    call.press("1")
    call.press("1")  # Freeze rents
    Phone(client, son.phone or "", auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL).text("VOTE")
    Phone(client, son.phone or "", auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL).text("2")
    deliver_all(dispatcher)

    said = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
    assert "someone else in your home has voted on: Rents for 2027" in said.text
    assert "their answer now counts instead of yours." in said.text
    _answers_with_1(said, "VOTE")


def test_a_poll_not_chosen_for_calls_rings_nobody_and_the_api_can_choose_calls(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    api_token: Callable[[str], dict[str, str]],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    areas = demo_areas(sessions, db)
    officer = staff_as("officer")
    published = officer.submit("/staff/polls/new", "/staff/polls/new", _poll_form(areas))
    assert published.status_code == 302, published.text
    deliver_all(dispatcher)
    assert fake_twilio.calls_to(GRACE) == []

    made = client.post(
        "/api/v1/polls",
        json={
            "question": "Should the Leven hall open on Sundays?",
            "options": ["Yes", "No"],
            "audience": {"area_ids": [areas["Leven"]]},
            "closes_at": "2026-03-10T17:00:00+00:00",
            "call_landlines": True,
        },
        headers=api_token("officer"),
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["call_landlines"] is True
    deliver_all(dispatcher)
    [placed] = fake_twilio.calls_to(GRACE)
    invitation = _said(_picks_up(client, placed))
    assert "Should the Leven hall open on Sundays?" in invitation.text
    _answers_with_1(invitation, "VOTE")
    refused = client.post(
        "/api/v1/polls",
        json={
            "question": "Another?",
            "options": ["Yes", "No"],
            "audience": {"everyone": True},
            "closes_at": "2026-03-10T17:00:00+00:00",
            "call_landlines": "perhaps",
        },
        headers=api_token("officer"),
    )
    assert refused.status_code == 400
    assert "call_landlines" in refused.get_json()["error"]


def test_grace_is_phoned_the_mystery_shop_invitation_and_does_the_check_in_on_the_call(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    api_token: Callable[[str], dict[str, str]],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    demo_areas(sessions, db)
    _grace(db).set_roles({"mystery_shopper"})
    db.commit()
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)
    clock.now = MARCH_INVITATION
    run_due_tasks(sessions, clock())
    deliver_all(dispatcher)

    [placed] = fake_twilio.calls_to(GRACE)
    grace = _picks_up(client, placed)
    invitation = _said(grace)
    assert "this month's mystery shopper check-in. It takes 5 minutes." in invitation.text
    assert "To start the check-in now, press 1." in invitation.text
    _answers_with_1(invitation, "SHOP")
    assert "Which of our services" in grace.press("1").text
    for key in ("1", "1", "2", "4", "3"):  # phone, this week, hard, well, not sorted
        asked = grace.press(key)
    assert asked.record_action is not None
    grace.leave_voice_note(RECORDING)
    assert "Your answers help us" in grace.say_nothing().text

    check_in = db.scalars(
        select(MysteryShopCheckIn).where(MysteryShopCheckIn.tenant_id == _grace(db).id)
    ).one()
    assert check_in.finished and check_in.channel == "voice"
    summary = client.get("/api/v1/mystery-shopping/summary?year=2026", headers=api_token("viewer"))
    march = next(m for m in summary.get_json()["months"] if m["month"] == "2026-03")
    assert (march["finished"], march["asked"]) == (1, 3)  # Grace, of Ann, Dariusz and Grace


def test_grace_is_phoned_the_mystery_shop_reminder_while_her_check_in_is_not_done(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    demo_areas(sessions, db)
    _grace(db).set_roles({"mystery_shopper"})
    db.commit()
    clock.now = BEFORE_MARCH
    book_standing_tasks(sessions, clock)
    clock.now = MARCH_INVITATION
    run_due_tasks(sessions, clock())
    deliver_all(dispatcher)
    clock.advance(days=5)  # the reminder, to shoppers who have not finished
    run_due_tasks(sessions, clock())
    deliver_all(dispatcher)

    _invitation, placed = fake_twilio.calls_to(GRACE)
    grace = _picks_up(client, placed)
    assert "check-in is still open. It takes 5 minutes." in _said(grace).text
    _answers_with_1(_said(grace), "SHOP")
    assert "Which of our services" in grace.press("1").text


def test_grace_hears_by_call_that_staff_took_her_on_as_a_volunteer_and_not_as_an_inspector(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    demo_areas(sessions, db)
    with sessions.begin() as session:
        grace = session.scalars(select(Tenant).where(Tenant.phone == GRACE)).one()
        for role in ("volunteer_bank", "resident_inspector"):
            ask_to_join(session, grace, role, channel="voice", now=clock())
    volunteer, inspector = db.scalars(select(InvolvementRequest.id).order_by("id"))
    officer = staff_as("officer")
    for request_id, decision in ((volunteer, "grant"), (inspector, "decline")):
        decided = f"/staff/involvement/{request_id}/{decision}"
        assert officer.submit("/staff/involvement/", decided, {}).status_code == 302
    deliver_all(dispatcher)

    granted, declined = (
        _said(_picks_up(client, placed)).text for placed in fake_twilio.calls_to(GRACE)
    )
    assert "welcome! You have joined: Volunteer bank." in granted
    assert "Call us any time to hear what you can do." in granted and "Text" not in granted
    assert "thank you for offering to join (Resident inspector)" in declined
    assert "Call us to hear other ways to get involved." in declined


def test_grace_gets_the_repair_survey_by_call_and_answers_it_with_keys(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    api_token: Callable[[str], dict[str, str]],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    demo_areas(sessions, db)
    clock.now = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    registered = client.post(
        "/api/v1/repairs",
        json={
            "phone": GRACE,
            "job_reference": "JOB-2001",
            "job_type": "Plumbing",
            "completed_at": "2026-03-03T14:30:00+00:00",
        },
        headers=api_token("officer"),
    )
    assert registered.status_code == 201, registered.get_json()
    clock.now = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # the next morning, in the window
    run_due_tasks(sessions, clock())
    deliver_all(dispatcher)

    [placed] = fake_twilio.calls_to(GRACE)
    grace = _picks_up(client, placed)
    survey = _said(grace)
    assert "your plumbing repair was finished on Tue 3 Mar. How did we do?" in survey.text
    assert "To answer now, press 1." in survey.text
    _answers_with_1(survey, "SURVEY")
    assert "For Happy, press 4." in grace.press("1").text
    assert "For Yes, press 1." in grace.press("4").text
    comment = grace.press("1")
    assert comment.record_action is not None  # anything else: a voice note, or nothing
    assert "Your answers help us make repairs better" in grace.say_nothing().text
    db.expire_all()
    repair = db.scalars(select(Repair)).one()
    assert (repair.satisfaction, repair.right_first_time, repair.channel) == (4, True, "voice")

    outcome = {
        "job_type": "Plumbing",
        "first_month": "2026-03",
        "last_month": "2026-03",
        "outcome": "Plumbers now text before they come.",
    }
    published = client.post("/api/v1/repairs/outcomes", json=outcome, headers=api_token("officer"))
    assert published.status_code == 201, published.get_json()
    deliver_all(dispatcher)
    told = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
    assert "Here is what we did: Plumbers now text before they come." in told.text


def test_after_a_walk_grace_reported_on_by_voice_note_she_is_phoned_its_outcome(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    areas = demo_areas(sessions, db)
    officer = staff_as("officer")
    page, _walk = book_phoned_walk(officer, areas)
    clock.advance(days=10, hours=1)  # the notice is due a week before the walk
    run_due_tasks(sessions, clock())
    deliver_all(dispatcher)
    [placed] = fake_twilio.calls_to(GRACE)
    grace = _picks_up(client, placed)
    grace.press("1")
    grace.leave_voice_note(RECORDING)
    report = db.scalars(select(IssueReport)).one()
    assert report.channel == "voice"

    page = f"/staff/inspections/{report.inspection_id}"
    finding = {
        "found": "Broken light above the stair door",
        "action": "Replace the stair light",
        "responsible": "Repairs",
        "due_on": "2026-03-27",
        "reports": str(report.id),
    }
    assert officer.submit(page, f"{page}/findings", finding).status_code == 302
    clock.now = datetime(2026, 3, 20, 13, 0, tzinfo=UTC)  # the walk is over
    close_page = officer.client.get(f"{page}/close").text
    assert "2 tenants of Leven will get a short summary" in close_page  # Elaine, and Grace
    assert "1 tenant who reported something will hear" in close_page
    assert officer.submit(f"{page}/close", f"{page}/close", {}).status_code == 302
    deliver_all(dispatcher)

    _notice, *after = fake_twilio.calls_to(GRACE)
    said = " ".join(_said(_picks_up(client, placed)).text for placed in after)
    assert "thank you to everyone who came to the estate walk in Leven" in said
    assert f"about the problem you told us about, reference {report.reference}" in said
    assert "we agreed: Replace the stair light, by Fri 27 Mar. We will call you" in said
    assert "Reply" not in said and "MORE" not in said

    finding_id = db.scalars(select(InspectionFinding.id)).one()
    done = f"{page}/findings/{finding_id}/done"
    assert officer.submit(page, done, {}).status_code == 302
    deliver_all(dispatcher)
    said = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1])).text
    assert f"good news about the problem you told us about, reference {report.reference}" in said
    assert "Replace the stair light. This is now done." in said


def test_after_a_walk_that_found_nothing_grace_is_phoned_that_and_that_nothing_was_agreed(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    areas = demo_areas(sessions, db)
    officer = staff_as("officer")
    page, _walk = book_phoned_walk(officer, areas)
    clock.advance(days=10, hours=1)
    run_due_tasks(sessions, clock())
    deliver_all(dispatcher)
    [placed] = fake_twilio.calls_to(GRACE)
    grace = _picks_up(client, placed)
    grace.press("1")
    grace.leave_voice_note(RECORDING)
    reference = db.scalars(select(IssueReport)).one().reference

    clock.now = datetime(2026, 3, 20, 13, 0, tzinfo=UTC)
    close = f"{page}/close"
    assert officer.submit(close, close, {}).status_code == 302
    deliver_all(dispatcher)
    _notice, *after = fake_twilio.calls_to(GRACE)
    said = " ".join(_said(_picks_up(client, placed)).text for placed in after)
    assert "We found nothing that needs fixing this time." in said
    assert f"reference {reference}. We looked at it on the estate walk" in said
    assert "If it is still a problem, please call us." in said and "Reply" not in said


def test_grace_is_phoned_that_a_walk_and_an_event_she_was_told_of_are_cancelled(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    areas = demo_areas(sessions, db)
    officer = staff_as("officer")
    book_event(officer, [areas["Leven"]], call_landlines="y")
    deliver_all(dispatcher)
    [invited] = fake_twilio.calls_to(GRACE)
    grace = _picks_up(client, invited)
    grace.press("1")  # to answer: yes
    grace.press("1")
    grace.press("1#")  # just her
    event_id = db.scalars(select(Event.id)).one()
    cancel_event = f"/staff/events/{event_id}/cancel"
    assert officer.submit(cancel_event, cancel_event, {}).status_code == 302
    deliver_all(dispatcher)
    said = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
    assert "sorry, Leven gala day on Tue 10 Mar, 10:30 is cancelled." in said.text
    assert said.gather is None  # nothing left to answer

    page, _walk = book_phoned_walk(officer, areas, day="2026-03-27")
    clock.advance(days=17, hours=1)  # the notice is due a week before the walk
    run_due_tasks(sessions, clock())
    deliver_all(dispatcher)
    assert "estate walk in Leven" in _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1])).text
    cancel_walk = f"{page}/cancel"
    assert officer.submit(cancel_walk, cancel_walk, {}).status_code == 302
    deliver_all(dispatcher)
    said = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
    assert "sorry, the estate walk in Leven on Fri 27 Mar, 10:30 is cancelled." in said.text
    assert "Any problem you told us about will be looked at on the next walk." in said.text


def test_grace_coming_to_an_event_is_phoned_its_move_and_both_reminders(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    areas = demo_areas(sessions, db)
    officer = staff_as("officer")
    event = {"at": "14:00", "until": "16:00", "call_landlines": "y"}
    book_event(officer, [areas["Leven"]], **event)
    deliver_all(dispatcher)
    [invited] = fake_twilio.calls_to(GRACE)
    grace = _picks_up(client, invited)
    for key in ("1", "1", "1#"):  # to answer, yes, just her
        grace.press(key)
    event_id = db.scalars(select(Event.id)).one()
    edit = f"/staff/events/{event_id}/edit"
    moved = {
        "title": "Leven gala day",
        "kind": "community",
        "areas": [str(areas["Leven"])],
        "day": "2026-03-10",
        "at": "15:00",
        "until": "17:00",
        "venue": "Leven Community Centre",
        "capacity": "40",
        "most_per_party": "4",
        "call_landlines": "y",
    }
    assert officer.submit(edit, edit, moved).status_code == 302
    deliver_all(dispatcher)
    said = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
    assert "Leven gala day has moved to Tue 10 Mar, 15:00" in said.text
    _answers_with_1(said, "EVENTS")

    for now, heard_then in (
        (datetime(2026, 3, 9, 15, 0, tzinfo=UTC), "a reminder, Leven gala day is tomorrow"),
        (datetime(2026, 3, 10, 9, 0, tzinfo=UTC), "see you today at Leven gala day"),
    ):
        clock.now = now
        run_due_tasks(sessions, clock())
        deliver_all(dispatcher)
        said = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
        assert heard_then in said.text
        _answers_with_1(said, "EVENTS")


def test_grace_waiting_for_a_place_is_phoned_when_one_comes_free(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    areas = demo_areas(sessions, db)
    full = {"capacity": "1", "most_per_party": "1", "call_landlines": "y"}
    book_event(staff_as("officer"), [areas["Leven"]], **full)
    deliver_all(dispatcher)
    elaine = Phone(client, ELAINE, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
    elaine.text("EVENTS")
    elaine.text("1")  # the one place
    grace = _picks_up(client, fake_twilio.calls_to(GRACE)[0])
    grace.press("1")
    assert "You are number 1 on the waiting list" in grace.press("1").text
    elaine.text("EVENTS")
    elaine.text("2")  # she cannot come after all
    deliver_all(dispatcher)

    said = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
    assert "good news, a place came free at Leven gala day" in said.text
    assert "You now have a place." in said.text
    _answers_with_1(said, "EVENTS")


def test_grace_told_of_a_walk_is_phoned_its_move_and_its_reminder(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    staff_as: Callable[[str], StaffBrowser],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    areas = demo_areas(sessions, db)
    officer = staff_as("officer")
    page, walk = book_phoned_walk(officer, areas)
    clock.advance(days=10, hours=1)  # the notice is due a week before the walk
    run_due_tasks(sessions, clock())
    deliver_all(dispatcher)
    assert len(fake_twilio.calls_to(GRACE)) == 1  # the notice

    edit = f"{page}/edit"
    moved = {key: value for key, value in walk.items() if key != "area"}
    assert officer.submit(edit, edit, {**moved, "day": "2026-03-21"}).status_code == 302
    deliver_all(dispatcher)
    said = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
    assert "the estate walk in Leven has moved to Sat 21 Mar, 10:30" in said.text
    _answers_with_1(said, "COMING")

    clock.now = datetime(2026, 3, 20, 11, 0, tzinfo=UTC)  # the day before
    run_due_tasks(sessions, clock())
    deliver_all(dispatcher)
    said = _said(_picks_up(client, fake_twilio.calls_to(GRACE)[-1]))
    assert "a reminder of the estate walk in Leven on Sat 21 Mar, 10:30" in said.text
    _answers_with_1(said, "REPORT")


# --- the registry of message kinds --------------------------------------------------------


def _every_composer_imported() -> None:
    """Each module that may declare a kind, so the registry is whole."""
    for package in (bot, participation, scheduler):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            import_module(module.name)


_every_composer_imported()
KINDS = sorted(MESSAGE_KINDS)


_POLL = test_grace_is_phoned_a_poll_its_reminder_and_its_outcome_and_votes_with_a_key
_WALK = test_after_a_walk_grace_reported_on_by_voice_note_she_is_phoned_its_outcome
_NOTHING_FOUND = (
    test_after_a_walk_that_found_nothing_grace_is_phoned_that_and_that_nothing_was_agreed
)
_INVOLVED = test_grace_hears_by_call_that_staff_took_her_on_as_a_volunteer_and_not_as_an_inspector
# The test that phones a landline-only tenant each kind through the dispatcher. A kind
# declared later fails below until it is phoned to a landline and its test named here.
PHONED_BY: dict[str, Callable[..., None]] = {
    "polls.invitation": _POLL,
    "polls.reminder": _POLL,
    "polls.outcome": _POLL,
    "polls.household_replaced": (
        test_grace_is_phoned_when_someone_else_in_her_home_votes_in_her_place
    ),
    "mystery_shop.invitation": (
        test_grace_is_phoned_the_mystery_shop_invitation_and_does_the_check_in_on_the_call
    ),
    "repairs.survey_notice": test_grace_gets_the_repair_survey_by_call_and_answers_it_with_keys,
    "repairs.outcome": test_grace_gets_the_repair_survey_by_call_and_answers_it_with_keys,
    "mystery_shop.reminder": (
        test_grace_is_phoned_the_mystery_shop_reminder_while_her_check_in_is_not_done
    ),
    "involvement.granted": _INVOLVED,
    "involvement.declined": _INVOLVED,
    "inspection.summary": _WALK,
    "inspection.report_outcome": _WALK,
    "inspection.report_done": _WALK,
    "inspection.summary_nothing": _NOTHING_FOUND,
    "inspection.report_no_action": _NOTHING_FOUND,
    "inspection.cancelled": (
        test_grace_is_phoned_that_a_walk_and_an_event_she_was_told_of_are_cancelled
    ),
    "events.cancelled": test_grace_is_phoned_that_a_walk_and_an_event_she_was_told_of_are_cancelled,
    "events.moved": test_grace_coming_to_an_event_is_phoned_its_move_and_both_reminders,
    "events.reminder": test_grace_coming_to_an_event_is_phoned_its_move_and_both_reminders,
    "events.reminder_today": test_grace_coming_to_an_event_is_phoned_its_move_and_both_reminders,
    "events.promoted": test_grace_waiting_for_a_place_is_phoned_when_one_comes_free,
    "inspection.moved": test_grace_told_of_a_walk_is_phoned_its_move_and_its_reminder,
    "inspection.reminder": test_grace_told_of_a_walk_is_phoned_its_move_and_its_reminder,
    "inspection.notice": (
        voice_calls.test_a_walk_notice_phoned_to_a_landline_takes_1_to_report_and_staff_hear_the_note
    ),
    "events.invitation": (
        voice_calls.test_an_event_phoned_to_a_landline_is_answered_by_pressing_1_on_the_call
    ),
    "broadcasts.notice": (
        voice_calls.test_a_notice_to_a_landline_goes_as_a_call_when_staff_choose_and_its_outcome_is_counted
    ),
    "broadcasts.opportunity": (
        voice_calls.test_an_opportunity_phoned_to_a_landline_volunteer_takes_1_as_yes
    ),
}


@pytest.mark.parametrize("key", KINDS)
def test_every_kind_of_unasked_message_is_phoned_to_a_landline_by_a_named_test(key: str) -> None:
    assert key in PHONED_BY, f"{key}: phone it to a landline-only tenant, and name the test"


def test_the_registry_holds_every_kind_of_unasked_message() -> None:
    assert set(PHONED_BY) == set(KINDS)  # and names no kind that is gone
    assert {"polls.invitation", "mystery_shop.invitation", "repairs.survey_notice"} <= set(KINDS)
    assert {"inspection.summary", "inspection.report_outcome", "events.invitation"} <= set(KINDS)


@pytest.mark.parametrize("key", KINDS)
@pytest.mark.parametrize("language", catalogue.languages())
def test_every_kind_of_unasked_message_has_its_call_wording_in_every_language(
    key: str, language: str
) -> None:
    kind = MESSAGE_KINDS[key]
    own = catalogue.entries(language)
    assert kind.call_wording in own, f"{kind.call_wording}: how a call says {key}, in {language}"
    said, written = own[kind.call_wording], own[key]
    assert _placeholders(said) <= _placeholders(written)
    if kind.call_answer is not None:
        assert kind.call_answer in own, f"{kind.call_answer}: press 1 to answer {key}"
    if language == "en":
        assert "Reply" not in said and "Text " not in said, said


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
