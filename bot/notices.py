"""Queueing a message nobody asked for: an invitation, a notice, a reminder, an outcome.

It goes in the outbox like a reply, but waits for the sending window, carries the
topic its consent is checked against when it is sent, and is shown as its channel
shows it (bot/presentation.py).

A notice to an estate goes to tens of thousands of tenants at once, so queue_notices
renders each language and channel once, works out the window once, and inserts the
rows in bulk a page at a time, without an ORM object per row.

Staff may write a notice (or a poll) in English only. A tenant of another language
then gets the English message with a one-line note in theirs saying why (InEnglish);
each channel decides where the note goes (by SMS: on the same message while the whole
fits 2 SMS, else as a short SMS just before it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from itertools import islice
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.messages import Reply
from bot.presentation import Rendered, Trait, has, presentation_of
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


def parts(notice: Notice) -> tuple[str, str | None]:
    """The message and, for a tenant of another language, the note that says it is English."""
    return (notice, None) if isinstance(notice, str) else (notice.text, notice.note)


def rendered_on(kind: str, language: str, notice: Notice) -> list[Rendered]:
    """Each message ``notice`` goes as on channels of ``kind``, in order."""
    text, note = parts(notice)
    return presentation_of(kind).notice(ENGLISH if note else language, text, note)


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
    rendered = presentation_of(identity.channel).reply(tenant.language, Reply(text))
    row = OutboundRecord(
        tenant_id=tenant.id,
        channel=identity.channel,
        address=identity.address,
        body=rendered.body,
        kind=OutboundKind.NOTICE,
        topic=topic,
        segments=rendered.segments,
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
    def bodies_for(kind: str, language: str) -> list[Rendered]:
        if has(kind, Trait.HEARS):
            return _call(kind, text_in, language, settings, keyword_on_1)
        return rendered_on(kind, language, text_in(language))

    def rows(recipient: Recipient) -> Iterator[dict[str, Any]]:
        for rendered in bodies_for(recipient.channel, recipient.language):
            yield row(recipient, rendered)

    def row(recipient: Recipient, rendered: Rendered) -> dict[str, Any]:
        return {
            "tenant_id": recipient.tenant_id,
            "channel": recipient.channel,
            "address": recipient.address,
            "body": rendered.body,
            "choices": dict(rendered.choices),
            "kind": OutboundKind.NOTICE,
            "topic": topic,
            "segments": rendered.segments,
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
    kind: str,
    text_in: Callable[[str], Notice],
    language: str,
    settings: Settings,
    keyword_on_1: str | None,
) -> list[Rendered]:
    """What a call says, in a language Twilio speaks: theirs, else English (no note needed:
    a voice reading English says so by itself)."""
    shown = presentation_of(kind)
    spoken = language if language in settings.spoken_languages else ENGLISH
    with catalogue.worded_for(shown.wording):
        notice = text_in(spoken)
    if isinstance(notice, InEnglish):
        notice, spoken = notice.text, ENGLISH
    if keyword_on_1:
        notice = f"{notice} {catalogue.render(spoken, f'voice.press_1.{keyword_on_1.lower()}')}"
    said = shown.notice(spoken, notice)
    return [replace(each, choices={**each.choices, "keyword_on_1": keyword_on_1}) for each in said]


def _pages(recipients: Iterable[Recipient], size: int) -> Iterator[list[Recipient]]:
    remaining = iter(recipients)
    while page := list(islice(remaining, size)):
        yield page
