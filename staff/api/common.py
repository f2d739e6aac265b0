"""What every API resource shares: role checks, paging and reading a JSON body."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, g, request

from models.staff import role_allows

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_PAGE, LARGEST_PAGE = 50, 200


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
