"""What every API resource shares: role checks, paging, and reading input safely.

Two generations live here while the resources move to schemas (see the package's
docstring): the schema building blocks (``Resource``, ``Body``, ``Query``,
``Representation``, ``Page``, ``page_of``, the fields, ``refusals``) and the hand
validators (``json_object``, ``text_field``, ``page``, ...) that the resources not yet
migrated still call. A hand validator goes when its last caller does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar, cast

from apiflask import APIBlueprint, Schema
from apiflask.types import DecoratedType
from flask import abort, g, request
from marshmallow import EXCLUDE, RAISE, fields, validate
from marshmallow.fields import Field
from sqlalchemy.exc import IntegrityError

from models.staff import role_allows

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_PAGE, LARGEST_PAGE = 50, 200
LARGEST_ID = 2**31 - 1  # PostgreSQL's integer columns
LONGEST_TIME = 40
TIME_EXAMPLE = "such as 2026-03-10T10:30:00Z or 2026-06-10T10:30:00+01:00"
NOT_AN_OBJECT = "send a JSON object"
REFUSALS = {
    400: "the request is malformed; the reason names the field",
    401: "no API token, or one that is not valid or was revoked",
    403: "the token's owner does not hold the role this needs",
    404: "there is no such record",
    409: "it clashes with what is stored (a name taken, a state that does not allow it)",
    413: "the request is over 1 MB",
    415: "the body is not of a type this accepts",
    422: "well formed, but not acceptable; the reason says why",
}


def path_id(name: str) -> str:
    """A record's id in a URL rule: a positive number that fits the id columns (else 404).

    The document describes every path variable in the API as such an id.
    """
    return f"<int(min=1, max={LARGEST_ID}):{name}>"


class Resource(APIBlueprint):
    """An API resource's blueprint, tagged with its name in the document.

    A JSON body must be one JSON object before its schema reads it: webargs reads
    a body that is not JSON (or is empty) as ``{}``, which a PATCH would accept as
    "change nothing", and lets JSON nested deeper than Python's parser goes
    escape as a 500. So a body is never optional, and the document says so; the
    one operation whose body may be left out (sending a broadcast) will need a
    way to say otherwise here when it migrates.
    """

    def __init__(self, name: str, import_name: str, *, url_prefix: str) -> None:
        super().__init__(name, import_name, tag=name.replace("_", " "), url_prefix=url_prefix)

    def input(
        self, schema: Any, location: str = "json", *args: Any, **kwargs: Any
    ) -> Callable[[DecoratedType], DecoratedType]:
        parse = super().input(schema, location, *args, **kwargs)
        if location != "json":
            return parse

        def decorate(view: DecoratedType) -> DecoratedType:
            parsed = parse(view)

            @wraps(parsed)
            def one_object_first(*args: Any, **kwargs: Any) -> Any:
                _json_object_or_400()
                return parsed(*args, **kwargs)

            return cast(DecoratedType, one_object_first)

        return decorate


def _json_object_or_400() -> None:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser will go
        abort(400, NOT_AN_OBJECT)
    if not isinstance(body, dict):
        abort(400, NOT_AN_OBJECT)


def refusals(*codes: int) -> dict[int, str]:
    """``@bp.doc(responses=...)`` for the errors an operation can give; every one needs a token.

    Each comes as ``{"error": reason, "status": code}`` (the ``Error`` schema).
    """
    return {code: REFUSALS[code] for code in sorted({401, *codes})}


class Body(Schema):
    """A request body: a JSON object whose every field we know (a typo should not pass)."""

    class Meta:
        unknown = RAISE

    error_messages = {"type": NOT_AN_OBJECT}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        known = ", ".join(sorted(self.fields))
        self.error_messages["unknown"] = f"unknown field; send only {known}"

    def on_bind_field(self, field_name: str, field_obj: Field[Any]) -> None:
        field_obj.error_messages = {**field_obj.error_messages, "required": "required"}


class Query(Schema):
    """Query arguments; ones we do not know are ignored, as they always were."""

    class Meta:
        unknown = EXCLUDE


class Representation(Schema):
    """What the API answers with: every field is always there (null where the schema says)."""

    def on_bind_field(self, field_name: str, field_obj: Field[Any]) -> None:
        field_obj.required = True  # for the document: marshmallow checks it only on load


class Error(Representation):
    """Every refusal: ``{"error": reason, "status": code}``."""

    error = fields.String(metadata={"description": "the reason, for a person"})
    status = fields.Integer(metadata={"description": "the HTTP status"})


class Created(Schema):
    """The headers of a 201."""

    location = fields.String(
        data_key="Location", required=True, metadata={"description": "where to read it"}
    )


class Count(fields.Integer):
    """A whole number from 0 to ``most`` (a JSON number, not text or true/false)."""

    def __init__(self, *, most: int, **kwargs: Any) -> None:
        refusal = f"must be a whole number from 0 to {most}"
        super().__init__(
            strict=True,
            validate=validate.Range(0, most, error=refusal),
            error_messages={"invalid": refusal, "null": refusal},
            **kwargs,
        )


class Text(fields.String):
    """Text trimmed at its ends, without control characters (newlines only where ``lines``)."""

    default_error_messages = {
        "invalid": "must be text",
        "null": "must be text",
        "control": "must not contain control characters",
    }

    def __init__(
        self, *, longest: int, lines: bool = False, empty: bool = True, **kwargs: Any
    ) -> None:
        limits = [validate.Length(max=longest, error=f"must be at most {longest} characters")]
        if not empty:
            limits.append(validate.Length(min=1, error="must not be empty"))
        super().__init__(validate=limits, **kwargs)
        self.lines = lines

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not _storable(text, lines=self.lines):
            raise self.make_error("control")
        return text


class Page(Query):
    """``limit`` and ``offset``: which part of a long list to answer with."""

    limit = fields.Integer(
        load_default=DEFAULT_PAGE,
        validate=validate.Range(1, LARGEST_PAGE, error=f"must be 1 to {LARGEST_PAGE}"),
        error_messages={"invalid": "must be a whole number"},
        metadata={"description": "how many to return"},
    )
    offset = fields.Integer(
        load_default=0,
        validate=validate.Range(0, LARGEST_ID, error=f"must be 0 to {LARGEST_ID}"),
        error_messages={"invalid": "must be a whole number"},
        metadata={"description": "how many to skip"},
    )


def page_of(item: type[Schema]) -> type[Schema]:
    """The answer to a paged list: ``{items, total, limit, offset}``, named ``<Item>Page``."""
    page = Representation.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "total": fields.Integer(metadata={"description": "all that match"}),
            "limit": fields.Integer(),
            "offset": fields.Integer(),
        },
        name=f"{item.__name__}Page",
    )
    return cast(type[Schema], page)


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


def paged(items: list[Any], *, total: int, limit: int, offset: int) -> dict[str, Any]:
    """A page of a list: what ``page_of`` describes (items as the item schema reads them)."""
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
