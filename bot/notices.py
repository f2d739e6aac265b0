"""Queueing a message nobody asked for: an invitation, a notice, a reminder, an outcome.

It goes in the outbox like a reply, but waits for the sending window, carries the
topic its consent is checked against when it is sent, and is rendered for the
channel (GSM-7 for SMS where the words allow).

A notice to an estate goes to tens of thousands of tenants at once, so queue_notices
renders each language and channel once, works out the window once, and inserts the
rows in bulk a page at a time, without an ORM object per row.

Staff may write a notice (or a poll) in English only. A tenant of another language
then gets the English message with a one-line note in theirs saying why (InEnglish):
on the same message while the whole fits 2 SMS, else as a short SMS just before it,
so neither the note nor the 2-SMS limit is ever given up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import islice
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import VOICE, Reply, Settings
from bot.outbox import BUTTON_CHANNELS, render_for_channel
from bot.sms import count_segments, fit_for_sms, fits
from models.messages import OutboundKind, OutboundRecord
from models.tenants import CHUNK, Identity, Recipient, Tenant

ENGLISH = "en"


@dataclass(frozen=True)
class InEnglish:
    """A message staff wrote only in English, for a tenant of ``language``: sent with the
    note in their language that says so."""

    text: str
    language: str

    @property
    def note(self) -> str:
        return catalogue.render(self.language, "notices.in_english")


Notice = str | InEnglish  # what a tenant of one language is sent


def english_for(language: str, english: str) -> Notice:
    """The English message as a tenant of ``language`` gets it: with the note, unless English."""
    return english if language == ENGLISH else InEnglish(english, language)


def sms_bodies(notice: Notice) -> list[str]:
    """The SMS a notice goes as, in order: one, or the note just before the message."""
    if isinstance(notice, str):
        return [fit_for_sms(notice)]
    together = fit_for_sms(f"{notice.text}\n{notice.note}")
    if fits(together):
        return [together]
    return [fit_for_sms(notice.note), fit_for_sms(notice.text)]


def queue_notice(
    session: Session,
    *,
    tenant: Tenant,
    identity: Identity,
    text: str,
    topic: str,
    now: datetime,
    settings: Settings,
    urgent: bool = False,
) -> OutboundRecord:
    """Queue ``text`` (already in the tenant's language) for the first allowed moment."""
    body, segments = _body(identity.channel, tenant.language, text)
    row = OutboundRecord(
        tenant_id=tenant.id,
        channel=identity.channel,
        address=identity.address,
        body=body,
        kind=OutboundKind.NOTICE,
        topic=topic,
        segments=segments,
        next_attempt_at=now if urgent else settings.sending_window.first_moment(now),
        created_at=now,
    )
    session.add(row)
    return row


def queue_notices(
    session: Session,
    recipients: Iterable[Recipient],
    text_in: Callable[[str], Notice],
    *,
    topic: str,
    now: datetime,
    settings: Settings,
    urgent: bool = False,
    broadcast_id: int | None = None,
    keyword_on_1: str | None = None,
) -> int:
    """Queue one notice to each recipient, ``text_in(language)`` in theirs; how many
    recipients were queued for (a note in their language may add a row before theirs).

    The rows are the ones queue_notice would write, inserted a page at a time, each
    tagged with the broadcast it belongs to, if any, for that broadcast's report. A
    landline gets a call that says the notice; ``keyword_on_1`` is what pressing 1 on
    that call answers (REPORT after a walk's notice).
    """
    send_at = now if urgent else settings.sending_window.first_moment(now)

    @cache
    def bodies_for(channel: str, language: str) -> list[tuple[str, int, dict[str, Any]]]:
        if channel == VOICE:
            return [_call(text_in, language, settings, keyword_on_1)]
        return [(body, segments, {}) for body, segments in _bodies(channel, text_in(language))]

    def rows(recipient: Recipient) -> Iterator[dict[str, Any]]:
        for body, segments, choices in bodies_for(recipient.channel, recipient.language):
            yield row(recipient, body, segments) | {"choices": choices}

    def row(recipient: Recipient, body: str, segments: int) -> dict[str, Any]:
        return {
            "tenant_id": recipient.tenant_id,
            "channel": recipient.channel,
            "address": recipient.address,
            "body": body,
            "kind": OutboundKind.NOTICE,
            "topic": topic,
            "segments": segments,
            "next_attempt_at": send_at,
            "created_at": now,
            "broadcast_id": broadcast_id,
        }

    queued = 0
    for page in _pages(recipients, CHUNK):
        session.execute(
            insert(OutboundRecord), [each for recipient in page for each in rows(recipient)]
        )
        queued += len(page)
    return queued


def _call(
    text_in: Callable[[str], Notice], language: str, settings: Settings, keyword_on_1: str | None
) -> tuple[str, int, dict[str, Any]]:
    """What a call says, in a language Twilio speaks: theirs, else English (no note needed:
    a voice reading English says so by itself)."""
    spoken = language if language in settings.spoken_languages else ENGLISH
    with catalogue.worded_for(VOICE):
        notice = text_in(spoken)
    if isinstance(notice, InEnglish):
        notice, spoken = notice.text, ENGLISH
    if keyword_on_1:
        notice = f"{notice} {catalogue.render(spoken, f'voice.press_1.{keyword_on_1.lower()}')}"
    # said twice: a call is often picked up, or heard, only from its second sentence
    said = f"{notice} {catalogue.render(spoken, 'voice.repeat')} {notice}"
    return said, 1, {"language": spoken, "keyword_on_1": keyword_on_1}


def _bodies(channel: str, notice: Notice) -> list[tuple[str, int]]:
    """Each message the notice goes as on ``channel``, and its segments (1 where none)."""
    if channel in BUTTON_CHANNELS:
        text = notice if isinstance(notice, str) else f"{notice.text}\n{notice.note}"
        return [(text, 1)]
    return [(body, count_segments(body).segments) for body in sms_bodies(notice)]


def _body(channel: str, language: str, text: str) -> tuple[str, int]:
    """The text as sent on ``channel``, and the segments it costs (1 where there are none)."""
    body = render_for_channel(channel, language, Reply(text))
    if channel in BUTTON_CHANNELS:
        return body, 1
    body = fit_for_sms(body)
    return body, count_segments(body).segments


def _pages(recipients: Iterable[Recipient], size: int) -> Iterator[list[Recipient]]:
    remaining = iter(recipients)
    while page := list(islice(remaining, size)):
        yield page
