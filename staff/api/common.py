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
from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import abort, g, request
from marshmallow import EXCLUDE, RAISE, fields, validate
from marshmallow.fields import Field
from sqlalchemy.exc import IntegrityError

from models.staff import role_allows
from staff.context import zone
from staff.lookup import LARGEST_ID

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_PAGE, LARGEST_PAGE = 50, 200
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
    escape as a 500. So a body is never optional, and the document says so,
    unless the operation says ``optional=True`` (sending a broadcast: no body
    means "now"): then a request with no body at all reads as ``{}``, one with a
    body must still be one JSON object, and the document says it may be left out.
    """

    def __init__(self, name: str, import_name: str, *, url_prefix: str) -> None:
        super().__init__(name, import_name, tag=name.replace("_", " "), url_prefix=url_prefix)

    def input(
        self,
        schema: Any,
        location: str = "json",
        *args: Any,
        optional: bool = False,
        **kwargs: Any,
    ) -> Callable[[DecoratedType], DecoratedType]:
        parse = super().input(schema, location, *args, **kwargs)
        if location != "json":
            return parse
        if optional:
            BODIES_LEFT_OUT.add(getattr(schema, "__name__", type(schema).__name__))

        def decorate(view: DecoratedType) -> DecoratedType:
            parsed = parse(view)

            @wraps(parsed)
            def one_object_first(*args: Any, **kwargs: Any) -> Any:
                if not optional or request.get_data():
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


class Words(Text):
    """Text that must say something: a zero-width space alone is as empty as nothing."""

    default_error_messages = {"empty": "must not be empty"}

    def __init__(self, *, longest: int, **kwargs: Any) -> None:
        super().__init__(longest=longest, empty=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not any(ch.isprintable() and not ch.isspace() for ch in text):
            raise self.make_error("empty")
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


def page_of(item: type[Schema], *, name: str = "") -> type[Schema]:
    """The answer to a paged list: ``{items, total, limit, offset}``, named ``<Item>Page``
    unless the document has long called it otherwise (``InboxPage``)."""
    page = Representation.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "total": fields.Integer(metadata={"description": "all that match"}),
            "limit": fields.Integer(),
            "offset": fields.Integer(),
        },
        name=name or f"{item.__name__}Page",
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


def paged(items: list[Any], *, total: int, limit: int, offset: int) -> dict[str, Any]:
    """A page of a list: what ``page_of`` describes (items as the item schema reads them)."""
    return {"items": items, "total": total, "limit": limit, "offset": offset}


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


class AreaRef(Representation):
    """An area named inside another representation (a tenant's, a walk's)."""

    id = fields.Integer()
    name = fields.String()


class TenantRef(Representation):
    """A tenant named inside another representation; ``name`` is null until they give one."""

    id = fields.Integer()
    name = fields.String(allow_none=True)


class TrueOrFalse(fields.Boolean):
    """A JSON true or false in a body, nothing else: ``"yes"`` or ``1`` is a mistake, not a yes."""

    default_error_messages = {"invalid": "must be true or false", "null": "must be true or false"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class QueryFlag(fields.Boolean):
    """A true/false query filter (``unverified=true``): true, false, 1 or 0, in any case."""

    default_error_messages = {"invalid": "must be true or false"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        given = value.lower() if isinstance(value, str) else value
        if given not in ("true", "false", "1", "0"):
            raise self.make_error("invalid")
        return given in ("true", "1")


class QueryId(fields.Integer):
    """A record's id given as a query filter (``area_id=3``): 1 to ``LARGEST_ID``."""

    def __init__(self, **kwargs: Any) -> None:
        refusal = f"must be a whole number from 1 to {LARGEST_ID}"
        super().__init__(
            validate=validate.Range(1, LARGEST_ID, error=refusal),
            error_messages={"invalid": refusal},
            **kwargs,
        )


class Moment(fields.DateTime):
    """An ISO 8601 date and time, read as UTC when it carries its offset (or Z).

    One without a zone is read as it is, for the view to refuse with 422
    (``utc_or_422``): well formed, but a bare "10:30" is a different moment in
    summer and in winter, so it is refused, not guessed.
    """

    default_error_messages = {
        "invalid": f"must be an ISO 8601 date and time, {TIME_EXAMPLE}",
        "null": f"must be an ISO 8601 date and time, {TIME_EXAMPLE}",
        "unreadable": "{input!r} is not a date and time, " + TIME_EXAMPLE,
        "range": "that time is out of range",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str) or len(value) > LONGEST_TIME:
            raise self.make_error("invalid")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.make_error("unreadable", input=value) from None
        if moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise self.make_error("range") from None


def utc_or_422(moment: datetime, field: str) -> datetime:
    """A ``Moment`` given without its zone: well formed, not acceptable."""
    if moment.tzinfo is None:
        abort(422, f"{field}: say which time zone, with Z or an offset, {TIME_EXAMPLE}")
    return moment


class LocalTime(fields.DateTime):
    """A moment on the landlord's clock, beside its UTC twin, for people to read.

    Only ever sent (``dump_only``), so it may read the same attribute as its twin.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(dump_only=True, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        local = None if value is None else value.astimezone(zone())
        return super()._serialize(local, attr, obj, **kwargs)


BODIES_LEFT_OUT: set[str] = set()
"""The body schemas (by their names in the document) that an operation reads as ``{}``
when no body comes at all: ``Resource.input(..., optional=True)``."""


class Ids(fields.List[int]):
    """Records' ids (each 1 to ``LARGEST_ID``), at most ``most``; one given twice counts once."""

    def __init__(self, *, most: int, **kwargs: Any) -> None:
        refusal = f"must be a list of at most {most} ids"
        each = fields.Integer(
            strict=True,
            validate=validate.Range(1, LARGEST_ID, error="must be an id"),
            error_messages={"invalid": "must be an id", "null": "must be an id"},
        )
        super().__init__(
            each,
            validate=validate.Length(max=most, error=refusal),
            error_messages={"invalid": refusal, "null": refusal},
            **kwargs,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        return list(dict.fromkeys(super()._deserialize(value, attr, data, **kwargs)))


class DictKeysDocumented(BasePlugin):
    """apispec says what a ``fields.Dict`` holds but not what its keys may be; where the key
    field names them (``keys=fields.String(metadata={"enum": [...]})``) the document says
    so as JSON Schema's ``propertyNames``. Added to the app's ``spec_plugins``."""

    def init_spec(self, spec: APISpec) -> None:
        for plugin in spec.plugins:
            if isinstance(plugin, MarshmallowPlugin) and plugin.converter is not None:
                plugin.converter.add_attribute_function(_property_names)  # type: ignore[no-untyped-call]


def _property_names(converter: Any, field: Field[Any], **kwargs: Any) -> dict[str, Any]:
    keys = field.key_field if isinstance(field, fields.Dict) else None
    if keys is None or "enum" not in keys.metadata:
        return {}
    return {"propertyNames": {"enum": list(keys.metadata["enum"])}}
