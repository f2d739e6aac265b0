"""The outbox dispatcher: claim due rows, send each once, record what happened.

Rows are claimed with SKIP LOCKED, so any number of dispatchers can run side by
side and none sends a row another has. A row is marked ``sending`` and committed
before the provider is called. A row left in ``sending`` by a dispatcher that
died is reconciled: the provider is asked whether it took it (Twilio can be);
only where it cannot be asked is the row sent again, and that is counted.
One recipient's failure never holds up the others.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.messages import Choice, OutboundMessage, SendReceipt
from bot.outbox import hold_reason, opted_out_at_provider
from channels.base import (
    CannotReconcile,
    Channel,
    ChannelError,
    OutcomeUnknown,
    PermanentFailure,
    RateLimited,
    RecipientOptedOut,
    RecipientUnreachable,
    TemporaryFailure,
)
from models.messages import (
    MAX_ATTEMPTS,
    OutboxStatus,
    claim_due,
    mark_final,
    mark_sent,
    retry_later,
    stale_sending,
)
from models.messages import (
    OutboundMessage as OutboxRow,
)
from models.tenants import find_identity

log = logging.getLogger(__name__)
DEFAULT_LEASE = timedelta(minutes=2)


class RateGate:
    """At most ``per_second`` sends on one channel from this process (0: no limit)."""

    def __init__(
        self,
        per_second: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1 / per_second if per_second > 0 else 0.0
        self.next_at = 0.0
        self.sleep = sleep
        self.clock = clock

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if self.next_at > now:
            self.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


@dataclass
class Dispatcher:
    session_factory: sessionmaker[Session]
    channels: Mapping[str, Channel]
    clock: Callable[[], datetime]
    rates: Mapping[str, float] = field(default_factory=dict)
    batch_size: int = 50
    lease: timedelta = DEFAULT_LEASE
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def __post_init__(self) -> None:
        self._gates = {name: RateGate(self.rates.get(name, 0)) for name in self.channels}
        self._paused_until: dict[str, datetime] = {}

    def run_once(self) -> int:
        """Reconcile what a dead dispatcher left, then send one batch; returns rows handled."""
        self.reconcile()
        rows = self._claim()
        for row in rows:
            self._deliver(row)
        return len(rows)

    def run_until(self, stop: threading.Event, idle_wait: float = 0.5) -> None:
        while not stop.is_set():
            try:
                handled = self.run_once()
            except Exception:
                log.exception("dispatcher round failed; trying again")
                handled = 0
            if not handled:
                stop.wait(idle_wait)

    def _claim(self) -> list[OutboxRow]:
        now = self.clock()
        with self.session_factory.begin() as session:
            rows = claim_due(session, now=now, limit=self.batch_size, claimer=self.name)
            ready = []
            for row in rows:
                held = hold_reason(session, row)
                if held is None:
                    ready.append(row)
                else:
                    mark_final(row, held, now=now, code=None, reason="held at send time")
            return ready

    def _deliver(self, row: OutboxRow) -> None:
        channel = self.channels.get(row.channel)
        paused = self._paused_until.get(row.channel)
        now = self.clock()
        if channel is None or (paused is not None and paused > now):
            delay = (paused - now) if paused is not None and paused > now else timedelta(minutes=1)
            self._record(
                row.id, lambda _s, r, t: retry_later(r, now=t, reason="channel paused", delay=delay)
            )
            return
        self._gates[row.channel].wait()
        try:
            receipt = channel.send(_message(row))
        except ChannelError as exc:
            failure = exc
        except Exception as exc:  # a bug or a surprise answer: ask before sending again
            log.exception("unexpected error sending outbox row %s", row.id)
            failure = OutcomeUnknown(f"unexpected {type(exc).__name__}")
        else:
            self._record(row.id, lambda _s, r, t: _succeeded(r, t, receipt), even_if_settled=True)
            return
        self._record(row.id, lambda s, r, t: self._failed(s, r, t, failure))

    def _record(
        self,
        row_id: int,
        change: Callable[[Session, OutboxRow, datetime], None],
        *,
        even_if_settled: bool = False,
    ) -> None:
        """Write a send's result; a delivery report may have overtaken it (even_if_settled)."""
        with self.session_factory.begin() as session:
            row = session.get(OutboxRow, row_id, with_for_update=True)
            if row is not None and (even_if_settled or row.status == OutboxStatus.SENDING):
                change(session, row, self.clock())

    def _failed(self, session: Session, row: OutboxRow, now: datetime, exc: ChannelError) -> None:
        if isinstance(exc, OutcomeUnknown):
            self._settle(row, now, retry=True)
        elif isinstance(exc, RateLimited):
            self._paused_until[row.channel] = now + timedelta(seconds=exc.retry_after)
            retry_later(row, now=now, reason=str(exc), delay=timedelta(seconds=exc.retry_after))
        elif isinstance(exc, TemporaryFailure):
            retry_later(row, now=now, reason=str(exc))
        elif isinstance(exc, RecipientOptedOut):
            mark_final(row, OutboxStatus.OPTED_OUT, now=now, code=exc.code, reason=str(exc))
            opted_out_at_provider(session, row, code=exc.code or "", now=now)
        elif isinstance(exc, RecipientUnreachable):
            mark_final(row, OutboxStatus.UNREACHABLE, now=now, code=exc.code, reason=str(exc))
            identity = find_identity(session, row.channel, row.address)
            if identity is not None:
                identity.reachable = False
        else:
            assert isinstance(exc, PermanentFailure)
            mark_final(row, OutboxStatus.FAILED, now=now, code=exc.code, reason=str(exc))

    def reconcile(self) -> int:
        """Settle rows stuck in ``sending`` past the lease: sent, or queued to go again."""
        now = self.clock()
        with self.session_factory.begin() as session:
            stuck = stale_sending(session, claimed_before=now - self.lease, limit=self.batch_size)
            for row in stuck:
                self._settle(row, now, retry=False)
            return len(stuck)

    def _settle(self, row: OutboxRow, now: datetime, *, retry: bool) -> None:
        """Sent if the provider has it; else queued again (with backoff after a failure)."""
        channel = self.channels.get(row.channel)
        try:
            if channel is None:
                raise CannotReconcile(row.channel)
            provider_id = channel.find_sent(_message(row), since=row.claimed_at or row.created_at)
        except TemporaryFailure:
            return  # ask again next round
        except CannotReconcile:
            row.resent_unconfirmed += 1
            provider_id = None
        if provider_id is not None:
            mark_sent(row, provider_id=provider_id, now=now)
        elif retry or row.attempts >= MAX_ATTEMPTS:
            retry_later(row, now=now, reason="the provider did not take it")
        else:
            row.status = OutboxStatus.QUEUED
            row.next_attempt_at = now


def _succeeded(row: OutboxRow, now: datetime, receipt: SendReceipt) -> None:
    row.segments = receipt.segments or row.segments
    if row.status != OutboxStatus.SENDING:  # a delivery report got here first: keep its status
        row.provider_id, row.sent_at = receipt.provider_id, row.sent_at or now
        return
    mark_sent(row, provider_id=receipt.provider_id, now=now)
    if receipt.delivered:
        row.status, row.final_at = OutboxStatus.DELIVERED, now


def _message(row: OutboxRow) -> OutboundMessage:
    labels = row.choices.get("options") or []
    return OutboundMessage(
        channel=row.channel,
        address=row.address,
        text=row.body,
        choices=tuple(Choice(str(n), str(label)) for n, label in enumerate(labels, start=1)),
        contact_button=row.choices.get("contact_button"),
        reference=str(row.id),
    )
