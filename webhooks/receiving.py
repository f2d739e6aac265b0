"""The one way an inbound message enters doorstep, whichever door it came through.

The message is stored and answered in one transaction. A provider retry of the
same message is recognised and gets nothing. If the engine fails, the message
is still stored, the tenant gets a short apology and their conversation is
cleared, so nothing is lost and nobody is stuck. If the database is down the
caller answers 503, so the provider tries again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import catalogue
from bot.attachments import expect_files
from bot.engine import Outcome, handle
from bot.flow import Settings
from bot.messages import InboundMessage, Reply
from bot.outbox import hold_reason
from bot.presentation import presentation_of
from models.conversations import Conversation
from models.messages import (
    InboundRecord,
    OutboundKind,
    OutboundRecord,
    OutboxStatus,
    find_inbound,
    mark_final,
    mark_sent,
    storable,
    storable_fields,
)
from models.tenants import identity_for
from models.tombstones import ErasedMessage

log = logging.getLogger(__name__)
RACE_RETRIES = 3


class DatabaseUnavailable(RuntimeError):
    """The database did not answer: the provider should retry later."""


@dataclass
class Received:
    duplicate: bool = False
    inline: list[OutboundRecord] = field(default_factory=list)


@dataclass
class Receiver:
    session_factory: sessionmaker[Session]
    settings: Settings
    clock: Callable[[], datetime]

    def receive(
        self, message: InboundMessage, *, inline_status: OutboxStatus | None = None
    ) -> Received:
        """Store and answer; replies the caller can hand back inline get ``inline_status``."""
        try:
            for _ in range(RACE_RETRIES):
                try:
                    return self._answer(message, inline_status)
                except ErasedMessage:  # a replay of an erased tenant's message: nothing kept
                    return Received(duplicate=True)
                except IntegrityError:
                    # The message is stored already (a provider retry, perhaps racing
                    # the first delivery), or two first messages from one new number
                    # raced. A retry is a duplicate; the other is answered again now
                    # that its twin has committed.
                    if self._already_stored(message):
                        return Received(duplicate=True)
            raise DatabaseUnavailable("kept colliding with concurrent messages")
        except DBAPIError as exc:
            raise DatabaseUnavailable(type(exc).__name__) from exc
        except DatabaseUnavailable:
            raise
        except Exception:
            log.exception("engine failed on a %s message", message.channel)
        try:
            return self._apologise(message, inline_status)
        except DBAPIError as exc:
            raise DatabaseUnavailable(type(exc).__name__) from exc

    def _already_stored(self, message: InboundMessage) -> bool:
        with self.session_factory() as session:
            return find_inbound(session, message.channel, message.provider_id) is not None

    def _answer(self, message: InboundMessage, inline_status: OutboxStatus | None) -> Received:
        """One transaction; a retry of a stored message raises IntegrityError from handle()."""
        now = self.clock()
        with self.session_factory.begin() as session:
            outcome = handle(session, message, now=now, settings=self.settings)
            if inline_status is None:
                return Received()
            inline = self._hand_back(session, outcome, message, inline_status, now)
            session.flush()  # each row is written once, already marked, and gets its id
            return Received(inline=inline)

    @staticmethod
    def _hand_back(
        session: Session,
        outcome: Outcome,
        message: InboundMessage,
        status: OutboxStatus,
        now: datetime,
    ) -> list[OutboundRecord]:
        inline = []
        for row in outcome.replies:
            if row.channel != message.channel or row.address != message.address:
                continue
            held = _held(session, row, outcome)
            if held is not None:
                mark_final(row, held, now=now, code=None, reason="held at send time")
                continue
            _handed_back(row, status, now)
            inline.append(row)
        return inline

    def _apologise(self, message: InboundMessage, inline_status: OutboxStatus | None) -> Received:
        now = self.clock()
        with self.session_factory.begin() as session:
            if find_inbound(session, message.channel, message.provider_id) is not None:
                return Received(duplicate=True)
            identity = identity_for(session, message.channel, message.address)
            record = InboundRecord(
                tenant_id=identity.tenant_id,
                channel=message.channel,
                address=message.address,
                provider_id=message.provider_id,
                body=storable(message.text),
                raw=storable_fields(message.raw),
                received_at=now,
                flow="error",
            )
            session.add(record)
            session.flush()
            expect_files(session, record.id, message, now)  # its files are fetched all the same
            session.execute(
                delete(Conversation).where(Conversation.tenant_id == identity.tenant_id)
            )
            language = identity.tenant.language
            sorry = Reply(catalogue.render(language, "error.sorry"))
            shown = presentation_of(message.channel).reply(language, sorry)
            apology = OutboundRecord(
                tenant_id=identity.tenant_id,
                channel=message.channel,
                address=message.address,
                body=shown.body,
                segments=shown.segments,
                next_attempt_at=now,
                created_at=now,
            )
            session.add(apology)
            if inline_status is None:
                return Received()
            _handed_back(apology, inline_status, now)
            session.flush()
            return Received(inline=[apology])


def _handed_back(row: OutboundRecord, status: OutboxStatus, now: datetime) -> None:
    """A reply given in the provider's answer: sent now, and delivered where it cannot fail."""
    mark_sent(row, provider_id=None, now=now)
    if status == OutboxStatus.DELIVERED:
        row.status, row.final_at = status, now


def _held(session: Session, row: OutboundRecord, outcome: Outcome) -> OutboxStatus | None:
    """hold_reason() for a reply to the message in hand, from what the turn already read.

    The sender has just written from this address, so it is reachable, and the engine
    read whether they had opted out. A reply that moved to another tenant (a Telegram
    chat joined to a known one) or is about a topic is checked in full.
    """
    if row.tenant_id != outcome.sender_id or row.topic is not None:
        return hold_reason(session, row)
    if outcome.opted_out and row.kind != OutboundKind.CONSENT:
        return OutboxStatus.OPTED_OUT
    return None
