"""What the blueprints take from the app the composition root built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from webhooks.receiving import DatabaseUnavailable, Receiver

F = TypeVar("F", bound=Callable[..., Any])


def receiver() -> Receiver:
    return cast(Receiver, current_app.extensions["doorstep.receiver"])


def sessions() -> sessionmaker[Session]:
    return receiver().session_factory


def clock() -> Callable[[], datetime]:
    return receiver().clock


def unavailable_when_database_is_down(view: F) -> F:
    """503 while the database is away, so Twilio and Telegram send the request again."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except (DatabaseUnavailable, DBAPIError):
            current_app.logger.warning("database unavailable during %s", view.__name__)
            abort(503, "the database is not answering; try again shortly")

    return cast(F, guarded)
