"""The tenants API's representations: how tenants are searched, added and changed, and shown.

Each class's name is its name in the OpenAPI document. A schema refuses a field
of the wrong shape (400); what it cannot judge alone (a number that cannot be
dialled, an unknown language, role or area: 422; the mystery-shopper role given
by someone who may not see it: 403) the view refuses. The limits are the
columns'.
"""

from __future__ import annotations

from typing import Any, cast

from apiflask import Schema
from marshmallow import fields, pre_dump, validate
from marshmallow.fields import Field

from bot.catalogue import languages
from models.consent import CHOSEN_TOPICS
from models.data_rights import tenant_columns
from models.tenants import Channel, Role
from staff.api.common import (
    AreaRef,
    Body,
    Page,
    QueryFlag,
    QueryId,
    Representation,
    Text,
    TrueOrFalse,
    page_of,
)

LONGEST_NAME, LONGEST_TENANCY, LONGEST_PHONE, LONGEST_SEARCH = 120, 40, 40, 120
ROLES = tuple(role.value for role in Role)
ROLES_REFUSAL = "must be a list of role names"
LANGUAGE_REFUSAL = "must be a language code such as en"
PHONE_REFUSAL = f"must be a phone number of at most {LONGEST_PHONE} characters"
CSV_EXAMPLE = (
    "name,phone,area,tenancy,language,roles\nAnn Example,07700 900123,Templehall,T-1001,en,voices\n"
)


class Searched(fields.String):
    """What staff search by; characters that cannot be printed are dropped, not refused
    (a pasted name may carry them, and PostgreSQL refuses NUL)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return "".join(ch for ch in text if ch.isprintable())


class TenantQuery(Page):
    """Which tenants to list."""

    q = Searched(
        load_default="",
        validate=validate.Length(
            max=LONGEST_SEARCH, error=f"must be at most {LONGEST_SEARCH} characters"
        ),
        metadata={"description": "a name, a phone number in any usual form, or an estate"},
    )
    area_id = QueryId(metadata={"description": "only tenants of this area"})
    unverified = QueryFlag(
        load_default=False,
        metadata={"description": "only tenants who registered by text and wait for staff"},
    )


class TopicChoices(Body):
    """The topics to turn on (true) or off (false); those not given stay as they are."""

    events = TrueOrFalse(metadata={"description": "event invitations and reminders"})
    surveys = TrueOrFalse(metadata={"description": "polls and surveys"})
    news = TrueOrFalse(metadata={"description": "news broadcasts"})
    inspections = TrueOrFalse(metadata={"description": "estate walk notices"})


class TenantChanges(Body):
    """The fields to change; the others stay as they are."""

    name = Text(longest=LONGEST_NAME, empty=False)
    phone = fields.String(
        validate=validate.Length(max=LONGEST_PHONE, error=PHONE_REFUSAL),
        error_messages={"invalid": PHONE_REFUSAL, "null": PHONE_REFUSAL},
        metadata={"description": "any usual UK form; stored as E.164", "example": "07700 900123"},
    )
    area_id = fields.Integer(
        strict=True,
        allow_none=True,
        error_messages={"invalid": "must be an area's id or null"},
        metadata={"minimum": 1, "description": "an area's id (422 when there is none)"},
    )
    tenancy = Text(
        longest=LONGEST_TENANCY,
        allow_none=True,
        metadata={"description": "the tenancy reference; one household shares it"},
    )
    language = fields.String(
        error_messages={"invalid": LANGUAGE_REFUSAL, "null": LANGUAGE_REFUSAL},
        metadata={"enum": list(languages())},
    )
    roles = fields.List(
        fields.String(
            error_messages={"invalid": ROLES_REFUSAL, "null": ROLES_REFUSAL},
            metadata={"enum": list(ROLES)},
        ),
        error_messages={"invalid": ROLES_REFUSAL, "null": ROLES_REFUSAL},
        metadata={
            "uniqueItems": True,
            "description": (
                "only one an admin let see mystery shoppers may give mystery_shopper (403); "
                "anyone else's list leaves it as it was"
            ),
        },
    )
    landline_only = TrueOrFalse()
    verified = TrueOrFalse()
    topics = fields.Nested(
        TopicChoices,
        metadata={
            "description": "what the tenant gets, as they would say STOP EVENTS or START "
            "EVENTS; each change is in the consent log and the audit log"
        },
    )


class NewTenant(TenantChanges):
    """A new tenant: a name and a phone number at least; staff vouch for them, so verified."""

    class Meta(TenantChanges.Meta):
        exclude = ("verified",)

    name = Text(longest=LONGEST_NAME, empty=False, required=True)
    phone = fields.String(
        required=True,
        validate=validate.Length(max=LONGEST_PHONE, error=PHONE_REFUSAL),
        error_messages={"invalid": PHONE_REFUSAL, "null": PHONE_REFUSAL},
        metadata={"description": "any usual UK form; stored as E.164", "example": "07700 900123"},
    )
    landline_only = TrueOrFalse(metadata={"default": False})


class ChannelIdentity(Representation):
    """One address the tenant can be reached at."""

    channel = fields.String(metadata={"enum": [channel.value for channel in Channel]})
    address = fields.String(
        metadata={"description": "an E.164 number (SMS, calls) or a Telegram chat id"}
    )
    reachable = fields.Boolean()


class Tenant(Representation):
    """A tenant as shown: read from ``{"tenant": <models.tenants.Tenant>, "area", "roles",
    "channels"}``, the last three as this token's owner may see them (staff.shoppers)."""

    id = fields.Integer(attribute="tenant.id")
    name = fields.String(attribute="tenant.name", allow_none=True)
    phone = fields.String(
        attribute="tenant.phone", allow_none=True, metadata={"description": "E.164"}
    )
    area = fields.Nested(AreaRef, allow_none=True)
    area_text = fields.String(
        attribute="tenant.area_text",
        allow_none=True,
        metadata={"description": "the estate as the tenant typed it when registering"},
    )
    tenancy = fields.String(attribute="tenant.tenancy", allow_none=True)
    language = fields.String(attribute="tenant.language")
    roles = fields.List(
        fields.String(),
        metadata={
            "description": "mystery_shopper only for a token whose owner an admin let see "
            "mystery shoppers"
        },
    )
    verified = fields.Boolean(attribute="tenant.verified")
    registered = fields.Boolean(attribute="tenant.registered")
    landline_only = fields.Boolean(attribute="tenant.landline_only")
    channels = fields.List(fields.Nested(ChannelIdentity))
    topics = fields.Dict(
        keys=fields.String(metadata={"enum": [str(topic) for topic in CHOSEN_TOPICS]}),
        values=fields.Boolean(),
        metadata={"description": "each topic and whether the tenant gets it (STOP EVENTS...)"},
    )
    created_at = fields.DateTime(attribute="tenant.created_at")


TenantPage = page_of(Tenant)


class Erasure(Representation):
    """What erasing a tenant did: read from ``{"erased": id, "erasure": <Erasure>}``."""

    erased = fields.Integer(metadata={"description": "the tenant's id"})
    deleted = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        attribute="erasure.deleted",
        metadata={"description": "rows deleted, by table"},
    )
    kept_anonymous = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        attribute="erasure.kept_anonymous",
        metadata={"description": "rows kept without the tenant, by table"},
    )


class HeldAboutATenant(Representation):
    """Their row, and each table's rows about them, only the tables that hold some."""

    def on_bind_field(self, field_name: str, field_obj: Field[Any]) -> None:
        field_obj.required = field_name == "tenant"


# Every table that points at a tenant, found as models.data_rights finds them, so a table
# added later is in the document the day it is added.
TenantRecord = cast(
    type[Schema],
    HeldAboutATenant.from_dict(
        {
            "tenant": fields.Dict(metadata={"description": "their row"}),
            **{
                table.name: fields.List(fields.Dict(), metadata={"description": "rows about them"})
                for table, _column in tenant_columns()
            },
        },
        name="TenantRecord",
    ),
)


class RejectedLine(Representation):
    """A line of the CSV that was not kept, and why: read from ``(line, reason)``."""

    line = fields.Integer()
    reason = fields.String()

    @pre_dump
    def from_pair(self, rejected: tuple[int, str], **kwargs: Any) -> dict[str, Any]:
        line, reason = rejected
        return {"line": line, "reason": reason}


class ImportReport(Representation):
    """What happened to each line: read from ``models.tenant_import.ImportReport``."""

    added = fields.List(fields.Integer(), metadata={"description": "line numbers"})
    updated = fields.List(
        fields.Integer(), metadata={"description": "line numbers of tenants something changed for"}
    )
    unchanged = fields.List(
        fields.Integer(),
        metadata={
            "description": "line numbers of tenants the import changed nothing for: a field is "
            "written only when the housing system's value changed since the last import"
        },
    )
    rejected = fields.List(fields.Nested(RejectedLine))
    changed = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": "tenants changed, by field",
            "example": {"language": 2, "area": 1},
        },
    )
    summary = fields.String(
        metadata={"example": "3 added, 2 updated, 5 unchanged, 1 rejected (language: 2, area: 1)"}
    )

    @pre_dump
    def counted_in_order(self, report: Any, **kwargs: Any) -> dict[str, Any]:
        """The per-field counts in the order of the CSV's columns."""
        return {**vars(report), "changed": dict(report.changes), "summary": report.summary}


# The import's body is a file, which no schema reads: the view takes it as it comes.
CSV_UPLOAD = {
    "content": {
        "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
    }
}
