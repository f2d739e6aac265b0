"""What the staff blueprints take from the app the composition root built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast

from flask import current_app
from sqlalchemy.orm import Session, sessionmaker


def sessions() -> sessionmaker[Session]:
    return cast(sessionmaker[Session], current_app.extensions["doorstep.sessions"])


def clock() -> Callable[[], datetime]:
    return cast(Callable[[], datetime], current_app.extensions["doorstep.clock"])
