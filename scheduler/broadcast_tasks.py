"""Due tasks for broadcasts: scheduled sends."""

from __future__ import annotations

from collections.abc import Callable

HANDLERS: dict[str, Callable[..., None]] = {}
