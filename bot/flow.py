"""How a conversation is declared: questions as data, plus small functions.

A flow is a set of named questions. Each question has a prompt (a catalogue
key), optional options, and a handler that takes the answer and names the next
question, or None when the flow is done. The engine does the asking, matching,
re-prompting, expiry and resuming, so a new survey is a new module of
declarations and never an engine change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot import catalogue
from bot.messages import InboundMessage, Reply
from bot.presentation import Presentation, Trait, presentation_of
from bot.sending_window import UK_TIME, SendingWindow
from models.conversations import save_progress
from models.tenants import Identity, Tenant


@dataclass(frozen=True)
class Option:
    value: str
    label: str = ""  # catalogue key
    words: tuple[str, ...] = ()  # more words accepted, e.g. "yes"
    label_language: str | None = None  # render the label in this language (LANG)
    text: str | None = None  # shown as it is, instead of a label: staff's words (a poll's)


@dataclass(frozen=True)
class Answer:
    text: str
    value: str | None = None
    photo_ids: tuple[str, ...] = ()
    location: tuple[float, float] | None = None
    shared_phone: str | None = None


@dataclass(frozen=True)
class Settings:
    """What flows need to know about the landlord and the clock's rules."""

    landlord: str = "your landlord"
    contact: str = "your housing officer"
    repairs: str = "your housing officer"  # the repairs line, told to anyone who writes of danger
    conversation_timeout: timedelta = timedelta(hours=24)
    timezone: ZoneInfo = UK_TIME  # built once, from the TIMEZONE setting
    sending_window: SendingWindow = field(default_factory=SendingWindow)
    spoken_languages: frozenset[str] = frozenset({"en"})  # what a phone call can speak


@dataclass
class Turn:
    """One inbound message being answered: who sent it, and what we say back."""

    session: Session
    tenant: Tenant
    identity: Identity
    inbound_id: int
    now: datetime
    settings: Settings
    message: InboundMessage
    flow: str | None = None  # where the conversation stands after this turn
    state: str | None = None
    answered_in: str | None = None  # the flow that answered this message, even one it ended
    answers: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    hand_over: str | None = None  # a finished flow's choice of the flow to start next
    to_inbox: bool = False

    @property
    def language(self) -> str:
        """The tenant's language; on a call, English where calls cannot speak theirs."""
        speaks = self.tenant.language in self.settings.spoken_languages
        if Trait.HEARS in self.presentation.traits and not speaks:
            return catalogue.DEFAULT_LANGUAGE
        return self.tenant.language

    @property
    def channel(self) -> str:
        return self.identity.channel

    @property
    def presentation(self) -> Presentation:
        """How this turn's channel shows what we say, and what it lets the tenant do."""
        return presentation_of(self.channel)

    def can(self, trait: Trait) -> bool:
        return trait in self.presentation.traits

    def text(self, key: str, **values: object) -> str:
        """The text in the tenant's language, in the wording of this channel where it has one."""
        return catalogue.render(
            self.language,
            catalogue.worded(key, self.presentation.wording),
            landlord=self.settings.landlord,
            contact=self.settings.contact,
            **values,
        )

    def text_in(self, language: str, key: str, **values: object) -> str:
        """``text`` in another language than the tenant's: a poll staff wrote only in English."""
        return catalogue.render(
            language,
            catalogue.worded(key, self.presentation.wording),
            landlord=self.settings.landlord,
            contact=self.settings.contact,
            **values,
        )

    def say(self, key: str, **values: object) -> None:
        self.replies.append(Reply(self.text(key, **values)))

    def put_aside(self) -> None:
        """Leave the current flow for now, keeping its answers for when the tenant returns."""
        if self.flow is not None and self.state is not None:
            save_progress(
                self.session,
                tenant_id=self.tenant.id,
                flow=self.flow,
                state=self.state,
                answers=self.answers,
                now=self.now,
            )
        self.flow = self.state = None


Handler: TypeAlias = Callable[[Turn, Answer], "str | None"]
Options: TypeAlias = "Sequence[Option] | Callable[[Turn], Sequence[Option]]"


def everyone(_tenant: Tenant) -> bool:
    return True


def registered(tenant: Tenant) -> bool:
    return tenant.registered


@dataclass(frozen=True)
class Question:
    prompt: str
    on_answer: Handler
    options: Options = ()
    prompt_values: Callable[[Turn], Mapping[str, object]] | None = None
    accepts_photo: bool = False
    asks_for_contact: bool = False
    asked_in: Callable[[Turn], str] | None = None  # a language other than the tenant's
    keypad: bool = False  # a number typed on a phone's keypad (on a call: keys, not a voice note)

    def options_for(self, turn: Turn) -> Sequence[Option]:
        return self.options(turn) if callable(self.options) else self.options


@dataclass(frozen=True)
class Flow:
    name: str
    begin: Callable[[Turn], str | None]
    questions: Mapping[str, Question] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()  # catalogue keys of words that start it
    menu_label: str | None = None
    offered_to: Callable[[Tenant], bool] = everyone
    needs: frozenset[Trait] = frozenset()  # what the channel must let the tenant do
    resumable: bool = True

    def offered(self, tenant: Tenant, channel: str) -> bool:
        return presentation_of(channel).traits.issuperset(self.needs) and self.offered_to(tenant)


def yes_no() -> tuple[Option, Option]:
    return (Option("yes", "choice.yes", ("yes",)), Option("no", "choice.no", ("no",)))
