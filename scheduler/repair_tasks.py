"""Due tasks for repair surveys: the day-after survey."""

from __future__ import annotations

from collections.abc import Callable

HANDLERS: dict[str, Callable[..., None]] = {}
