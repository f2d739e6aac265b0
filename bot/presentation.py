"""The seam between the engine and the channels: how a kind of channel shows what we say.

The engine says "a question with options" (a Reply) and never names a channel. Each
kind of channel registers, in channels/, a Presentation that turns a Reply or a
notice into what it sends: numbered lines fitted to 2 SMS, buttons in a chat, or
words to speak with keys to press. A flow that needs typing or a phone number says
so with a Trait, so a new kind of channel is a new module in channels/ and the
engine is not edited.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

from bot.messages import Reply
from bot.sms import Cut, fitting_where


class Trait(StrEnum):
    """What a kind of channel lets a tenant do, for flows that need it."""

    TYPES = "types"  # the tenant reads, and answers in words they type
    HEARS = "hears"  # a call: we speak, the tenant presses keys or leaves a voice note
    PHONE = "phone"  # the address is the tenant's phone number
    ACCOUNT = "account"  # the address is an account of its own, linked to a phone by a code
    PHOTOS = "photos"  # a photo can be sent in the conversation


@dataclass(frozen=True)
class Rendered:
    """One message as a channel sends it, and what it costs."""

    body: str
    segments: int = 1  # SMS segments; 1 where the channel counts none
    choices: Mapping[str, object] = field(default_factory=dict)  # buttons or keys, for sending


class Presentation(ABC):
    """How one kind of channel shows messages; channels/ has one per kind."""

    traits: frozenset[Trait]
    label: str  # the channel's name as staff read it
    wording: str | None = None  # the catalogue's wording for it ("voice.help.reply"), if any

    @abstractmethod
    def reply(self, language: str, reply: Reply) -> Rendered:
        """A reply in ``language``, options and all."""

    def notice(self, language: str, text: str, note: str | None = None) -> list[Rendered]:
        """A notice nobody asked for, in ``language``, with ``note`` in the tenant's own
        saying it is in English where it is; most channels send both as one message."""
        joined = text if note is None else f"{text}\n{note}"
        return [self.reply(language, Reply(joined))]

    def fits(self, rendered: Rendered) -> bool:
        """Whether the message goes whole, as the channel's limits have it."""
        return True

    def typed(self, text: str) -> str:
        """Words staff typed, as this channel sends them."""
        return text

    def refusal(self, body: str) -> str | None:
        """Why staff's words cannot go as one reply here (shown to them), or None."""
        return None


class UnknownChannel(LookupError):
    """No presentation is registered for a kind of channel."""


_registered: dict[str, Presentation] = {}


def register(kind: str, presentation: Presentation) -> None:
    """Make ``kind``'s look known to the engine; channels/ does it for each kind it has."""
    _registered[kind] = presentation


def presentation_of(kind: str) -> Presentation:
    try:
        return _registered[kind]
    except KeyError:
        raise UnknownChannel(kind) from None


def kind_with(*traits: Trait) -> str:
    """The first kind of channel registered with all of ``traits``: the one texting a phone
    number is where a chat account's link code goes."""
    for kind, shown in _registered.items():
        if shown.traits.issuperset(traits):
            return kind
    raise UnknownChannel(", ".join(traits))


def kinds_with(trait: Trait) -> tuple[str, ...]:
    """The kinds of channel with ``trait``, in the order channels/ registered them."""
    return tuple(kind for kind, shown in _registered.items() if trait in shown.traits)


def has(kind: str, trait: Trait) -> bool:
    return trait in presentation_of(kind).traits


def fitting_everywhere(language: str, compose: Callable[[Cut], Reply], *, shortest: int = 0) -> Cut:
    """The gentlest cut of the words a tenant or staff typed (a title, a place) that lets
    the reply ``compose`` writes go whole wherever it is read."""
    return fitting_where(compose, partial(fits_everywhere, language), shortest=shortest)


def fits_everywhere(language: str, reply: Reply) -> bool:
    """Whether the reply goes whole on every kind of channel a tenant types on, so words
    a flow shortens are shortened alike whichever channel asks."""
    return all(
        shown.fits(shown.reply(language, reply))
        for shown in _registered.values()
        if Trait.TYPES in shown.traits
    )
