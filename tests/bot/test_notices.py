"""Queueing a notice to a whole estate: the same rows queue_notice writes, a page at a time."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from bot.notices import queue_notice, queue_notices
from models.consent import Topic, opted_out, opted_out_among, record_consent
from models.inspections import (
    InspectionRecipient,
    audience,
    audience_in_chunks,
    mark_all_told,
)
from models.messages import OutboundRecord
from models.tenants import CHUNK, Identity, Recipient, Tenant, reach, recipients
from tests.factories import create_area, create_inspection, create_tenant

SETTINGS = Settings(landlord="Fife Housing Group")
EVENING = datetime(2026, 11, 24, 21, 30, tzinfo=UTC)  # Tuesday, after the window closes
NEXT_MORNING = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
PASTED = "\u201cEstate walk\u201d on Tuesday \u2013 meet at the hall."
POLISH = "Przegląd osiedla: spotkanie przy świetlicy, zgłoście usterki i śmieci. " * 3
TEXTS = {"en": PASTED, "pl": POLISH}


def rows(session: Session) -> list[OutboundRecord]:
    return list(session.scalars(select(OutboundRecord).order_by(OutboundRecord.id)))


def as_dict(row: OutboundRecord) -> dict[str, object]:
    return {
        "tenant_id": row.tenant_id,
        "channel": row.channel,
        "address": row.address,
        "body": row.body,
        "kind": row.kind,
        "topic": row.topic,
        "status": row.status,
        "segments": row.segments,
        "next_attempt_at": row.next_attempt_at,
        "choices": row.choices,
    }


def add_tenants(session: Session, area_id: int, count: int) -> None:
    """``count`` tenants on SMS in one insert each, as an import of a big estate would."""
    first = (session.scalar(select(Tenant.id).order_by(Tenant.id.desc()).limit(1)) or 0) + 1
    ids = range(first, first + count)
    phones = {n: f"+4474{n:08d}" for n in ids}
    session.execute(
        insert(Tenant), [{"id": n, "phone": phones[n], "area_id": area_id} for n in ids]
    )
    session.execute(
        insert(Identity), [{"tenant_id": n, "channel": "sms", "address": phones[n]} for n in ids]
    )


def test_notices_are_the_rows_queue_notice_writes_per_language_and_channel(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        area = create_area(session)
        tenants = [
            create_tenant(session, area=area, language="en"),
            create_tenant(session, area=area, language="pl"),
            create_tenant(session, area=area, language="en", channels=("telegram",)),
            create_tenant(session, area=area, language="pl", channels=("telegram",)),
        ]
        for tenant in tenants:
            identity = reach(tenant)
            assert identity is not None
            queue_notice(
                session,
                tenant=tenant,
                identity=identity,
                text=TEXTS[tenant.language],
                topic=Topic.INSPECTIONS,
                now=EVENING,
                settings=SETTINGS,
            )
        one_by_one = [as_dict(row) for row in rows(session)]
        session.execute(delete(OutboundRecord))
        queued = queue_notices(
            session,
            audience(session, area.id),
            TEXTS.__getitem__,
            topic=Topic.INSPECTIONS,
            now=EVENING,
            settings=SETTINGS,
        )
        assert queued == 4
        assert [as_dict(row) for row in rows(session)] == one_by_one


def test_sms_notices_are_fitted_to_gsm_and_telegram_keeps_the_words(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        area = create_area(session)
        for language, channel in itertools.product(("en", "pl"), ("sms", "telegram")):
            create_tenant(session, area=area, language=language, channels=(channel,))
        queue_notices(
            session,
            audience(session, area.id),
            TEXTS.__getitem__,
            topic=Topic.INSPECTIONS,
            now=EVENING,
            settings=SETTINGS,
        )
        sent = {(row.channel, row.body, row.segments) for row in rows(session)}
    plain_polish = POLISH.replace("ą", "a").replace("ś", "s").replace("ę", "e")
    assert sent == {
        ("sms", '"Estate walk" on Tuesday - meet at the hall.', 1),
        ("telegram", PASTED, 1),
        ("sms", plain_polish.replace("ł", "l"), 2),  # UCS-2 would take 4: the accents go
        ("telegram", POLISH, 1),
    }


@pytest.mark.parametrize(("urgent", "due"), [(False, NEXT_MORNING), (True, EVENING)])
def test_notices_wait_for_the_window_unless_urgent(
    sessions: sessionmaker[Session], urgent: bool, due: datetime
) -> None:
    with sessions.begin() as session:
        tenant = create_tenant(session)
        recipient = Recipient(tenant.id, "en", "sms", tenant.phone or "")
        queue_notices(
            session,
            [recipient],
            TEXTS.__getitem__,
            topic=Topic.INSPECTIONS,
            now=EVENING,
            settings=SETTINGS,
            urgent=urgent,
        )
        [row] = rows(session)
    assert row.next_attempt_at == due
    assert row.created_at == EVENING


def test_nothing_to_queue_queues_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        assert (
            queue_notices(
                session, [], TEXTS.__getitem__, topic="news", now=EVENING, settings=SETTINGS
            )
            == 0
        )
        assert rows(session) == []


def test_the_audience_is_reached_by_sms_first_else_telegram(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        area = create_area(session)
        both = create_tenant(session, area=area, channels=("telegram", "sms"))
        lost_phone = create_tenant(session, area=area, channels=("sms", "telegram"))
        lost_phone.identities[0].reachable = False
        unreachable = create_tenant(session, area=area)
        unreachable.identities[0].reachable = False
        create_tenant(session)  # another estate
        session.flush()
        expected = []
        for tenant in (both, lost_phone):
            identity = reach(tenant)
            assert identity is not None
            expected.append(Recipient(tenant.id, "en", identity.channel, identity.address))
        assert audience(session, area.id) == expected
    assert [r.channel for r in expected] == ["sms", "telegram"]


def test_a_stop_or_an_inspections_opt_out_leaves_a_tenant_out_but_another_topic_does_not(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        area = create_area(session)
        said_stop, declined, declined_surveys, on_telegram, said_start = (
            create_tenant(session, area=area),
            create_tenant(session, area=area),
            create_tenant(session, area=area),
            create_tenant(session, area=area, channels=("telegram",)),
            create_tenant(session, area=area),
        )
        refusals = [
            (said_stop, "sms", Topic.ALL, False),
            (declined, "sms", Topic.INSPECTIONS, False),
            (declined_surveys, "sms", Topic.SURVEYS, False),
            (on_telegram, "sms", Topic.ALL, False),  # STOP by SMS; we reach them on Telegram
            (said_start, "sms", Topic.ALL, True),
        ]
        for tenant, channel, topic, granted in refusals:
            record_consent(
                session,
                tenant_id=tenant.id,
                channel=channel,
                topic=topic,
                granted=granted,
                source="test",
                wording_version="v1",
                now=EVENING,
            )
        session.flush()
        heard = [recipient.tenant_id for recipient in audience(session, area.id)]
    assert heard == [declined_surveys.id, on_telegram.id, said_start.id]


def test_opted_out_among_agrees_with_opted_out_for_every_tenant_channel_and_topic(
    sessions: sessionmaker[Session],
) -> None:
    topics = [None, *Topic]
    with sessions.begin() as session:
        tenants = [create_tenant(session, channels=("sms", "telegram")) for _ in range(6)]
        consents = [
            (0, "sms", Topic.ALL, False),
            (1, "sms", Topic.INSPECTIONS, False),
            (2, "telegram", Topic.ALL, False),
            (3, "sms", Topic.SURVEYS, False),
            (3, "sms", Topic.ALL, True),
            (4, "sms", Topic.ALL, False),
            (4, "sms", Topic.NEWS, True),
        ]
        for index, channel, topic, granted in consents:
            record_consent(
                session,
                tenant_id=tenants[index].id,
                channel=channel,
                topic=topic,
                granted=granted,
                source="test",
                wording_version="v1",
                now=EVENING,
            )
        session.flush()
        ids = [tenant.id for tenant in tenants]
        for channel, topic in itertools.product(("sms", "telegram"), topics):
            one_by_one = {i for i in ids if opted_out(session, i, channel, topic)}
            assert opted_out_among(session, ids, channel, topic) == one_by_one, (channel, topic)
        assert opted_out_among(session, [], "sms", Topic.NEWS) == set()


def test_a_big_estate_is_read_and_queued_a_page_at_a_time(
    sessions: sessionmaker[Session],
) -> None:
    count = 2 * CHUNK + 5
    with sessions.begin() as session:
        area = create_area(session)
        add_tenants(session, area.id, count)
        pages = list(audience_in_chunks(session, area.id))
        assert [len(page) for page in pages] == [CHUNK, CHUNK, 5]
        queued = sum(
            queue_notices(
                session,
                page,
                TEXTS.__getitem__,
                topic=Topic.INSPECTIONS,
                now=EVENING,
                settings=SETTINGS,
            )
            for page in pages
        )
        assert queued == count
        queued_to = list(
            session.scalars(select(OutboundRecord.tenant_id).order_by(OutboundRecord.id))
        )
    assert queued_to == [recipient.tenant_id for page in pages for recipient in page]
    assert len(set(queued_to)) == count


def test_recipients_pages_keep_id_order_without_gaps(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        area = create_area(session)
        ids = [create_tenant(session, area=area).id for _ in range(5)]
        pages = list(recipients(session, Tenant.area_id == area.id, size=2))
    assert [[r.tenant_id for r in page] for page in pages] == [ids[:2], ids[2:4], ids[4:]]


def test_marking_a_page_told_skips_those_already_told(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        area = create_area(session)
        walk = create_inspection(
            session, area=area, starts_at=NEXT_MORNING, meeting_point="hall", now=EVENING
        )
        first, second = create_tenant(session, area=area), create_tenant(session, area=area)
        mark_all_told(session, walk.id, [first.id], now=EVENING)
        session.flush()
        mark_all_told(session, walk.id, [first.id, second.id], now=NEXT_MORNING)
        mark_all_told(session, walk.id, [], now=NEXT_MORNING)
        told = session.execute(
            select(InspectionRecipient.tenant_id, InspectionRecipient.told_at)
            .where(InspectionRecipient.inspection_id == walk.id)
            .order_by(InspectionRecipient.tenant_id)
        ).all()
    assert [tuple(row) for row in told] == [(first.id, EVENING), (second.id, NEXT_MORNING)]
