"""The demo's poll, end to end: an officer publishes a two-option poll in the console,
two demo tenants vote (one by signed SMS, one in the simulator who then changes their
mind), the poll closes at its time, the officer publishes "you said, we did", and both
voters get it through the dispatcher; a tenant who did not vote does not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from channels.simulator import SimulatorSms
from doorstep.demo import load_demo
from models.polls import Poll, PollStatus, PollVote
from scheduler.dispatcher import Dispatcher
from scheduler.tasks import run_due_tasks
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.helpers import Clock, Phone, StaffBrowser
from tests.webhooks.test_simulator_and_health import simulate

CHLOE = "07700 900103"  # Kirkcaldy Templehall, in the demo data
ELAINE = "+447700900105"  # Leven
FRASER = "07700 900106"  # Buckhaven: does not vote
PUBLISHED_AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)
SETTINGS = Settings(landlord="Fife Housing Group")
OUTCOME = "You chose the freeze: rents stay the same in 2027."


def reads(client: FlaskClient, phone: str) -> list[str]:
    response = client.get("/simulator/thread", query_string={"phone": phone})
    return [message["text"] for message in response.get_json()["messages"]]


def run_the_rounds(sessions: sessionmaker[Session], clock: Clock) -> None:
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    Dispatcher(sessions, {"sms": SimulatorSms()}, clock).run_once()


def test_the_demo_poll_from_publishing_to_you_said_we_did(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    with sessions.begin() as session:
        load_demo(session)
    clock.now = PUBLISHED_AT
    officer = staff_as("officer")
    published = officer.submit(
        "/staff/polls/new",
        "/staff/polls/new",
        {
            "question": "Rents for 2027: which do you prefer?",
            "options": "Freeze rents\nRise 3% with new kitchens",
            "everyone": "y",
            "day": "2026-12-08",
            "at": "17:00",
            "reminder_days": "0",
        },
    )
    assert published.status_code == 302
    poll_page = published.headers["Location"]
    run_the_rounds(sessions, clock)
    assert reads(client, CHLOE)[-1] == (
        "Fife Housing Group wants your view: Rents for 2027: which do you prefer? "
        "Reply VOTE to answer by Tue 8 Dec, 17:00."
    )

    elaine = Phone(client, ELAINE, auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)
    assert elaine.text("VOTE")[0].startswith("Rents for 2027: which do you prefer? Vote by")
    assert elaine.text("1")[0].startswith("Thank you. You voted Freeze rents.")
    simulate(client, CHLOE, "VOTE")
    simulate(client, CHLOE, "2")
    simulate(client, CHLOE, "VOTE")
    simulate(client, CHLOE, "freeze rents")
    assert reads(client, CHLOE)[-1].startswith("Thank you, your vote is now Freeze rents.")
    page = officer.client.get(poll_page).text
    assert "Results (2 votes)" in page and "100.0%" in page

    clock.now = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)
    run_the_rounds(sessions, clock)
    assert db.scalars(select(Poll.status)).one() == PollStatus.CLOSED
    outcome = officer.submit(poll_page, poll_page + "/outcome", {"outcome": OUTCOME})
    assert outcome.status_code == 302

    clock.now = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # the window opens
    run_the_rounds(sessions, clock)
    told = f"You said, we did: {OUTCOME} Thank you for taking part. Fife Housing Group"
    assert reads(client, CHLOE)[-1] == told
    assert reads(client, ELAINE)[-1] == told
    assert told not in reads(client, FRASER)
    assert len(db.scalars(select(PollVote)).all()) == 2
