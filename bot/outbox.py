"""Turning a turn's replies into outbox rows, and deciding at send time who may get them.

Each reply is shown as its channel shows it (bot/presentation.py). Consent and
reachability are checked again when a row is sent, because a tenant may say STOP
between the queueing and the sending.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Turn
from bot.messages import Reply
from bot.presentation import presentation_of
from models.consent import Consent, Topic, opted_out, record_consent
from models.messages import (
    ClaimedRow,
    InboundRecord,
    OutboundKind,
    OutboundRecord,
    OutboxStatus,
    storable,
)
from models.tenants import Identity, find_identity


def queue_replies(turn: Turn) -> list[OutboundRecord]:
    shown = presentation_of(turn.channel)
    rows = []
    for reply in turn.replies:
        rendered = shown.reply(turn.language, reply)
        rows.append(
            OutboundRecord(
                tenant_id=turn.tenant.id,
                channel=turn.channel,
                address=turn.identity.address,
                body=rendered.body,
                choices=dict(rendered.choices),
                kind=OutboundKind.CONSENT if reply.about_consent else OutboundKind.REPLY,
                in_reply_to=turn.inbound_id,
                segments=rendered.segments,
                next_attempt_at=turn.now,
                created_at=turn.now,
            )
        )
    turn.session.add_all(rows)
    return rows


def hold_reason(session: Session, row: OutboundRecord) -> OutboxStatus | None:
    """Why this row must not go now (opted out, unreachable), or None to send it."""
    consent_needed = row.tenant_id is not None and row.kind != OutboundKind.CONSENT
    if consent_needed and opted_out(session, row.tenant_id or 0, row.channel, row.topic):
        return OutboxStatus.OPTED_OUT
    identity = find_identity(session, row.channel, row.address)
    if identity is not None and not identity.reachable:
        return OutboxStatus.UNREACHABLE
    return None


def hold_reasons(session: Session, batch: Sequence[ClaimedRow]) -> dict[int, OutboxStatus]:
    """hold_reason for a whole batch in two queries: the rows that must not go now, and why."""
    refused = _refusals(session, [row for row in batch if _needs_consent(row)])
    unreachable = _unreachable(session, batch)
    reasons: dict[int, OutboxStatus] = {}
    for row in batch:
        if _needs_consent(row) and _declined(row, refused):
            reasons[row.id] = OutboxStatus.OPTED_OUT
        elif (row.channel, row.address) in unreachable:
            reasons[row.id] = OutboxStatus.UNREACHABLE
    return reasons


def _needs_consent(row: ClaimedRow) -> bool:
    """A tenant's STOP holds everything but the answers to STOP, START and HELP themselves."""
    return row.tenant_id is not None and row.kind != OutboundKind.CONSENT


def _declined(row: ClaimedRow, refused: set[tuple[int, str, str]]) -> bool:
    """STOP on the row's channel (all topics), or a refusal of the row's own topic there."""
    return any(
        (row.tenant_id, row.channel, topic) in refused for topic in (Topic.ALL.value, row.topic)
    )


def _refusals(session: Session, batch: Sequence[ClaimedRow]) -> set[tuple[int, str, str]]:
    """(tenant, channel, topic) of every opt-out among the batch's tenants."""
    if not batch:
        return set()
    found = session.execute(
        select(Consent.tenant_id, Consent.channel, Consent.topic).where(
            Consent.tenant_id.in_({row.tenant_id for row in batch if row.tenant_id is not None}),
            Consent.channel.in_({row.channel for row in batch}),
            Consent.granted.is_(False),
        )
    )
    return {(tenant_id, channel, topic) for tenant_id, channel, topic in found}


def _unreachable(session: Session, batch: Sequence[ClaimedRow]) -> set[tuple[str, str]]:
    """(channel, address) of the batch's identities the provider said are gone."""
    if not batch:
        return set()
    found = session.execute(
        select(Identity.channel, Identity.address).where(
            Identity.channel.in_({row.channel for row in batch}),
            Identity.address.in_({row.address for row in batch}),
            Identity.reachable.is_(False),
        )
    )
    return {(channel, address) for channel, address in found}


def opted_out_at_provider(
    session: Session, row: OutboundRecord, *, code: str, now: datetime
) -> None:
    """The provider refuses this recipient (Twilio 21610): hold it as an opt-out from now on."""
    if row.tenant_id is None or opted_out(session, row.tenant_id, row.channel):
        return
    record_consent(
        session,
        tenant_id=row.tenant_id,
        channel=row.channel,
        topic=Topic.ALL,
        granted=False,
        source=f"provider {code}",
        wording_version="provider",
        now=now,
    )


class CannotReply(ValueError):
    """Why a staff reply cannot go: the reason is shown to the officer as it is."""


def queue_staff_reply(
    session: Session, *, inbound: InboundRecord, text: str, now: datetime, staff_id: int
) -> OutboundRecord:
    """A reply written by staff, sent on the channel the tenant wrote from, via the outbox.

    The row records who wrote it, so the tenant's thread shows which officer answered.
    """
    shown = presentation_of(inbound.channel)
    typed = shown.typed(storable(text).strip())
    if not typed:
        raise CannotReply("write a reply first")
    if (refused := shown.refusal(typed)) is not None:
        raise CannotReply(refused)
    if inbound.tenant_id is not None and opted_out(session, inbound.tenant_id, inbound.channel):
        raise CannotReply("this tenant has opted out of messages on this channel")
    rendered = shown.reply(catalogue.DEFAULT_LANGUAGE, Reply(typed))
    row = OutboundRecord(
        tenant_id=inbound.tenant_id,
        channel=inbound.channel,
        address=inbound.address,
        body=rendered.body,
        kind=OutboundKind.REPLY,
        in_reply_to=inbound.id,
        sent_by_staff_id=staff_id,
        segments=rendered.segments,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row
