"""What the staff blueprints take from the app the composition root built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from channels.telegram import TelegramBot


def sessions() -> sessionmaker[Session]:
    return cast(sessionmaker[Session], current_app.extensions["doorstep.sessions"])


def clock() -> Callable[[], datetime]:
    return cast(Callable[[], datetime], current_app.extensions["doorstep.clock"])


def settings() -> Settings:
    """The landlord's name, time zone and sending window, as the bot uses them."""
    return cast(Settings, current_app.extensions["doorstep.settings"])


def zone() -> ZoneInfo:
    """The landlord's time zone, as the settings built it once: pages never build their own."""
    return settings().timezone


def inspection_days() -> tuple[int, int]:
    """Days before a walk that its notice and its reminder go, from the settings."""
    return (
        int(current_app.config["INSPECTION_NOTICE_DAYS"]),
        int(current_app.config["INSPECTION_REMINDER_DAYS"]),
    )


def telegram() -> TelegramBot | None:
    """The Telegram channel the composition root offers staff routes (None: not set up)."""
    offered = cast(Callable[[], TelegramBot | None], current_app.extensions["doorstep.telegram"])
    return offered()
