"""Every kind of message we send that nobody asked for, declared by the module that composes it.

A tenant with only a landline gets everything a texting tenant gets, as a call (SPEC).
Each composer declares the kinds it queues here, naming the catalogue text it is
composed from and the keyword a call's "press 1" answers, if the message asks
something. The registry lets the tests hold every kind, and any added later, to that
promise: its call wording (``voice.<key>``) in every language, and a landline-only
tenant phoned it (tests/webhooks/test_landline_parity.py).
"""

from __future__ import annotations

from dataclasses import dataclass

WORDING = "voice"  # the catalogue's wording for calls (channels/presentations.py)


@dataclass(frozen=True)
class MessageKind:
    key: str  # the catalogue text it is composed from, as a text says it
    answered_by: str | None = None  # the keyword pressing 1 on its call sends

    @property
    def call_wording(self) -> str:
        """The catalogue text it is composed from when it is said on a call."""
        return f"{WORDING}.{self.key}"

    @property
    def call_answer(self) -> str | None:
        """The catalogue text that tells a listener to press 1, if it asks something."""
        return f"{WORDING}.press_1.{self.answered_by.lower()}" if self.answered_by else None


MESSAGE_KINDS: dict[str, MessageKind] = {}


def declare(key: str, *, answered_by: str | None = None) -> MessageKind:
    """Register a kind of unasked message; each is declared once, by its composer."""
    if key in MESSAGE_KINDS:
        raise ValueError(f"{key} is declared twice")
    kind = MESSAGE_KINDS[key] = MessageKind(key, answered_by)
    return kind
