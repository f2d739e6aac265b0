"""The walk a person takes through the demo: a tenant in the phone simulator, an officer
in the console, and the scheduler's rounds driven by the test's clock.

A mystery shopper gets this month's invitation, answers with digits and a low score
raises an alert in the console; the officer books an estate walk, the tenant gets its
notice, reports a problem, and after the walk hears the summary and their report's
outcome. Everything goes through the front doors: the simulator's endpoint, the
console's forms, the scheduler's due tasks and the dispatcher.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from channels.simulator import SimulatorSms
from doorstep.demo import load_demo
from models.inspections import Inspection, IssueReport
from models.tenants import Area
from scheduler.dispatcher import Dispatcher
from scheduler.mystery_shop_tasks import MysteryShopPlan, book_invitation
from scheduler.tasks import run_due_tasks
from tests.helpers import Clock, StaffBrowser
from tests.webhooks.test_simulator_and_health import simulate

ANN = "07700 900101"  # a mystery shopper in Methil, in the demo data
FIRST_TUESDAY_OF_DECEMBER = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)
SETTINGS = Settings(landlord="Fife Housing Group")


def ann_reads(client: FlaskClient) -> list[str]:
    response = client.get("/simulator/thread", query_string={"phone": ANN})
    return [message["text"] for message in response.get_json()["messages"]]


def run_the_rounds(sessions: sessionmaker[Session], clock: Clock) -> None:
    """One scheduler round and one dispatcher pass, at the clock's time."""
    run_due_tasks(sessions, clock(), settings=SETTINGS)
    Dispatcher(sessions, {"sms": SimulatorSms()}, clock).run_once()


def test_the_demo_walk_from_the_invitation_to_the_outcome_of_a_report(
    client: FlaskClient,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    with sessions.begin() as session:
        load_demo(session)
        clock.now = FIRST_TUESDAY_OF_DECEMBER - timedelta(days=1)
        book_invitation(session, now=clock(), plan=MysteryShopPlan())

    clock.now = FIRST_TUESDAY_OF_DECEMBER
    run_the_rounds(sessions, clock)
    assert "mystery shopper check-in" in ann_reads(client)[-1]

    for digit in ("SHOP", "1", "1", "1", "2", "3"):  # phone, this week, very hard, ..., not sorted
        simulate(client, ANN, digit)
    simulate(client, ANN, "Nobody called me back about my boiler")
    simulate(client, ANN, "SKIP")
    officer = staff_as("officer")
    assert "1</strong> mystery-shop alert open" in officer.client.get("/staff/").text
    assert "Nobody called me back" in officer.client.get("/staff/mystery-shopping/").text

    booked = officer.submit(
        "/staff/inspections/new",
        "/staff/inspections/new",
        {
            "area": str(_methil_id(db)),
            "day": "2026-12-04",
            "at": "10:30",
            "meeting_point": "Outside the Co-op, Wellesley Road",
            "officer": "Jean Brown",
            "notes": "",
        },
    )
    assert booked.status_code == 302
    clock.now += timedelta(minutes=5)
    run_the_rounds(sessions, clock)
    assert "estate walk in Methil on Fri 4 Dec, 10:30" in ann_reads(client)[-1]

    for said in ("REPORT", "2", "Behind the garages on Wellesley Road", "An old sofa", "1"):
        _, body = simulate(client, ANN, said)
    thanks = body["messages"][-1]["text"]
    report = db.scalars(select(IssueReport)).one()
    assert report.reference in thanks and "Fri 4 Dec, 10:30" in thanks

    inspection = db.scalars(select(Inspection)).one()
    page = f"/staff/inspections/{inspection.id}"
    assert report.reference in officer.client.get(page).text
    recorded = officer.submit(
        page,
        f"{page}/findings",
        {
            "found": "Sofa and bags dumped behind the garages",
            "action": "Bulk uplift to clear it",
            "responsible": "Waste team",
            "due_on": "2026-12-11",
            "reports": str(report.id),
        },
    )
    assert recorded.status_code == 302

    clock.now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)  # the walk is over
    assert officer.submit(f"{page}/close", f"{page}/close", {}).status_code == 302
    run_the_rounds(sessions, clock)
    heard = ann_reads(client)
    assert any("Things to fix: 1." in text and "Reply MORE" in text for text in heard)
    assert any(
        f"about your report {report.reference}" in text and "Bulk uplift to clear it" in text
        for text in heard
    )


def _methil_id(db: Session) -> int:
    area_id = db.scalar(select(Area.id).where(Area.name == "Methil"))
    assert area_id is not None
    return area_id
