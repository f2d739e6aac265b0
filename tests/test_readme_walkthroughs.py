"""Every walkthrough in README.md, followed step by step as a new officer would on the demo.

Each test takes its words, numbers and button names from the README's text, against
the demo's own data and settings, through the front doors: the ``doorstep`` command,
the console's pages and forms, the phone simulator, and the scheduler's rounds with
the dispatcher sending to the simulator. Where a test and the README part, one of
them is wrong.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from channels.simulator import SimulatorSms
from doorstep.cli import main
from doorstep.demo import SAMPLE_TENANTS, demo_settings, load_demo
from models.inspections import IssueReport
from models.tenants import Area
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.helpers import Clock, StaffBrowser
from tests.webhooks.test_simulator_and_health import simulate

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
ANN, BRIAN, CHLOE = "07700 900101", "07700 900102", "07700 900103"
A_TUESDAY_MORNING = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 10:00 in London, in the window
SETTINGS = Settings(landlord="Fife Housing Group")
PASSWORD = "a long demo password 42"


class IdleScheduler:
    """The demo's scheduler, held still: the tests run its rounds at their clock's time."""

    started = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None: ...


@pytest.fixture
def demo(app: Flask, sessions: sessionmaker[Session], clock: Clock) -> Iterator[Flask]:
    """The app as ``doorstep demo`` runs it: its settings, its areas and tenants."""
    app.config["DOORSTEP"] = demo_settings(app.config["DOORSTEP"])
    with sessions.begin() as session:
        load_demo(session)
    clock.now = A_TUESDAY_MORNING
    yield app


def says(*words: str) -> None:
    """The README says this, word for word (its lines are wrapped anywhere)."""
    flat = " ".join(README.split())
    for said in words:
        assert said in flat, f"the README no longer says {said!r}"


def reads(client: FlaskClient, phone: str) -> list[str]:
    response = client.get("/simulator/thread", query_string={"phone": phone})
    return [message["text"] for message in response.get_json()["messages"]]


def run_the_rounds(sessions: sessionmaker[Session], clock: Clock) -> None:
    """What the demo's scheduler does in a second or two: due tasks, then a send."""
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    Dispatcher(sessions, {"sms": SimulatorSms()}, clock).run_once()


def link_to(html: str, label: str) -> str:
    found = re.search(rf'href="([^"]+)"[^>]*>{re.escape(label)}</a>', html)
    assert found is not None, f"no link {label!r} on the page"
    return found.group(1)


def area_id(db: Session, name: str) -> str:
    return str(db.scalars(select(Area.id).where(Area.name == name)).one())


def demo_officer(app: Flask, email: str = "you@landlord.org") -> StaffBrowser:
    """Step 1 of "A first day": the command adds the admin, who signs in with a password."""
    result = app.test_cli_runner().invoke(
        main, ["staff", "add", email, "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "API token" in result.output
    officer = StaffBrowser(app.test_client(), email, PASSWORD)
    assert officer.sign_in().headers["Location"] == "/staff/"
    return officer


# --- Quick start ---------------------------------------------------------------------------


def test_the_demo_prints_the_consoles_address_and_the_simulators(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    says(
        "The demo prints the console's address (http://127.0.0.1:5000/staff/) and the "
        "simulator's (http://127.0.0.1:5000/simulator/)."
    )
    served: list[int] = []

    def serve(_host: str, port: int, *_: object, **__: object) -> None:
        served.append(port)

    monkeypatch.setattr("doorstep.cli._scheduler_process", lambda _app: IdleScheduler())
    monkeypatch.setattr("doorstep.cli.run_simple", serve)
    result = app.test_cli_runner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:5000/staff/" in result.output
    assert "doorstep staff add you@landlord.org --role admin" in result.output
    assert "http://127.0.0.1:5000/simulator/" in result.output
    assert served == [5000]


def test_a_busy_port_is_named_with_how_to_pick_another_and_nothing_starts(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = IdleScheduler()
    monkeypatch.setattr("doorstep.cli._scheduler_process", lambda _app: scheduler)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = app.test_cli_runner().invoke(main, ["demo", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Port {port} is in use by another program" in result.output
    assert f"doorstep demo --port {port + 1}" in result.output
    assert "Traceback" not in result.output and "Open the" not in result.output
    assert not scheduler.started


# --- A first day, on the demo --------------------------------------------------------------


def test_a_first_day_import_a_text_a_reply_and_the_tenants_thread(
    demo: Flask, client: FlaskClient, sessions: sessionmaker[Session], clock: Clock
) -> None:
    says(
        "`.venv/bin/doorstep staff add you@landlord.org --role admin` (it asks for a password "
        "and prints your API token once).",
        'Tenants → "Import tenants from the housing system" → choose `doorstep/demo_tenants.csv`',
        "— `Is the drop-in still on Friday?` — then in the console open Inbox, type a reply "
        'and press "Send reply". Search Tenants for "Ann" to read her whole thread.',
    )
    officer = demo_officer(demo)

    tenants = officer.client.get("/staff/tenants/").text
    importing = link_to(tenants, "Import tenants from the housing system")
    with SAMPLE_TENANTS.open("rb") as csv_file:
        imported = officer.submit(importing, importing, {"file": (csv_file, "demo_tenants.csv")})
    assert imported.status_code == 200
    assert "<strong>0</strong> added" in imported.text  # the demo has them all already
    assert "<strong>0</strong> rejected" in imported.text

    simulate(client, ANN, "Is the drop-in still on Friday?")
    inbox = officer.client.get("/staff/inbox/").text
    assert "Is the drop-in still on Friday?" in inbox and "Send reply" in inbox
    reply_to = re.search(r'action="(/staff/inbox/\d+/reply)"', inbox).group(1)  # type: ignore[union-attr]
    sent = officer.submit("/staff/inbox/", reply_to, {"text": "Yes, 10 till 12 as usual."})
    assert sent.status_code == 302

    found = officer.client.get("/staff/tenants/", query_string={"q": "Ann"}).text
    thread = officer.client.get(link_to(found, "Ann Smith")).text
    assert "Is the drop-in still on Friday?" in thread and "Yes, 10 till 12 as usual." in thread

    says("Back in the simulator the reply arrives within a second or two.")
    run_the_rounds(sessions, clock)
    assert reads(client, ANN)[-1] == "Yes, 10 till 12 as usual."


# --- Estate inspections: to try it on the demo ---------------------------------------------


def test_the_inspection_walk_is_booked_reported_on_and_closed_on_the_day(
    demo: Flask,
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
) -> None:
    says(
        "book a walk for Methil for later today (the notice goes at once, since its day has "
        "passed)",
        "reply REPORT, choose with digits and say where and what in a few words; the report "
        "shows on the inspection page; record a finding that answers it, close the walk (you "
        "may close it from its day on), and the summary and the report's outcome arrive",
    )
    officer = demo_officer(demo)
    booking = link_to(officer.client.get("/staff/inspections/").text, "Book an inspection")
    form = {
        "area": area_id(db, "Methil"),
        "day": "2026-12-01",
        "at": "15:00",
        "meeting_point": "Outside the Co-op",
        "officer": "Jean Brown",
        "notes": "",
    }
    booked = officer.submit(booking, booking, form)
    assert booked.status_code == 302, booked.text
    page = booked.headers["Location"]
    run_the_rounds(sessions, clock)
    assert "estate walk in Methil on Tue 1 Dec, 15:00" in reads(client, ANN)[-1]

    for said in ("REPORT", "2", "Behind the garages", "An old sofa", "1"):
        simulate(client, ANN, said)
    report = db.scalars(select(IssueReport)).one()
    assert report.reference in reads(client, ANN)[-1]
    assert report.reference in officer.client.get(page).text

    finding = {
        "found": "Sofa dumped behind the garages",
        "action": "Bulk uplift to clear it",
        "responsible": "Waste team",
        "due_on": "2026-12-08",
        "reports": str(report.id),
    }
    assert officer.submit(page, f"{page}/findings", finding).status_code == 302
    clock.advance(minutes=30)  # back from the walk, on its day
    closing = link_to(officer.client.get(page).text, "Close the inspection")
    assert officer.submit(closing, closing, {}).status_code == 302
    run_the_rounds(sessions, clock)
    heard = reads(client, ANN)
    assert any("Things to fix: 1." in text and "Reply MORE" in text for text in heard)
    assert any(report.reference in text and "Bulk uplift to clear it" in text for text in heard)


# --- Events, broadcasts and polls on the demo ----------------------------------------------


def test_events_two_places_three_yeses_and_the_third_moves_up(
    demo: Flask, client: FlaskClient, db: Session, sessions: sessionmaker[Session], clock: Clock
) -> None:
    says(
        "Events → Book an event: Methil and Kirkcaldy Templehall, capacity 2, a start tomorrow.",
        "each replies EVENTS then 1 (yes): the third is told they are on the waiting list.",
        "As 07700 900101 reply EVENTS then 2 (no): 07700 900103 is told a place came free, and "
        "the event page shows the new counts.",
    )
    officer = demo_officer(demo)
    booking = link_to(officer.client.get("/staff/events/").text, "Book an event")
    form = {
        "title": "Coffee morning",
        "kind": "community",
        "areas": [area_id(db, "Methil"), area_id(db, "Kirkcaldy Templehall")],
        "day": "2026-12-02",
        "at": "10:30",
        "until": "12:00",
        "venue": "Methil Community Hall",
        "capacity": "2",
        "most_per_party": "1",
        "repeat_months": "1",
    }
    booked = officer.submit(booking, booking, form)
    assert booked.status_code == 302, booked.text
    run_the_rounds(sessions, clock)
    for phone in (ANN, BRIAN, CHLOE):
        simulate(client, phone, "EVENTS")
        simulate(client, phone, "1")
    assert "You are number 1 on the waiting list" in reads(client, CHLOE)[-1]

    clock.advance(minutes=5)
    simulate(client, ANN, "EVENTS")
    simulate(client, ANN, "2")
    run_the_rounds(sessions, clock)
    assert "a place came free at Coffee morning" in reads(client, CHLOE)[-1]
    event_page = officer.client.get(booked.headers["Location"]).text
    assert "<strong>2</strong> coming (2 people)" in event_page


def test_a_notice_to_everyone_shows_its_reach_and_cost_and_is_delivered(
    demo: Flask, client: FlaskClient, sessions: sessionmaker[Session], clock: Clock
) -> None:
    says(
        'Broadcasts → Write a notice: everyone, "The office is closed on Friday." The page '
        "shows 6 recipients, 1 SMS segment each and £0.24",
        "press Send now, and watch the delivery report count them delivered",
    )
    officer = demo_officer(demo)
    writing = link_to(officer.client.get("/staff/broadcasts/").text, "Write a notice")
    form = {"kind": "notice", "text_en": "The office is closed on Friday.", "everyone": "y"}
    written = officer.submit(writing, writing, {**form, "topic": "news"})
    assert written.status_code == 302, written.text
    page = written.headers["Location"]
    before = officer.client.get(page).text
    assert '<dd id="recipients">6</dd>' in before
    assert '<p class="segments">1 SMS segment, GSM-7' in before.split('id="lang-pl"', 1)[1]
    assert "<dt>SMS segments in all</dt><dd>6</dd>" in before
    assert "£0.24 (at £0.040 a segment)" in before
    assert "Send now to 6 tenants" in before

    broadcast_id = page.rstrip("/").rsplit("/", 1)[1]
    assert officer.submit(page, f"/staff/broadcasts/{broadcast_id}/send", {}).status_code == 302
    for _ in range(3):
        run_the_rounds(sessions, clock)
    report = officer.client.get(f"/staff/broadcasts/{broadcast_id}/report.json").get_json()
    assert report["delivered"] == 6
    assert reads(client, ANN)[-1] == "Fife Housing Group: The office is closed on Friday."
    assert "Ta wiadomosc jest po angielsku" in reads(client, "07700 900104")[-1]  # Dariusz


def test_a_poll_closing_in_ten_minutes_closed_early_and_you_said_we_did(
    demo: Flask, client: FlaskClient, sessions: sessionmaker[Session], clock: Clock
) -> None:
    says(
        "Polls → Publish a poll: a question with two options, everyone, closing in ten minutes.",
        'Tenants reply VOTE and a digit; after it closes (or "Close the poll early"), write "you '
        'said, we did" and publish it: those who voted receive it.',
    )
    officer = demo_officer(demo)
    publishing = link_to(officer.client.get("/staff/polls/").text, "Publish a poll")
    form = {
        "question": "Should the drop-in move to Thursdays?",
        "options": "Yes, Thursdays\nNo, keep Friday",
        "everyone": "y",
        "day": "2026-12-01",
        "at": "10:10",
        "reminder_days": "0",
    }
    published = officer.submit(publishing, publishing, form)
    assert published.status_code == 302, published.text
    poll = published.headers["Location"]
    run_the_rounds(sessions, clock)
    simulate(client, ANN, "VOTE")
    simulate(client, ANN, "1")
    assert reads(client, ANN)[-1].startswith("Thank you. You voted Yes, Thursdays.")

    clock.advance(minutes=5)
    closing = link_to(officer.client.get(poll).text, "Close the poll early")
    assert officer.submit(closing, closing, {}).status_code == 302
    outcome = "Most of you said Thursdays: from January the drop-in is on Thursdays."
    assert officer.submit(poll, f"{poll}/outcome", {"outcome": outcome}).status_code == 302
    run_the_rounds(sessions, clock)
    assert reads(client, ANN)[-1].startswith(f"You said, we did: {outcome}")
    assert not any(outcome in text for text in reads(client, BRIAN))  # he did not vote


def test_languages_lang_then_polski_then_shop(demo: Flask, client: FlaskClient) -> None:
    says("To try languages, text `LANG` as 07700 900101, pick Polski, Gàidhlig or اردو, then")
    languages = reads_after(client, ANN, "LANG")
    polski = re.search(r"(\d+) Polski", languages)
    assert polski is not None, languages
    simulate(client, ANN, polski.group(1))
    shop = reads_after(client, ANN, "SHOP")
    assert shop and "Sorry, I did not understand" not in shop
    assert any(word in shop for word in ("Odpowiedz", "Wyślij", "Napisz")), shop


def reads_after(client: FlaskClient, phone: str, text: str) -> str:
    _, body = simulate(client, phone, text)
    return str(body["messages"][-1]["text"])


KEYWORDS_TO_TRY = ("MENU", "HELP", "LANG", "STOP", "START", "EVENTS", "VOTE", "JOIN", "REPORT")


def test_the_demo_tenants_are_known_and_every_word_to_try_gets_an_answer(
    demo: Flask, client: FlaskClient
) -> None:
    says(
        "a new number is asked to sign up; the demo tenants (07700 900101 to 07700 900106) are "
        "known already. Try `MENU`, `HELP`, `LANG`, `STOP`, `START`, `EVENTS`, `VOTE`, `JOIN`, "
        "`REPORT`."
    )
    strangers_first = reads_after(client, "07700 900199", "MENU")
    for last_digits in range(101, 107):
        assert reads_after(client, f"07700 900{last_digits}", "MENU") != strangers_first
    for word in KEYWORDS_TO_TRY:
        answer = reads_after(client, "07700 900106", word)
        assert answer and "did not understand" not in answer, (word, answer)
        if word not in ("LANG", "STOP", "START"):
            simulate(client, "07700 900106", "MENU")  # put the question aside for the next word
