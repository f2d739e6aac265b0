"""What every API resource shares: role checks, paging, and reading input safely."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, request
from sqlalchemy.exc import IntegrityError

from models.staff import role_allows

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_PAGE, LARGEST_PAGE = 50, 200
LARGEST_ID = 2**31 - 1  # PostgreSQL's integer columns
LONGEST_TIME = 40
TIME_EXAMPLE = "such as 2026-03-10T10:30:00Z or 2026-06-10T10:30:00+01:00"


def api_role(role: str) -> Callable[[F], F]:
    """The token's owner must hold at least this role."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not role_allows(g.api_staff_role, role):
                abort(403, f"this needs the {role} role")
            return view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def page() -> tuple[int, int]:
    """``limit`` and ``offset`` from the query string, within bounds, or a 400 saying why."""
    try:
        limit = int(request.args.get("limit", DEFAULT_PAGE))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        abort(400, "limit and offset must be whole numbers")
    if not 1 <= limit <= LARGEST_PAGE or offset < 0:
        abort(400, f"limit must be 1 to {LARGEST_PAGE} and offset 0 or more")
    return limit, offset


def paged(items: list[dict[str, Any]], *, total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": limit, "offset": offset}


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "send a JSON object")
    return body


def json_object(*, allowed: frozenset[str]) -> dict[str, Any]:
    """The request's JSON object, refusing fields we do not know (a typo should not pass)."""
    try:
        body = json_body()
    except RecursionError:  # nested deeper than the JSON parser will go
        abort(400, "send a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        abort(400, f"{unknown[0][:40]}: unknown field; send only {', '.join(sorted(allowed))}")
    return body


def text_field(body: dict[str, Any], field: str, *, longest: int, lines: bool = False) -> str:
    """Text without control characters (newlines only where ``lines``), trimmed."""
    value = body[field]
    if not isinstance(value, str):
        abort(400, f"{field}: must be text")
    value = value.strip()
    if len(value) > longest:
        abort(400, f"{field}: must be at most {longest} characters")
    if not _storable(value, lines=lines):
        abort(400, f"{field}: must not contain control characters")
    return value


def flag_field(body: dict[str, Any], field: str) -> bool:
    value = body[field]
    if not isinstance(value, bool):
        abort(400, f"{field}: must be true or false")
    return value


def query_text(name: str, *, longest: int) -> str:
    raw = request.args.get(name, "")
    if len(raw) > longest:
        abort(400, f"{name}: must be at most {longest} characters")
    return "".join(ch for ch in raw if ch.isprintable())


def query_id(name: str) -> int | None:
    """An id given as a query filter (``area_id=3``), or None when not given."""
    raw = request.args.get(name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= LARGEST_ID:
        abort(400, f"{name}: must be an id")
    return int(raw)


def query_flag(name: str) -> bool:
    """A true/false query filter (``waiting=true``); false when not given."""
    raw = request.args.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        abort(400, f"{name}: must be true or false")
    return raw in ("true", "1")


def reachable_page() -> tuple[int, int]:
    """``page()``, with an offset the database can count to."""
    limit, offset = page()
    if offset > LARGEST_ID:
        abort(400, f"offset must be at most {LARGEST_ID}")
    return limit, offset


@contextmanager
def race_is_a_conflict(reason: str) -> Iterator[None]:
    """Two requests claiming one unique value at once: the loser hears 409, as it would later."""
    try:
        yield
    except IntegrityError:
        abort(409, reason)


def _storable(text: str, *, lines: bool) -> bool:
    allowed = "\n\r\t" if lines else ""
    return all(unicodedata.category(ch) not in ("Cc", "Cs") or ch in allowed for ch in text)


def moment_field(value: object, field: str) -> datetime:
    """An ISO 8601 date and time with its offset, as UTC; a time without a zone is refused."""
    if not isinstance(value, str) or len(value) > LONGEST_TIME:
        abort(400, f"{field}: must be an ISO 8601 date and time, {TIME_EXAMPLE}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        abort(400, f"{field}: {value[:LONGEST_TIME]!r} is not a date and time, {TIME_EXAMPLE}")
    if moment.tzinfo is None:
        abort(422, f"{field}: say which time zone, with Z or an offset, {TIME_EXAMPLE}")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        abort(400, f"{field}: that time is out of range")
