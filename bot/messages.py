"""The engine's own vocabulary: a message in, a message out.

Channel adapters translate between a provider and these two classes, so the
engine never sees a Twilio form or a Telegram update, and a new provider never
touches the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

VOICE_NOTE = "(voice message)"  # what staff read where a tenant spoke instead of typing


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
    photo_ids: tuple[str, ...] = ()
    location: tuple[float, float] | None = None
    shared_phone: str | None = None  # a contact the sender shared of themselves (Telegram)
    shared_other_contact: bool = False  # a contact card of somebody else
    sender_name: str | None = None
    recording_url: str | None = None  # a voice note left on a call (<Record>)
    raw: Mapping[str, Any] = field(default_factory=dict)


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
