"""What tenants hear about an estate walk: the words, the dates, and 2 SMS whatever staff type."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from bot.inspection_notices import (
    full_list,
    send_after_summary,
    send_notice,
    tell_action_done,
    tell_cancelled,
    tell_moved,
)
from bot.sms import count_segments
from models.inspections import (
    Inspection,
    InspectionFinding,
    InspectionRecipient,
    answer_rsvp,
    close_inspection,
    file_report,
    mark_action_done,
    record_finding,
)
from models.messages import OutboundRecord
from models.tenants import Area, Tenant
from tests.factories import create_area, create_inspection, create_tenant

SETTINGS = Settings(landlord="Fife Housing Group")
WALK = datetime(2026, 12, 8, 10, 30, tzinfo=UTC)  # Tuesday 8 December
BOOKED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 12, 8, 13, 0, tzinfo=UTC)
REPEATED = "Fly-tipped mattress, fridge and bags of rubbish behind the garages. " * 15
POLISH = "Zepsute oświetlenie klatki schodowej i porzucone śmieci za garażami. " * 15
PASTED = "\u201cThe bench\u201d \u2013 by the shops \U0001f6ae where the lights are out " * 20
STAFF_WORDS = {"long": REPEATED, "polish": POLISH, "pasted": PASTED}


def finding(found: str, action: str = "", due_on: date | None = None) -> InspectionFinding:
    return InspectionFinding(found=found, action=action, due_on=due_on)


def walk_with(findings: Sequence[InspectionFinding]) -> Inspection:
    """A walk that needs no database: full_list reads only the walk and its findings."""
    return Inspection(
        area=Area(name="Kirkcaldy Central"),
        starts_at=WALK,
        meeting_point="the community flat",
        findings=list(findings),
    )


def bodies(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(OutboundRecord.body).order_by(OutboundRecord.id)))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "1/3: Broken light in the stair at 12 Main Street. "
                "Repairs to replace the light, by Fri 11 Dec.",
                "2/3: Graffiti on the bin store.",
                "3/3: Overgrown hedge. Grounds team to cut it back.",
            ],
        ),
        (
            "pl",
            [
                "1/3: Broken light in the stair at 12 Main Street. "
                "Repairs to replace the light, do 11.12.",
                "2/3: Graffiti on the bin store.",
                "3/3: Overgrown hedge. Grounds team to cut it back.",
            ],
        ),
    ],
)
def test_the_full_list_numbers_each_finding_with_its_action_and_date(
    language: str, expected: list[str]
) -> None:
    walk = walk_with(
        [
            finding(
                "Broken light in the stair at 12 Main Street.",
                "Repairs to replace the light.",
                date(2026, 12, 11),
            ),
            finding("Graffiti on the bin store"),  # nothing agreed: no action shown
            finding("Overgrown hedge", "Grounds team to cut it back"),
        ]
    )
    assert full_list(language, walk, settings=SETTINGS) == expected


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("words", STAFF_WORDS.values(), ids=STAFF_WORDS.keys())
def test_long_staff_words_in_the_full_list_are_cut_with_an_ellipsis_to_fit_two_sms(
    language: str, words: str
) -> None:
    walk = walk_with(
        [finding(words, words, date(2026, 12, 11)), finding(words), finding("Litter", words)]
    )
    texts = full_list(language, walk, settings=SETTINGS)
    assert [text[:5] for text in texts] == ["1/3: ", "2/3: ", "3/3: "]
    for text in texts:
        assert count_segments(text).segments <= 2, text
        assert "..." in text
    assert texts[0].endswith("11 Dec." if language == "en" else "11.12.")
    assert texts[2].startswith("3/3: Litter. ")


def arrange(
    session: Session,
    *,
    language: str = "en",
    area_name: str = "Kirkcaldy Central",
    place: str = "the community flat",
) -> tuple[Inspection, Tenant]:
    """An area with one tenant, and its walk booked."""
    area = create_area(session, name=area_name)
    tenant = create_tenant(session, area=area, language=language)
    walk = create_inspection(session, area=area, starts_at=WALK, meeting_point=place, now=BOOKED)
    return walk, tenant


def report_by(session: Session, tenant: Tenant, words: str = "By the bins") -> int:
    report = file_report(
        session,
        tenant=tenant,
        category="litter",
        location=words,
        description=words,
        photo_ids=[],
        channel="sms",
        now=BOOKED,
    )
    return report.id


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("words", STAFF_WORDS.values(), ids=STAFF_WORDS.keys())
def test_every_text_about_a_walk_fits_two_sms_whatever_staff_typed(
    sessions: sessionmaker[Session], language: str, words: str
) -> None:
    with sessions.begin() as session:
        walk, tenant = arrange(session, language=language, area_name=words[:120], place=words)
        send_notice(session, walk, "notice", now=BOOKED, settings=SETTINGS)
        send_notice(session, walk, "reminder", now=BOOKED, settings=SETTINGS)
        tell_moved(session, walk, previous_start=walk.starts_at, now=BOOKED, settings=SETTINGS)
        tell_cancelled(session, walk, now=BOOKED, settings=SETTINGS)
        found = record_finding(
            session,
            walk,
            found=words,
            action=words,
            responsible="Repairs",
            due_on=date(2026, 12, 11),
            report_ids=[report_by(session, tenant, words)],
            now=AFTER,
        )
        record_finding(
            session, walk, found=words, action=words, responsible="", due_on=None, now=AFTER
        )
        close_inspection(session, walk, now=AFTER)
        send_after_summary(session, walk, now=AFTER, settings=SETTINGS)
        mark_action_done(found, now=AFTER)
        tell_action_done(session, found, now=AFTER, settings=SETTINGS)

    sent = bodies(sessions)
    assert len(sent) == 7  # notice, reminder, moved, cancelled, summary, outcome, done
    for body in sent:
        assert count_segments(body).segments <= 2, body
    del sent[3]  # the cancellation names no meeting point: the area's 120 characters fit
    assert all("..." in body for body in sent), sent


def test_the_summary_counts_the_findings_and_names_the_two_actions_due_first(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        walk, _tenant = arrange(session)
        for found, action, due_on in (
            ("Hedge over the path", "Grounds team to cut it back", None),
            ("Stair light out at 12", "Replace the stair light", date(2026, 12, 18)),
            ("Graffiti on the bin store", "", None),
            ("Mattress by the garages", "Clear the fly-tipping.", date(2026, 12, 11)),
        ):
            record_finding(
                session, walk, found=found, action=action, responsible="", due_on=due_on, now=AFTER
            )
        close_inspection(session, walk, now=AFTER)
        assert send_after_summary(session, walk, now=AFTER, settings=SETTINGS) == 1
    assert bodies(sessions) == [
        "Fife Housing Group: thank you to everyone who came to the estate walk in "
        "Kirkcaldy Central. Things to fix: 4. Clear the fly-tipping, by Fri 11 Dec. "
        "Replace the stair light, by Fri 18 Dec. Reply MORE for the full list."
    ]


def test_a_walk_that_found_nothing_says_so(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        walk, _tenant = arrange(session, language="pl")
        close_inspection(session, walk, now=AFTER)
        send_after_summary(session, walk, now=AFTER, settings=SETTINGS)
    assert bodies(sessions) == [
        "Fife Housing Group: dziekujemy wszystkim za obchod osiedla Kirkcaldy Central. "
        "Tym razem nie znalezlismy niczego do naprawy."
    ]


def test_the_summary_leaves_to_more_an_action_it_could_only_cut_to_nothing(
    sessions: sessionmaker[Session],
) -> None:
    """An emoji keeps the text in UCS-2 (67 characters a segment): no room for actions."""
    with sessions.begin() as session:
        walk, _tenant = arrange(session)
        for n in range(2):
            record_finding(
                session,
                walk,
                found="Bins",
                action=f"\U0001f6ae Empty bin store {n} and clear the litter around it",
                responsible="",
                due_on=date(2026, 12, 11),
                now=AFTER,
            )
        close_inspection(session, walk, now=AFTER)
        send_after_summary(session, walk, now=AFTER, settings=SETTINGS)
    assert bodies(sessions) == [
        "Fife Housing Group: thank you to everyone who came to the estate walk in "
        "Kirkcaldy Central. Things to fix: 2. Reply MORE for the full list."
    ]


def test_the_reminder_leaves_out_tenants_who_said_they_are_not_coming(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        walk, coming = arrange(session)
        not_coming = create_tenant(session, area=walk.area)
        undecided = create_tenant(session, area=walk.area)
        answer_rsvp(session, walk, coming.id, coming=True, channel="sms", now=BOOKED)
        answer_rsvp(session, walk, not_coming.id, coming=False, channel="sms", now=BOOKED)
        assert send_notice(session, walk, "reminder", now=BOOKED, settings=SETTINGS) == 2
        reminded = {row.tenant_id for row in session.scalars(select(OutboundRecord))}
        assert reminded == {coming.id, undecided.id}
        told = session.scalars(
            select(InspectionRecipient.tenant_id).where(
                InspectionRecipient.inspection_id == walk.id
            )
        )
        assert set(told) == {coming.id, undecided.id}
