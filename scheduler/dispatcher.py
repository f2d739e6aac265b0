"""The outbox dispatcher: claim due rows, send each once, record what happened.

Rows are claimed with SKIP LOCKED, so any number of dispatchers can run side by
side and none sends a row another has. A claim is a lease: the batch stays
``queued``, and only the row about to go is marked ``sending``, committed before
the provider is called, so a dispatcher that dies leaves at most one row in
flight. That row is reconciled: the provider is asked whether it took it (Twilio
can be); only where it cannot be asked is it sent again, and that is counted.
The rest of its batch falls due again when the lease is up.
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
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from bot.messages import Choice, OutboundMessage
from bot.outbox import hold_reasons, opted_out_at_provider
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
    ClaimedRow,
    OutboundRecord,
    OutboxStatus,
    claim_due,
    mark_final,
    mark_held,
    mark_sending,
    mark_sent,
    put_back,
    record_sent,
    retry_later,
    stale_sending,
)
from models.tenants import find_identity

log = logging.getLogger(__name__)
DEFAULT_LEASE = timedelta(minutes=2)
Write = Callable[[Session], None]  # an outcome owed to the database, written at the next commit


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
        batch = self._claim()
        self._send_batch(batch)
        return len(batch)

    def run_until(self, stop: threading.Event, idle_wait: float = 0.5) -> None:
        while not stop.is_set():
            try:
                handled = self.run_once()
            except Exception:
                log.exception("dispatcher round failed; trying again")
                handled = 0
            if not handled:
                stop.wait(idle_wait)

    def _claim(self) -> list[ClaimedRow]:
        """Lease a batch, and end here the rows that must not go (opted out, unreachable)."""
        now = self.clock()
        with self.session_factory.begin() as session:
            batch = claim_due(
                session, now=now, until=now + self.lease, limit=self.batch_size, claimer=self.name
            )
            held = hold_reasons(session, batch)
            mark_held(session, held, now=now)
        return [row for row in batch if row.id not in held]

    def _send_batch(self, batch: list[ClaimedRow]) -> None:
        """Send the leased rows one by one, so that at most one of them is ever ``sending``.

        Each row is marked ``sending`` in a commit of its own just before its provider
        call, and the previous row's success is written in that same commit: one commit
        per message. Killed before that commit, the previous row is the one left
        ``sending`` (it was sent: reconciliation finds it, or counts it resent) and this
        one is still only leased (it falls due when the lease is up); killed after it,
        the previous row is recorded and this one is the one in flight. Either way a
        single row is ambiguous. A failure is rarer and needs the whole row (backoff, an
        opt-out to record, the provider to ask): it is written at once, on its own.
        """
        unwritten: list[Write] = []
        for row in batch:
            not_before = self._not_sendable_before(row.channel)
            if not_before is not None:
                unwritten.append(self._put_back(row, not_before))
                continue
            started = self._start(row, after=unwritten)
            unwritten = self._send(row) if started else []
        self._write(unwritten)

    def _not_sendable_before(self, channel_name: str) -> datetime | None:
        """When a row on this channel may go, if not now: the channel is paused or unknown."""
        now = self.clock()
        paused = self._paused_until.get(channel_name)
        if paused is not None and paused > now:
            return paused
        return now + timedelta(minutes=1) if channel_name not in self.channels else None

    def _put_back(self, row: ClaimedRow, until: datetime) -> Write:
        return partial(put_back, row=row, claimer=self.name, until=until, reason="channel paused")

    def _start(self, row: ClaimedRow, *, after: list[Write]) -> bool:
        """Write what is owed, and mark this row ``sending``: one commit. False if not ours."""
        with self.session_factory.begin() as session:
            for write in after:
                write(session)
            return mark_sending(session, row, claimer=self.name, now=self.clock())

    def _write(self, unwritten: list[Write]) -> None:
        if unwritten:
            with self.session_factory.begin() as session:
                for write in unwritten:
                    write(session)

    def _send(self, row: ClaimedRow) -> list[Write]:
        """Call the provider; a success is returned to be written with the next commit."""
        # Waiting our turn after the row is marked: a crash while waiting leaves an unsent
        # row ``sending``, which is better than a sent one unrecorded.
        self._gates[row.channel].wait()
        try:
            receipt = self.channels[row.channel].send(_message(row))
        except ChannelError as exc:
            failure = exc
        except Exception as exc:  # a bug or a surprise answer: ask before sending again
            log.exception("unexpected error sending outbox row %s", row.id)
            failure = OutcomeUnknown(f"unexpected {type(exc).__name__}")
        else:
            sent = partial(
                record_sent,
                row_id=row.id,
                provider_id=receipt.provider_id,
                segments=receipt.segments,
                delivered=receipt.delivered,
                now=self.clock(),
            )
            return [sent]
        self._record(row.id, lambda s, r, t: self._failed(s, r, t, failure))
        return []

    def _record(
        self, row_id: int, change: Callable[[Session, OutboundRecord, datetime], None]
    ) -> None:
        """Write a failed send's outcome, unless the row has been settled meanwhile."""
        with self.session_factory.begin() as session:
            row = session.get(OutboundRecord, row_id, with_for_update=True)
            if row is not None and row.status == OutboxStatus.SENDING:
                change(session, row, self.clock())

    def _failed(
        self, session: Session, row: OutboundRecord, now: datetime, exc: ChannelError
    ) -> None:
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

    def _settle(self, row: OutboundRecord, now: datetime, *, retry: bool) -> None:
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


def _message(row: OutboundRecord | ClaimedRow) -> OutboundMessage:
    labels = row.choices.get("options") or []
    return OutboundMessage(
        channel=row.channel,
        address=row.address,
        text=row.body,
        choices=tuple(Choice(str(n), str(label)) for n, label in enumerate(labels, start=1)),
        contact_button=row.choices.get("contact_button"),
        reference=str(row.id),
        language=row.choices.get("language", "en"),
        keyword_on_1=row.choices.get("keyword_on_1"),
    )
