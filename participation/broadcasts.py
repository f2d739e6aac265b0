"""A broadcast from draft to outbox: one function per staff action, for console and API.

Staff see before sending what each language costs (GSM-7 or UCS-2, segments, the
characters that force UCS-2), how many it reaches on each channel, and the price;
a notice longer than 2 SMS once framed ("Fife Housing Group: ...") is refused. The
words staff typed are repaired on the way in: typography pasted from a word
processor becomes its GSM-7 twin, so a curly quote never triples the bill.
A language staff did not write gets the English notice with a one-line note in
that language (bot.notices.InEnglish); the preview shows what that costs too.
Sending queues the notices through bot.notices (the sending window, consent topic
and bulk insert live there) and tags each page's rows with the broadcast.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import catalogue
from bot.flow import Settings
from bot.message_kinds import declare
from bot.notices import Notice, english_for, queue_notices, rendered_on
from bot.presentation import Trait, kind_with
from bot.sms import (
    MAX_SEGMENTS,
    count_segments,
    split_segments,
    to_gsm7,
    ucs2_characters,
)
from models.audiences import Audience
from models.broadcasts import (
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    create_broadcast,
    requeue_failed,
)
from models.consent import Topic
from models.schedule import cancel, schedule
from models.tenants import Recipient

SEND_TASK = "broadcast_send"
TOPICS = (Topic.NEWS, Topic.EVENTS, Topic.INSPECTIONS, Topic.SURVEYS)
DEFAULT_LANGUAGE = "en"
# each kind's frame around staff's words; on a call, 1 answers an opportunity as YES does by text
KINDS = {
    BroadcastKind.NOTICE: declare("broadcasts.notice"),
    BroadcastKind.OPPORTUNITY: declare("broadcasts.opportunity", answered_by="YES"),
}


class CannotBroadcast(ValueError):
    """Why a broadcast cannot be saved or sent: the reason is shown to staff as it is."""


@dataclass(frozen=True)
class LanguageCost:
    """One language's message as a basic phone gets it, and what it costs."""

    language: str
    body: str
    encoding: str
    characters: int
    segments: int
    forcing_ucs2: tuple[str, ...]  # staff's characters with no GSM-7 twin, to highlight
    parts: tuple[str, ...]  # the body split where the segments break
    in_english: bool = False  # not written: the English notice with the note in this language


@dataclass(frozen=True)
class Preview:
    by_channel: dict[str, int]
    languages: tuple[LanguageCost, ...]
    sms_segments: int  # segments billed over every SMS recipient
    cost: float  # pounds
    problems: tuple[str, ...]  # reasons it cannot be sent as it is

    @property
    def recipients(self) -> int:
        return sum(self.by_channel.values())


def cleaned_texts(texts: Mapping[str, str]) -> dict[str, str]:
    """The texts worth keeping, pasted typography repaired; English is required."""
    known = catalogue.languages()
    unknown = sorted(set(texts) - set(known))
    if unknown:
        raise CannotBroadcast(f"{unknown[0][:8]}: not a language we have ({', '.join(known)})")
    cleaned = {language: to_gsm7(text).strip() for language, text in texts.items()}
    if not cleaned.get(DEFAULT_LANGUAGE):
        raise CannotBroadcast("write the notice in English (other languages are optional)")
    return {language: text for language, text in cleaned.items() if text}


def draft(
    session: Session,
    *,
    kind: str,
    texts: Mapping[str, str],
    audience: Audience,
    topic: str,
    urgent: bool,
    staff_id: int | None,
    now: datetime,
    unmatched: tuple[str, ...] = (),
    call_landlines: bool = False,
) -> Broadcast:
    """A new draft; nothing is queued until it is sent or scheduled.

    ``call_landlines``: a landline-only tenant in the audience gets it as a phone call.
    """
    if kind not in tuple(BroadcastKind):
        raise CannotBroadcast(f"kind must be one of {', '.join(BroadcastKind)}")
    if topic not in TOPICS:
        raise CannotBroadcast(f"topic must be one of {', '.join(TOPICS)}")
    return create_broadcast(
        session,
        kind=kind,
        texts=cleaned_texts(texts),
        audience=audience.as_json(),
        topic=topic,
        urgent=urgent,
        staff_id=staff_id,
        now=now,
        unmatched=unmatched,
        call_landlines=call_landlines,
    )


def text_in(broadcast: Broadcast, settings: Settings) -> Callable[[str], Notice]:
    """The framed message in a tenant's language: theirs if staff wrote it, else the
    English one (English frame) with the note in theirs."""

    def written(language: str) -> str:
        return catalogue.render(
            language,
            KINDS[BroadcastKind(broadcast.kind)].key,
            landlord=settings.landlord,
            notice=broadcast.texts[language],
        )

    def framed(language: str) -> Notice:
        if language in broadcast.texts:
            return written(language)
        return english_for(language, written(DEFAULT_LANGUAGE))

    return framed


def language_costs(broadcast: Broadcast, settings: Settings) -> tuple[LanguageCost, ...]:
    """Each language as it goes by SMS (where the words allow, GSM-7): those staff wrote,
    then the others, which get the English notice and the note."""
    framed = text_in(broadcast, settings)
    written = list(broadcast.texts)
    others = [language for language in catalogue.languages() if language not in written]
    return tuple(_cost(language, framed(language)) for language in [*written, *others])


def _cost(language: str, notice: Notice) -> LanguageCost:
    """What the notice costs; with the note in a short SMS of its own, the two added up."""
    bodies = [each.body for each in rendered_on(texting(), language, notice)]
    counts = [count_segments(body) for body in bodies]
    body = "\n\n".join(bodies)
    return LanguageCost(
        language,
        body,
        "UCS-2" if any(count.encoding == "UCS-2" for count in counts) else "GSM-7",
        sum(len(each) for each in bodies),
        sum(count.segments for count in counts),
        tuple(ucs2_characters(body if isinstance(notice, str) else notice.text)),
        tuple(part for each in bodies for part in split_segments(each)),
        in_english=not isinstance(notice, str),
    )


def texting() -> str:
    """The kind of channel that texts phones: the one a broadcast's cost is counted on."""
    return kind_with(Trait.TYPES, Trait.PHONE)


def problems(costs: tuple[LanguageCost, ...]) -> tuple[str, ...]:
    """Only what staff wrote can be too long: a note goes on its own when it must."""
    return tuple(
        f"The {catalogue.render(cost.language, 'language.name')} text takes {cost.segments} "
        f"text messages; keep it to {MAX_SEGMENTS} (about "
        f"{306 if cost.encoding == 'GSM-7' else 134} characters with the landlord's name)."
        for cost in costs
        if cost.segments > MAX_SEGMENTS and not cost.in_english
    )


def preview(session: Session, broadcast: Broadcast, settings: Settings, price: float) -> Preview:
    """Count, segments and cost, reading the audience as it is now."""
    costs = language_costs(broadcast, settings)
    segments_in = {cost.language: cost.segments for cost in costs}
    by_channel: Counter[str] = Counter()
    sms_segments = 0
    sms = texting()
    for page in _audience(session, broadcast):
        for recipient in page:
            by_channel[recipient.channel] += 1
            if recipient.channel == sms:  # a chat or a call costs no segments
                sms_segments += segments_in.get(recipient.language, segments_in[DEFAULT_LANGUAGE])
    return Preview(
        dict(by_channel),
        costs,
        sms_segments,
        round(sms_segments * price, 2),
        problems(costs),
    )


def _audience(session: Session, broadcast: Broadcast) -> Iterator[list[Recipient]]:
    audience = Audience.from_json(broadcast.audience)
    return audience.recipients(session, call_landlines=broadcast.call_landlines)


def _sendable(broadcast: Broadcast, settings: Settings) -> None:
    if broadcast.status == BroadcastStatus.SENT:
        raise CannotBroadcast("this broadcast has been sent already")
    found = problems(language_costs(broadcast, settings))
    if found:
        raise CannotBroadcast(found[0])


def send(session: Session, broadcast: Broadcast, *, now: datetime, settings: Settings) -> int:
    """Queue it to everyone in its audience now; how many were queued."""
    _sendable(broadcast, settings)
    framed = text_in(broadcast, settings)
    keyword_on_1 = KINDS[BroadcastKind(broadcast.kind)].answered_by
    queued = 0
    for page in _audience(session, broadcast):
        queued += queue_notices(
            session,
            page,
            framed,
            topic=broadcast.topic,
            now=now,
            settings=settings,
            urgent=broadcast.urgent,
            broadcast_id=broadcast.id,
            keyword_on_1=keyword_on_1,
        )
    cancel(session, task_key(broadcast))
    broadcast.status, broadcast.sent_at, broadcast.queued = BroadcastStatus.SENT, now, queued
    return queued


def task_key(broadcast: Broadcast) -> str:
    return f"broadcast-{broadcast.id}"


def schedule_send(
    session: Session, broadcast: Broadcast, *, send_at: datetime, now: datetime, settings: Settings
) -> None:
    """Send it at ``send_at`` (the sending window still applies then, unless urgent)."""
    _sendable(broadcast, settings)
    if send_at <= now:
        raise CannotBroadcast("choose a time in the future, or send it now")
    schedule(
        session,
        key=task_key(broadcast),
        kind=SEND_TASK,
        due_at=send_at,
        payload={"broadcast_id": broadcast.id},
    )
    broadcast.status, broadcast.send_at = BroadcastStatus.SCHEDULED, send_at


def resend_failed(
    session: Session, broadcast: Broadcast, *, now: datetime, settings: Settings
) -> int:
    """Queue again only the messages that failed; how many."""
    if broadcast.status != BroadcastStatus.SENT:
        raise CannotBroadcast("only a sent broadcast has failures to send again")
    send_at = now if broadcast.urgent else settings.sending_window.first_moment(now)
    return requeue_failed(session, broadcast.id, send_at=send_at)
