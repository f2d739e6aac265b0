"""The dispatcher's batches: leased, checked together, and only one row in flight at a time.

A dispatcher leases a batch and sends it row by row. What must hold whatever happens
half-way: a crash leaves one row to reconcile (not the whole batch), a batch whose
lease ran out is not sent twice by its slow owner and its successor, and the opt-out
and reachability rules are the same as for a single row.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.messages import OutboundMessage as Outgoing
from bot.messages import SendReceipt
from bot.outbox import hold_reason
from channels.base import Channel
from models.consent import Topic, record_consent
from models.messages import OutboundKind, OutboundRecord, OutboxStatus, claim_due
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from tests.factories import QUEUED_AT, create_outbound, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, statements_on


class Killed(BaseException):
    """The process dying: nothing in the dispatcher catches it."""


class DiesAfterSending(Channel):
    """Telegram that accepts the ``nth`` message, and the process dies before the answer."""

    name = "telegram"

    def __init__(self, telegram: Channel, nth: int) -> None:
        self.telegram, self.nth, self.sends = telegram, nth, 0

    def _send(self, message: Outgoing) -> SendReceipt:
        self.sends += 1
        receipt = self.telegram.send(message)
        if self.sends == self.nth:
            raise Killed
        return receipt


class TakenOverWhileSlow(Channel):
    """SMS slow enough for the sender's batch lease to run out during its first send,
    and a second dispatcher takes over the rest of the batch before the first gets to it."""

    name = "sms"

    def __init__(self, sms: Channel, clock: Clock, successor: Dispatcher) -> None:
        self.sms, self.clock, self.successor, self.sends = sms, clock, successor, 0

    def _send(self, message: Outgoing) -> SendReceipt:
        self.sends += 1
        if self.sends == 1:
            self.clock.advance(seconds=2)
            assert self.successor.run_once() == 9
        return self.sms.send(message)


def statuses(db: Session) -> Counter[str]:
    db.expire_all()
    by_status = select(OutboundRecord.status, func.count()).group_by(OutboundRecord.status)
    return Counter(dict(db.execute(by_status).all()))


def telegram_tenants(db: Session, count: int) -> list[Tenant]:
    return [create_tenant(db, channels=("telegram",)) for _ in range(count)]


def chat_of(tenant: Tenant) -> str:
    return tenant.identities[0].address


def test_a_dispatcher_killed_mid_batch_leaves_only_the_message_in_flight_to_go_twice(
    db: Session,
    sessions: sessionmaker[Session],
    channels: dict[str, Channel],
    bot_api: FakeBotApi,
    clock: Clock,
) -> None:
    tenants = telegram_tenants(db, 12)
    for tenant in tenants:
        create_outbound(db, tenant=tenant, channel="telegram")
    db.commit()
    dying = Dispatcher(
        sessions, {"telegram": DiesAfterSending(channels["telegram"], nth=5)}, clock, name="dying"
    )

    with pytest.raises(Killed):
        dying.run_once()

    assert statuses(db) == {OutboxStatus.SENT: 4, OutboxStatus.SENDING: 1, OutboxStatus.QUEUED: 7}
    clock.advance(seconds=dying.lease.total_seconds() + 1)
    successor = Dispatcher(sessions, channels, clock, name="successor")
    while successor.run_once():
        pass

    assert statuses(db) == {OutboxStatus.SENT: 12}
    in_flight = chat_of(tenants[4])
    assert Counter(str(m["chat_id"]) for m in bot_api.sent_messages()) == Counter(
        {chat_of(t): 2 if chat_of(t) == in_flight else 1 for t in tenants}
    )
    resent = db.scalar(select(func.sum(OutboundRecord.resent_unconfirmed)))
    assert resent == 1  # Telegram cannot be asked: the one message in flight went again, counted


def test_rows_whose_lease_ran_out_are_sent_once_by_the_successor_not_again_by_the_slow_owner(
    db: Session,
    sessions: sessionmaker[Session],
    channels: dict[str, Channel],
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    tenants = [create_tenant(db) for _ in range(10)]
    for tenant in tenants:
        create_outbound(db, tenant=tenant)
    db.commit()
    successor = Dispatcher(sessions, channels, clock, name="successor")
    slow_sms = TakenOverWhileSlow(channels["sms"], clock, successor)
    # Its batch lease is up after 1 s; the successor's own (2 min) leaves the row in flight be.
    slow = Dispatcher(sessions, {"sms": slow_sms}, clock, lease=timedelta(seconds=1), name="slow")

    assert slow.run_once() == 10

    assert Counter(m["to"] for m in fake_twilio.messages) == Counter(t.phone for t in tenants)
    assert statuses(db) == {OutboxStatus.SENT: 10}
    claimers = select(OutboundRecord.claimed_by, func.count()).group_by(OutboundRecord.claimed_by)
    assert dict(db.execute(claimers).all()) == {"slow": 1, "successor": 9}


def test_a_batch_claimed_is_leased_not_sending_and_its_lease_keeps_other_dispatchers_off(
    db: Session, sessions: sessionmaker[Session], dispatcher: Dispatcher, clock: Clock
) -> None:
    rows = [create_outbound(db, tenant=create_tenant(db)) for _ in range(3)]
    db.commit()
    with sessions.begin() as session:
        lease_end = clock() + dispatcher.lease
        claimed = claim_due(session, now=clock(), until=lease_end, limit=10, claimer="other")

    assert [row.id for row in claimed] == [row.id for row in rows]
    assert statuses(db) == {OutboxStatus.QUEUED: 3}
    assert set(db.scalars(select(OutboundRecord.next_attempt_at))) == {lease_end}
    assert dispatcher.run_once() == 0
    clock.advance(seconds=dispatcher.lease.total_seconds())
    assert dispatcher.run_once() == 3
    assert statuses(db) == {OutboxStatus.SENT: 3}


def test_a_rate_limited_channel_puts_its_rows_back_while_the_other_channel_goes_on(
    db: Session,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
    fake_twilio: FakeTwilio,
    clock: Clock,
) -> None:
    on_telegram = telegram_tenants(db, 3)
    on_sms = [create_tenant(db) for _ in range(3)]
    for tenant in on_telegram:
        create_outbound(db, tenant=tenant, channel="telegram")
    for tenant in on_sms:
        create_outbound(db, tenant=tenant)
    db.commit()
    bot_api.rate_limit_next(1, retry_after=30)

    assert dispatcher.run_once() == 6

    assert len(fake_twilio.messages) == 3 and len(bot_api.sent_messages()) == 1  # refused
    db.expire_all()
    waiting = db.scalars(select(OutboundRecord).where(OutboundRecord.channel == "telegram"))
    paused_until = clock() + timedelta(seconds=30)
    assert {(r.status, r.attempts, r.next_attempt_at) for r in waiting} == {
        (OutboxStatus.QUEUED, 0, paused_until)  # waiting our turn is not a failed attempt
    }
    clock.advance(seconds=29)
    assert dispatcher.run_once() == 0
    clock.advance(seconds=1)
    assert dispatcher.run_once() == 3
    assert sorted(str(m["chat_id"]) for m in bot_api.sent_messages()[1:]) == sorted(
        chat_of(t) for t in on_telegram
    )
    assert statuses(db) == {OutboxStatus.SENT: 6}


def test_a_batch_is_held_by_the_same_rules_as_one_row_checked_on_its_own(
    db: Session, sessions: sessionmaker[Session], dispatcher: Dispatcher, fake_twilio: FakeTwilio
) -> None:
    stopped, declined_events, telegram_only_stop, gone, fine = (
        create_tenant(db, channels=("sms", "telegram")) for _ in range(5)
    )
    refusals = [
        (stopped, "sms", Topic.ALL),
        (declined_events, "sms", Topic.EVENTS),
        (telegram_only_stop, "telegram", Topic.ALL),
    ]
    for tenant, channel, topic in refusals:
        record_consent(
            db,
            tenant_id=tenant.id,
            channel=channel,
            topic=topic,
            granted=False,
            source="test",
            wording_version="test",
            now=QUEUED_AT,
        )
    gone_sms = next(i for i in gone.identities if i.channel == "sms")
    gone_sms.reachable = False
    expected = {
        notice(db, stopped): OutboxStatus.OPTED_OUT,
        notice(db, stopped, kind=OutboundKind.CONSENT): OutboxStatus.SENT,  # the STOP answer
        notice(db, declined_events, topic=Topic.EVENTS): OutboxStatus.OPTED_OUT,
        notice(db, declined_events, topic=Topic.INSPECTIONS): OutboxStatus.SENT,
        notice(db, declined_events): OutboxStatus.SENT,
        notice(db, telegram_only_stop): OutboxStatus.SENT,  # stopped on Telegram, not by SMS
        notice(db, gone): OutboxStatus.UNREACHABLE,
        notice(db, gone, kind=OutboundKind.CONSENT): OutboxStatus.UNREACHABLE,
        notice(db, fine, topic=Topic.EVENTS): OutboxStatus.SENT,
    }
    db.commit()
    with sessions() as session:  # the single form, as the webhooks use it, agrees row by row
        rows = session.scalars(select(OutboundRecord).order_by(OutboundRecord.id)).all()
        one_by_one = {row.id: hold_reason(session, row) for row in rows}
        session.rollback()

    dispatcher.run_once()

    db.expire_all()
    assert {row.id: fresh_status(db, row) for row in expected} == {
        row.id: status for row, status in expected.items()
    }
    held = {row.id: why for row, why in expected.items() if why != OutboxStatus.SENT}
    assert {row_id: why for row_id, why in one_by_one.items() if why is not None} == held
    assert len(fake_twilio.messages) == 5


def test_the_opt_out_and_reachability_checks_are_two_queries_whatever_the_batch_size(
    db: Session, sessions: sessionmaker[Session], dispatcher: Dispatcher
) -> None:
    for _ in range(30):
        create_outbound(db, tenant=create_tenant(db), kind=OutboundKind.NOTICE)
    db.commit()

    with statements_on(sessions.kw["bind"]) as statements:
        assert dispatcher.run_once() == 30

    checks = [s for s in statements if "FROM consents" in s or "FROM identities" in s]
    assert len(checks) == 2


def notice(
    db: Session, tenant: Tenant, *, kind: str = OutboundKind.NOTICE, topic: str | None = None
) -> OutboundRecord:
    row = create_outbound(db, tenant=tenant, kind=kind)
    row.topic = topic
    return row


def fresh_status(db: Session, row: OutboundRecord) -> str:
    return db.scalars(select(OutboundRecord.status).where(OutboundRecord.id == row.id)).one()
