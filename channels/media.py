"""Fetching the files tenants send, from the provider that holds them.

A provider keeps a tenant's file only for a while (Telegram's download links last an
hour; Twilio keeps media until it is deleted), so doorstep fetches each one soon after it
comes and keeps the bytes itself. Each adapter that can fetch is a ``MediaSource``; its
faults are the channel's own (base.py): a ``TemporaryFailure`` is tried again later, a
``PermanentFailure`` means the provider no longer has the file, and ``TooBig`` that it is
more than doorstep keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from channels.base import PermanentFailure


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str | None = None  # as the provider served it, where it said


class TooBig(PermanentFailure):
    """The file is larger than the limit (MEDIA_MAX_BYTES, or the provider's own)."""

    def __init__(self, reason: str, *, size: int | None = None) -> None:
        super().__init__(reason, code="too_big")
        self.size = size


@runtime_checkable
class MediaSource(Protocol):
    def fetch_media(self, source: str, *, max_bytes: int) -> Fetched:
        """The file ``source`` names, if it is at most ``max_bytes`` long."""
        ...
