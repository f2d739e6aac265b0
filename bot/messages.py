"""The engine's own vocabulary: a message in, a message out.

Channel adapters translate between a provider and these two classes, so the
engine never sees a Twilio form or a Telegram update, and a new provider never
touches the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

VOICE_NOTE = "(voice message)"  # what staff read where a tenant spoke instead of typing
LOCATION_NOTE = "(shared location)"  # what staff read where a tenant sent a map pin


class MediaKind(StrEnum):
    """What a file a tenant sent is, whichever provider brought it."""

    PHOTO = "photo"
    VOICE = "voice"  # a voice message recorded in the app
    AUDIO = "audio"  # a sound file: a song, a recording, an MMS audio clip
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    CONTACT = "contact"  # a contact card (vCard) sent as a file, by MMS


SPOKEN = frozenset({MediaKind.VOICE, MediaKind.AUDIO})  # what answers a question as words


@dataclass(frozen=True)
class Attachment:
    """A file a tenant sent, as its provider announced it.

    The bytes are not here: a webhook must answer quickly, so they are fetched from the
    provider just after (scheduler/media_fetch.py), by ``source``.
    """

    kind: MediaKind
    source: str  # how the provider finds it again: a Telegram file_id, a Twilio MediaUrl
    content_type: str
    size: int | None = None  # in bytes, where the provider says (Twilio does not)
    filename: str | None = None
    emoji: str | None = None  # what a sticker stands for


@dataclass(frozen=True)
class ContactCard:
    """Somebody else's name and number a tenant shared: a third party's, for staff only."""

    name: str
    phone: str


@dataclass(frozen=True)
class Choice:
    """One option of a question: what to send back (``key``) and what it says."""

    key: str
    label: str


@dataclass(frozen=True)
class InboundMessage:
    channel: str
    address: str
    provider_id: str
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    location: tuple[float, float] | None = None
    place: str | None = None  # the name and address of a place shared with its pin
    shared_phone: str | None = None  # a contact the sender shared of themselves (Telegram)
    contact_card: ContactCard | None = None  # a contact card of somebody else
    sender_name: str | None = None
    recording_url: str | None = None  # a voice note left on a call (<Record>)
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def photo_ids(self) -> tuple[str, ...]:
        """The photos among the attachments, by their provider's reference."""
        return tuple(a.source for a in self.attachments if a.kind == MediaKind.PHOTO)

    @property
    def shared_other_contact(self) -> bool:
        return self.contact_card is not None

    @property
    def voice_note(self) -> bool:
        """Whether the tenant spoke rather than typed (a voice message, a sound clip)."""
        return any(a.kind in SPOKEN for a in self.attachments)

    @property
    def empty(self) -> bool:
        """Nothing at all was sent: no words, and nothing shown, shared or recorded."""
        return not (
            self.text.strip()
            or self.attachments
            or self.location
            or self.shared_phone
            or self.contact_card
            or self.recording_url
        )


@dataclass(frozen=True)
class Reply:
    """What the engine says: words, and the options a tenant may answer with.

    It never says how: each kind of channel shows it its own way (bot/presentation.py).
    """

    text: str
    options: tuple[str, ...] = ()  # rendered labels, numbered from 1
    ask_for_contact: bool = False
    about_consent: bool = False  # STOP/START/HELP answers reach even an opted-out tenant
    language: str | None = None  # worded in this language, not the tenant's (an English poll)


@dataclass(frozen=True)
class OutboundMessage:
    channel: str
    address: str
    text: str
    choices: tuple[Choice, ...] = ()
    contact_button: str | None = None  # label of a "share my number" button (Telegram)
    reference: str | None = None  # our outbox id, for delivery reports and reconciling
    language: str = "en"  # the language a call speaks the text in
    keyword_on_1: str | None = None  # on a call, pressing 1 answers with this keyword


@dataclass(frozen=True)
class SendReceipt:
    provider_id: str | None
    segments: int = 1
    delivered: bool = False  # the simulator is the phone: it knows at once


@dataclass(frozen=True)
class DeliveryReport:
    """What a provider says became of a message we sent."""

    provider_id: str
    status: str  # queued, sent, delivered, undelivered, failed, ...
    error_code: str | None = None
    opted_out: bool = False  # the provider refuses the recipient: they opted out at its end
