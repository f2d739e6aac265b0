"""After an estate walk: the area hears a short summary, each reporter hears about their own
report (and again when its action is done), and MORE by SMS gives the full list.

Staff steps go through participation.inspection_steps, as the console and the API call them; the
messages are delivered by the dispatcher to the fake Twilio.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from models.inspections import (
    Inspection,
    InspectionFinding,
    file_report,
    record_finding,
    reference_of,
)
from models.tenants import Tenant
from participation import inspection_steps
from scheduler.dispatcher import Dispatcher
from tests.factories import create_area, create_inspection, create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone

SETTINGS = Settings(landlord="Fife Housing Group")
WALK = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
CLOSED = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
SUMMARY = (
    "Fife Housing Group: thank you to everyone who came to the estate walk in "
    "Kirkcaldy Central. Things to fix: 3. Clear the fly-tipping, by Fri 13 Mar. "
    "Replace the stair light, by Fri 20 Mar. Reply MORE for the full list."
)


class Walk:
    """A walk in Kirkcaldy Central with two reports and three findings, ready to close."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, phone: Phone) -> None:
        with sessions.begin() as session:
            area = create_area(session, name="Kirkcaldy Central")
            self.reporter = create_tenant(session, area=area, phone=phone.number)
            self.other_reporter = create_tenant(session, area=area)
            self.neighbour = create_tenant(session, area=area)
            walk = create_inspection(
                session, area=area, starts_at=WALK, meeting_point="the flat", now=clock()
            )
            fly_tipping, graffiti = (
                file_report(
                    session,
                    tenant=tenant,
                    category=category,
                    location="Behind the garages",
                    description="It has been there for weeks",
                    photo_ids=[],
                    channel="sms",
                    now=clock(),
                )
                for tenant, category in (
                    (self.reporter, "fly_tipping"),
                    (self.other_reporter, "graffiti"),
                )
            )
            self.fly_tipping, self.graffiti = fly_tipping.id, graffiti.id
            findings = (
                (
                    "Mattress by the garages",
                    "Clear the fly-tipping",
                    date(2026, 3, 13),
                    fly_tipping,
                ),
                ("Stair light out at 12", "Replace the stair light", date(2026, 3, 20), None),
                ("Graffiti on the bin store", "", None, graffiti),
            )
            for found, action, due_on, report in findings:
                finding = record_finding(
                    session,
                    walk,
                    found=found,
                    action=action,
                    responsible="Repairs",
                    due_on=due_on,
                    report_ids=[report.id] if report else [],
                    now=CLOSED,
                )
                if report is fly_tipping:
                    self.finding_id = finding.id
            self.walk_id = walk.id
            session.expunge_all()
        self.sessions, self.clock = sessions, clock

    def close(self) -> int:
        self.clock.now = CLOSED
        with self.sessions.begin() as session:
            walk = session.get_one(Inspection, self.walk_id)
            return inspection_steps.close(session, walk, now=self.clock(), settings=SETTINGS)

    def action_done(self) -> int:
        with self.sessions.begin() as session:
            finding = session.get_one(InspectionFinding, self.finding_id)
            return inspection_steps.action_done(
                session, finding, now=self.clock(), settings=SETTINGS
            )


def received(fake_twilio: FakeTwilio, tenant: Tenant) -> list[str]:
    return [message["body"] for message in fake_twilio.sent_to(tenant.phone or "")]


def test_closing_a_walk_sends_the_area_its_summary_and_each_reporter_their_outcome(
    sessions: sessionmaker[Session],
    clock: Clock,
    phone: Phone,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    walk = Walk(sessions, clock, phone)
    assert walk.close() == 5  # three summaries, two outcomes
    dispatcher.run_once()

    assert received(fake_twilio, walk.neighbour) == [SUMMARY]
    assert received(fake_twilio, walk.reporter) == [
        SUMMARY,
        f"Fife Housing Group: about your report {reference_of(walk.fly_tipping)}: on the "
        "estate walk we agreed: Clear the fly-tipping, by Fri 13 Mar. We will text you when "
        "it is done.",
    ]
    assert received(fake_twilio, walk.other_reporter) == [
        SUMMARY,
        f"Fife Housing Group: about your report {reference_of(walk.graffiti)}: we looked at "
        "it on the estate walk but did not agree an action. Reply to this message if it is "
        "still a problem.",
    ]


def test_more_by_sms_after_the_summary_gives_the_full_list_one_message_a_finding(
    sessions: sessionmaker[Session],
    clock: Clock,
    phone: Phone,
    dispatcher: Dispatcher,
) -> None:
    walk = Walk(sessions, clock, phone)
    walk.close()
    dispatcher.run_once()

    assert phone.text("MORE") == [
        "1/3: Mattress by the garages. Clear the fly-tipping, by Fri 13 Mar.",
        "2/3: Stair light out at 12. Replace the stair light, by Fri 20 Mar.",
        "3/3: Graffiti on the bin store.",
    ]


def test_a_reporter_hears_once_when_the_action_on_their_report_is_done(
    sessions: sessionmaker[Session],
    clock: Clock,
    phone: Phone,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
) -> None:
    walk = Walk(sessions, clock, phone)
    walk.close()
    dispatcher.run_once()

    clock.now = datetime(2026, 3, 12, 11, 0, tzinfo=UTC)
    assert walk.action_done() == 1
    assert walk.action_done() == 0  # staff pressed it twice
    dispatcher.run_once()
    assert received(fake_twilio, walk.reporter)[2:] == [
        f"Fife Housing Group: good news about your report {reference_of(walk.fly_tipping)}: "
        "Clear the fly-tipping. This is now done. Thank you for telling us."
    ]
    assert len(received(fake_twilio, walk.other_reporter)) == 2
    assert received(fake_twilio, walk.neighbour) == [SUMMARY]
