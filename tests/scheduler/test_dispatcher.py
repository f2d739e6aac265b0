"""The outbox dispatcher, sending through the real twilio Client over the in-memory Twilio API.

What matters is what a tenant's phone gets: each message once, nothing after STOP,
nobody held up by someone else's broken number, and nothing lost or doubled when a
dispatcher dies half-way through a send.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from twilio.http.response import Response
from twilio.rest import Client

from channels.base import Channel
from doorstep.config import Config
from doorstep.wiring import build_channels
from models.consent import consent_history, opted_out
from models.messages import (
    MAX_ATTEMPTS,
    OutboundRecord,
    OutboxStatus,
    claim_due,
    mark_sending,
)
from scheduler.dispatcher import DEFAULT_LEASE as LEASE
from scheduler.dispatcher import Dispatcher
from tests.factories import QUEUED_AT, create_outbound, create_tenant
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone


def fresh(db: Session, row: OutboundRecord) -> OutboundRecord:
    """The row as stored now. Commits to end the read: on SQLite every transaction
    begins IMMEDIATE, so an open one would lock the dispatcher out."""
    db.expire_all()
    db.refresh(row)
    db.commit()
    return row


def creations(fake: FakeTwilio) -> int:
    """Message-create calls Twilio received, accepted or refused."""
    return sum(1 for request in fake.requests if request.method == "POST")


def past_the_lease(clock: Clock, dispatcher: Dispatcher) -> None:
    clock.advance(seconds=dispatcher.lease.total_seconds() + 1)


def test_a_queued_notice_is_sent_once_and_recorded_with_twilios_sid_and_segments(
    db: Session, dispatcher: Dispatcher, fake_twilio: FakeTwilio, clock: Clock
) -> None:
    tenant = create_tenant(db)
    body = "Your gas safety check is on Tuesday 10 March. " * 4  # 188 characters: 2 segments
    notice = create_outbound(db, tenant=tenant, body=body)
    db.commit()

    assert dispatcher.run_once() == 1

    [sent] = fake_twilio.sent_to(tenant.phone)
    assert sent["body"] == body and sent["from"] == "+447700900000"
    assert sent["status_callback"].startswith("http://doorstep.test/webhooks/twilio/status")
    fresh(db, notice)
    assert notice.status == OutboxStatus.SENT
    assert notice.provider_id == sent["sid"]
    assert notice.segments == 2
    assert notice.sent_at == clock() and notice.attempts == 1
    assert notice.claimed_by == "test-dispatcher"

    clock.advance(minutes=10)
    assert dispatcher.run_once() == 0
    assert fake_twilio.count_to(tenant.phone) == 1


def test_a_row_due_later_waits_until_the_clock_passes_its_time(
    db: Session, dispatcher: Dispatcher, fake_twilio: FakeTwilio, clock: Clock
) -> None:
    tenant = create_tenant(db)
    notice = create_outbound(db, tenant=tenant, next_attempt_at=clock() + timedelta(hours=1))
    db.commit()

    assert dispatcher.run_once() == 0
    clock.advance(minutes=59, seconds=59)
    assert dispatcher.run_once() == 0
    assert fake_twilio.count_to(tenant.phone) == 0
    assert fresh(db, notice).status == OutboxStatus.QUEUED

    clock.advance(seconds=1)
    assert dispatcher.run_once() == 1
    assert fake_twilio.count_to(tenant.phone) == 1
    assert fresh(db, notice).status == OutboxStatus.SENT


def test_a_notice_queued_before_stop_is_held_and_one_queued_after_start_is_sent(
    db: Session, dispatcher: Dispatcher, fake_twilio: FakeTwilio, phone: Phone
) -> None:
    tenant = create_tenant(db, phone=phone.number)
    before_stop = create_outbound(db, tenant=tenant, body="Residents' meeting on Thursday.")
    db.commit()

    assert phone.text("STOP") != []
    dispatcher.run_once()

    assert fresh(db, before_stop).status == OutboxStatus.OPTED_OUT
    assert fake_twilio.requests == []

    assert phone.text("START") != []
    after_start = create_outbound(db, tenant=tenant, body="Residents' meeting moved to Friday.")
    db.commit()
    dispatcher.run_once()

    assert [m["body"] for m in fake_twilio.sent_to(phone.number)] == [after_start.body]
    assert fresh(db, after_start).status == OutboxStatus.SENT
    assert fresh(db, before_stop).status == OutboxStatus.OPTED_OUT


def test_twilio_21610_marks_the_row_opted_out_and_records_the_opt_out(
    db: Session, dispatcher: Dispatcher, fake_twilio: FakeTwilio
) -> None:
    tenant = create_tenant(db)
    fake_twilio.always_fail(tenant.phone, code=21610)
    refused = create_outbound(db, tenant=tenant)
    db.commit()

    dispatcher.run_once()

    fresh(db, refused)
    assert refused.status == OutboxStatus.OPTED_OUT and refused.error_code == "21610"
    assert opted_out(db, tenant.id, "sms")
    [change] = consent_history(db, tenant.id)
    assert (change.granted, change.channel, change.source) == (False, "sms", "provider 21610")
    db.commit()

    later = create_outbound(db, tenant=tenant)
    db.commit()
    dispatcher.run_once()
    assert fresh(db, later).status == OutboxStatus.OPTED_OUT
    assert creations(fake_twilio) == 1  # the second notice never reached Twilio


def test_a_twilio_server_error_is_retried_with_growing_backoff_then_fails_after_max_attempts(
    db: Session, dispatcher: Dispatcher, fake_twilio: FakeTwilio, clock: Clock
) -> None:
    fake_twilio.fail_next(MAX_ATTEMPTS, status=500)
    tenant = create_tenant(db)
    notice = create_outbound(db, tenant=tenant)
    db.commit()

    delays = []
    for _ in range(MAX_ATTEMPTS - 1):
        assert dispatcher.run_once() == 1
        fresh(db, notice)
        assert notice.status == OutboxStatus.QUEUED
        delays.append(notice.next_attempt_at - clock())
        clock.advance(seconds=delays[-1].total_seconds() - 1)
        assert dispatcher.run_once() == 0  # not a second early
        clock.advance(seconds=1)
    assert dispatcher.run_once() == 1

    assert delays == [timedelta(seconds=10 * 2**n) for n in range(MAX_ATTEMPTS - 1)]
    fresh(db, notice)
    assert notice.status == OutboxStatus.FAILED
    assert notice.attempts == MAX_ATTEMPTS and notice.error_code == "attempts"
    clock.advance(hours=2)
    assert dispatcher.run_once() == 0
    assert creations(fake_twilio) == MAX_ATTEMPTS
    assert fake_twilio.count_to(tenant.phone) == 0


def test_a_bad_number_fails_at_once_and_is_not_retried(
    db: Session, dispatcher: Dispatcher, fake_twilio: FakeTwilio, clock: Clock
) -> None:
    tenant = create_tenant(db)
    fake_twilio.always_fail(
        tenant.phone, status=400, code=21211, message="Invalid 'To' Phone Number"
    )
    notice = create_outbound(db, tenant=tenant)
    db.commit()

    dispatcher.run_once()

    fresh(db, notice)
    assert notice.status == OutboxStatus.FAILED and notice.error_code == "21211"
    assert notice.attempts == 1
    clock.advance(hours=2)
    assert dispatcher.run_once() == 0
    assert creations(fake_twilio) == 1


@pytest.mark.parametrize(
    ("status", "code", "ends"),
    [
        (500, 20500, OutboxStatus.QUEUED),
        (400, 21610, OutboxStatus.OPTED_OUT),
        (400, 21211, OutboxStatus.FAILED),
    ],
    ids=["server-error", "unsubscribed", "bad-number"],
)
def test_one_recipient_that_always_fails_does_not_hold_up_the_other_nineteen(
    db: Session,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
    status: int,
    code: int,
    ends: OutboxStatus,
) -> None:
    tenants = [create_tenant(db) for _ in range(20)]
    broken = tenants[0]  # first in the queue, so every batch meets it before the others
    fake_twilio.always_fail(broken.phone, status=status, code=code, message="refused")
    rows = [create_outbound(db, tenant=tenant) for tenant in tenants]
    db.commit()

    assert dispatcher.run_once() == 20

    for tenant in tenants[1:]:
        assert [m["body"] for m in fake_twilio.sent_to(tenant.phone)] == [
            row.body for row in rows if row.tenant_id == tenant.id
        ]
    assert fresh(db, rows[0]).status == ends
    assert all(fresh(db, row).status == OutboxStatus.SENT for row in rows[1:])

    for _ in range(3):  # the broken one may come round again; the others must not
        clock.advance(minutes=5)
        dispatcher.run_once()
    assert fake_twilio.count_to(broken.phone) == 0
    assert len(fake_twilio.messages) == 19


class GarbledAnswerTo(FakeTwilio):
    """Twilio behind a proxy that answers 200 with an HTML page for one number's sends."""

    def __init__(self, number: str, now: Clock) -> None:
        super().__init__(now=now)
        self.number = number

    def request(
        self, method: str, url: str, params: Any = None, data: Any = None, **kwargs: Any
    ) -> Response:
        if method.upper() == "POST" and (data or {}).get("To") == self.number:
            return Response(
                200, "<html><body>Gateway busy</body></html>", {"Content-Type": "text/html"}
            )
        return super().request(method, url, params, data, **kwargs)


def test_a_send_that_raises_something_unexpected_does_not_hold_up_the_rest_of_the_batch(
    db: Session, sessions: sessionmaker[Session], config: Config, clock: Clock
) -> None:
    tenants = [create_tenant(db) for _ in range(20)]
    rows = [create_outbound(db, tenant=tenant) for tenant in tenants]
    db.commit()
    garbled = GarbledAnswerTo(tenants[0].phone, now=clock)
    built = build_channels(replace(config, telegram_bot_token=""), twilio_http_client=garbled)
    dispatcher = Dispatcher(session_factory=sessions, channels=built, clock=clock, name="d")

    for _ in range(5):  # rounds as run_until runs them: an error is logged and the loop goes on
        with contextlib.suppress(Exception):
            dispatcher.run_once()
        past_the_lease(clock, dispatcher)

    assert Counter(m["to"] for m in garbled.messages) == Counter(t.phone for t in tenants[1:])
    assert all(fresh(db, row).status == OutboxStatus.SENT for row in rows[1:])


def test_a_dispatcher_killed_between_claim_and_send_is_taken_over_and_the_message_sent_once(
    db: Session,
    sessions: sessionmaker[Session],
    channels: dict[str, Channel],
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    tenant = create_tenant(db)
    notice = create_outbound(db, tenant=tenant)
    db.commit()
    with sessions.begin() as dying:  # claimed and committed, then the process died
        claimed = claim_due(dying, now=clock(), until=clock() + LEASE, limit=10, claimer="dead")
    assert [row.id for row in claimed] == [notice.id]

    assert dispatcher.run_once() == 0  # still under the dead one's lease
    fresh(db, notice)
    assert (notice.status, notice.claimed_by, notice.attempts) == (OutboxStatus.QUEUED, "dead", 0)

    past_the_lease(clock, dispatcher)
    successor = Dispatcher(
        session_factory=sessions, channels=channels, clock=clock, name="successor"
    )
    successor.run_once()

    assert fake_twilio.count_to(tenant.phone) == 1
    fresh(db, notice)
    assert notice.status == OutboxStatus.SENT
    assert notice.provider_id == fake_twilio.sent_to(tenant.phone)[0]["sid"]
    assert notice.claimed_by == "successor"
    clock.advance(minutes=10)
    successor.run_once()
    assert fake_twilio.count_to(tenant.phone) == 1


def test_a_send_twilio_accepted_but_whose_answer_was_lost_is_recorded_not_resent(
    db: Session, dispatcher: Dispatcher, fake_twilio: FakeTwilio, clock: Clock
) -> None:
    tenant = create_tenant(db)
    notice = create_outbound(db, tenant=tenant)
    db.commit()
    fake_twilio.accept_then_drop_next()

    dispatcher.run_once()

    [taken] = fake_twilio.sent_to(tenant.phone)
    fresh(db, notice)
    assert notice.status == OutboxStatus.SENT and notice.provider_id == taken["sid"]
    assert notice.resent_unconfirmed == 0
    for _ in range(3):
        past_the_lease(clock, dispatcher)
        dispatcher.run_once()
    assert fake_twilio.count_to(tenant.phone) == 1


def test_a_row_left_sending_after_twilio_took_it_is_reconciled_from_twilios_list(
    db: Session,
    sessions: sessionmaker[Session],
    config: Config,
    dispatcher: Dispatcher,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    tenant = create_tenant(db)
    notice = create_outbound(db, tenant=tenant, body="Repair booked: Tuesday 8am-1pm.")
    db.commit()
    with sessions.begin() as dying:  # claimed, sent, and the process died before recording
        [claimed] = claim_due(dying, now=clock(), until=clock() + LEASE, limit=10, claimer="dead")
        assert mark_sending(dying, claimed, claimer="dead", now=clock())
    twilio = Client(config.twilio_account_sid, config.twilio_auth_token, http_client=fake_twilio)
    taken = twilio.messages.create(
        to=tenant.phone, from_=config.twilio_from_number, body=notice.body
    )
    # Something newer to the same phone, first in Twilio's list: not to be taken for the notice.
    twilio.messages.create(to=tenant.phone, from_=config.twilio_from_number, body="Thank you.")

    assert dispatcher.reconcile() == 0  # not before the lease is up
    past_the_lease(clock, dispatcher)
    assert dispatcher.reconcile() == 1

    fresh(db, notice)
    assert notice.status == OutboxStatus.SENT and notice.provider_id == taken.sid
    dispatcher.run_once()
    assert [m["body"] for m in fake_twilio.sent_to(tenant.phone)] == [notice.body, "Thank you."]


def test_two_dispatchers_share_a_thousand_rows_and_send_each_exactly_once(
    db: Session,
    sessions: sessionmaker[Session],
    config: Config,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    # PostgreSQL: SKIP LOCKED. SQLite: every transaction begins IMMEDIATE, so claims queue.
    tenants = [create_tenant(db) for _ in range(10)]
    bodies = [f"Notice {n:04d}: estate walkabout on Saturday." for n in range(1000)]
    db.add_all(
        OutboundRecord(
            tenant_id=tenant.id,
            channel="sms",
            address=tenant.phone,
            body=body,
            kind="notice",
            next_attempt_at=QUEUED_AT,
            created_at=QUEUED_AT,
        )
        for tenant, body in zip(tenants * 100, bodies, strict=True)
    )
    db.commit()
    sms_only = replace(config, telegram_bot_token="")
    own_channels = [build_channels(sms_only, twilio_http_client=fake_twilio) for _ in range(2)]
    dispatchers = [
        Dispatcher(session_factory=sessions, channels=built, clock=clock, name=name)
        for built, name in zip(own_channels, ["dispatcher-a", "dispatcher-b"], strict=True)
    ]
    start = threading.Barrier(len(dispatchers))

    def drain(dispatcher: Dispatcher) -> None:
        start.wait(timeout=10)
        while dispatcher.run_once():
            pass

    try:
        with ThreadPoolExecutor(max_workers=len(dispatchers)) as pool:
            for done in [pool.submit(drain, d) for d in dispatchers]:
                done.result(timeout=300)
    finally:
        for built in own_channels:
            for channel in built.values():
                channel.close()

    assert Counter(m["body"] for m in fake_twilio.messages) == Counter(bodies)
    db.expire_all()
    by_status = select(OutboundRecord.status, func.count()).group_by(OutboundRecord.status)
    statuses = {status: count for status, count in db.execute(by_status)}
    assert statuses == {OutboxStatus.SENT: 1000}
    recorded = {
        body: sid
        for body, sid in db.execute(select(OutboundRecord.body, OutboundRecord.provider_id))
    }
    assert recorded == {m["body"]: m["sid"] for m in fake_twilio.messages}
    assert set(db.scalars(select(OutboundRecord.claimed_by).distinct())) == {
        "dispatcher-a",
        "dispatcher-b",
    }
