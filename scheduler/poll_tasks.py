"""Due tasks for polls: reminders and closing."""

from __future__ import annotations

from collections.abc import Callable

HANDLERS: dict[str, Callable[..., None]] = {}
