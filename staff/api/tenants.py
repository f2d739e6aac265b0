"""API resource: tenants. Search, read, add and change them, and import the housing CSV.

A tenant added or changed here is one staff vouch for, so it is registered and
verified, with an SMS identity at their phone unless the number is a landline.
A bad request gets 400 when its shape is wrong (not a JSON object, a field of
the wrong type or too long, an unknown field) and 422 when it is well formed
but cannot be accepted (a number that cannot be dialled, an unknown language,
role or area); either way the reason starts with the field's name.

The mystery-shopper role is shown, given and taken only by a token whose owner
an admin let see shoppers (staff.shoppers); anyone else's changes leave it as it was.

The readers at the bottom are shared by the other resources.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, abort, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.catalogue import languages
from models.audit import AuditAction
from models.data_rights import UnknownTenant, erase_tenant, tenant_record
from models.mystery_shopping import SHOPPER_ROLE
from models.tenant_import import BadImportFile, ImportReport, import_tenants
from models.tenants import (
    PHONE_CHANNELS,
    Area,
    Channel,
    InvalidPhoneNumber,
    Role,
    Tenant,
    find_identity,
    find_tenant_by_phone,
    keep_phone_identities,
    normalise_phone,
    search_tenants,
)
from staff.api.common import (
    LARGEST_ID,
    api_role,
    flag_field,
    json_object,
    paged,
    query_flag,
    query_id,
    query_text,
    race_is_a_conflict,
    reachable_page,
    text_field,
)
from staff.audit_trail import note
from staff.context import clock, sessions
from staff.shoppers import hidden_roles, may_see_shoppers, roles_kept, roles_shown, shoppers_shown

blueprint = Blueprint("tenants", __name__, url_prefix="/tenants")

TENANT_ID = f"<int(max={LARGEST_ID}):tenant_id>"
LONGEST_NAME, LONGEST_TENANCY, LONGEST_PHONE, LONGEST_SEARCH = 120, 40, 40, 120
ROLES = tuple(role.value for role in Role)
NEW_TENANT_FIELDS = frozenset(
    {"name", "phone", "area_id", "tenancy", "language", "roles", "landline_only"}
)
TENANT_CHANGE_FIELDS = NEW_TENANT_FIELDS | {"verified"}
PHONE_RACE = "phone: that number has just been given to another tenant"


@blueprint.get("", endpoint="list")
@api_role("viewer")
def list_tenants() -> ResponseReturnValue:
    limit, offset = reachable_page()
    text = query_text("q", longest=LONGEST_SEARCH)
    area_id = query_id("area_id")
    unverified = query_flag("unverified")
    with sessions().begin() as session:
        found, total = search_tenants(
            session, text=text, area_id=area_id, unverified=unverified, limit=limit, offset=offset
        )
        return paged(tenants_json(session, found), total=total, limit=limit, offset=offset)


@blueprint.get(f"/{TENANT_ID}", endpoint="one")
@api_role("viewer")
def one_tenant(tenant_id: int) -> ResponseReturnValue:
    with sessions().begin() as session:
        return tenants_json(session, [tenant_or_404(session, tenant_id)])[0]


@blueprint.post("", endpoint="create")
@api_role("officer")
def create_tenant() -> ResponseReturnValue:
    body = json_object(allowed=NEW_TENANT_FIELDS)
    for field in ("name", "phone"):
        if field not in body:
            abort(400, f"{field}: required")
    now = clock()()
    with race_is_a_conflict(PHONE_RACE), sessions().begin() as session:
        tenant = Tenant(registered=True, verified=True, created_at=now, updated_at=now)
        _apply(session, tenant, body)
        session.add(tenant)
        session.flush()
        created = tenants_json(session, [tenant])[0]
    location = url_for("api.tenants.one", tenant_id=created["id"])
    return created, 201, {"Location": location}


@blueprint.patch(f"/{TENANT_ID}", endpoint="change")
@api_role("officer")
def change_tenant(tenant_id: int) -> ResponseReturnValue:
    body = json_object(allowed=TENANT_CHANGE_FIELDS)
    with race_is_a_conflict(PHONE_RACE), sessions().begin() as session:
        tenant = tenant_or_404(session, tenant_id)
        _apply(session, tenant, body)
        tenant.updated_at = clock()()
        session.flush()
        return tenants_json(session, [tenant])[0]


@blueprint.get(f"/{TENANT_ID}/record", endpoint="record")
@api_role("officer")
def whole_record(tenant_id: int) -> ResponseReturnValue:
    """Everything held about the tenant, for a subject access request."""
    with sessions().begin() as session:
        try:
            held = tenant_record(session, tenant_id)
        except UnknownTenant:
            abort(404, "no tenant with that id")
        note(session, AuditAction.TENANT_EXPORTED, tenant_id=tenant_id)
        return held


@blueprint.delete(f"/{TENANT_ID}", endpoint="erase")
@api_role("admin")
def erase(tenant_id: int) -> ResponseReturnValue:
    """Erase the tenant on request; their survey answers stay as anonymous figures."""
    with sessions().begin() as session:
        try:
            erasure = erase_tenant(session, tenant_id, now=clock()())
        except UnknownTenant:
            abort(404, "no tenant with that id")
        note(session, AuditAction.TENANT_ERASED, tenant_id=tenant_id)
    return {"erased": tenant_id, **asdict(erasure)}


@blueprint.post("/import", endpoint="import")
@api_role("officer")
def import_csv() -> ResponseReturnValue:
    data = _uploaded_csv()
    try:
        with sessions().begin() as session:
            report = import_tenants(session, data, languages=languages())
            note(session, AuditAction.TENANTS_IMPORTED, detail=report.summary)
    except BadImportFile as exc:
        abort(422, f"file: {exc}; nothing was kept")
    return import_report_json(report)


def tenants_json(session: Session, tenants: list[Tenant]) -> list[dict[str, Any]]:
    """The tenants as this token's owner may see them; an audit line for each shopper shown."""
    sees = may_see_shoppers(session)
    shown = [tenant_json(tenant, roles_shown(tenant, sees)) for tenant in tenants]
    shoppers_shown(session, (tenant["id"] for tenant in shown if SHOPPER_ROLE in tenant["roles"]))
    return shown


def tenant_json(tenant: Tenant, roles: list[str]) -> dict[str, Any]:
    area = tenant.area
    return {
        "id": tenant.id,
        "name": tenant.name,
        "phone": tenant.phone,
        "area": {"id": area.id, "name": area.name} if area else None,
        "area_text": tenant.area_text,
        "tenancy": tenant.tenancy,
        "language": tenant.language,
        "roles": roles,
        "verified": tenant.verified,
        "registered": tenant.registered,
        "landline_only": tenant.landline_only,
        "channels": [
            {"channel": i.channel, "address": i.address, "reachable": i.reachable}
            for i in sorted(tenant.identities, key=lambda identity: identity.id)
        ],
        "created_at": tenant.created_at.isoformat(),
    }


def import_report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "added": report.added,
        "updated": report.updated,
        "rejected": [{"line": line, "reason": reason} for line, reason in report.rejected],
        "summary": report.summary,
    }


def tenant_or_404(session: Session, tenant_id: int) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        abort(404, f"there is no tenant {tenant_id}")
    return tenant


def _apply(session: Session, tenant: Tenant, body: dict[str, Any]) -> None:
    """Every field given, checked; fields not given stay as they are."""
    was_landline = tenant.landline_only
    if "name" in body:
        tenant.name = _name(body)
    if "tenancy" in body:
        tenant.tenancy = _optional_text(body, "tenancy", longest=LONGEST_TENANCY)
    if "landline_only" in body:
        tenant.landline_only = flag_field(body, "landline_only")
    if "verified" in body:
        tenant.verified = flag_field(body, "verified")
    if "language" in body:
        tenant.language = _language(body["language"])
    if "roles" in body:
        tenant.set_roles(_roles_kept(session, tenant, _roles(body["roles"])))
    if "area_id" in body:
        tenant.area = _area(session, body["area_id"])
    if "phone" in body:
        _change_phone(session, tenant, _phone(body["phone"]))
    keep_phone_identities(session, tenant, became_mobile=was_landline and not tenant.landline_only)


def _name(body: dict[str, Any]) -> str:
    name = text_field(body, "name", longest=LONGEST_NAME)
    if not name:
        abort(400, "name: must not be empty")
    return name


def _optional_text(body: dict[str, Any], field: str, *, longest: int) -> str | None:
    if body[field] is None:
        return None
    return text_field(body, field, longest=longest) or None


def _language(value: object) -> str:
    if not isinstance(value, str):
        abort(400, "language: must be a language code such as en")
    if value not in languages():
        abort(422, f"language: must be one of {', '.join(languages())}")
    return value


def _roles(value: object) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(role, str) for role in value):
        abort(400, "roles: must be a list of role names")
    unknown = sorted(set(value) - set(ROLES))
    if unknown:
        abort(422, f"roles: unknown role {unknown[0][:40]!r}; roles are {', '.join(ROLES)}")
    return set(value)


def _roles_kept(session: Session, tenant: Tenant, given: set[str]) -> set[str]:
    """A role the token's owner may not see, they may neither give nor silently take away."""
    sees = may_see_shoppers(session)
    refused = sorted(given & hidden_roles(sees))
    if refused:
        abort(403, f"roles: only staff an admin lets see mystery shoppers may give {refused[0]}")
    return roles_kept(tenant, given, sees)


def _area(session: Session, value: object) -> Area | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        abort(400, "area_id: must be an area's id or null")
    area = session.get(Area, value) if 1 <= value <= LARGEST_ID else None
    if area is None:
        abort(422, f"area_id: there is no area {value}")
    return area


def _phone(value: object) -> str:
    if not isinstance(value, str) or len(value) > LONGEST_PHONE:
        abort(400, f"phone: must be a phone number of at most {LONGEST_PHONE} characters")
    try:
        return normalise_phone(value)
    except InvalidPhoneNumber as exc:
        abort(422, f"phone: {exc}")


def _change_phone(session: Session, tenant: Tenant, phone: str) -> None:
    """A number is one tenant's; their SMS identity moves with it."""
    if phone == tenant.phone:
        return
    holder = find_tenant_by_phone(session, phone)
    identity = find_identity(session, Channel.SMS, phone)
    owner = holder.id if holder else identity.tenant_id if identity else None
    if owner is not None and owner != tenant.id:
        abort(409, f"phone: {phone} is already the number of tenant {owner}")
    if identity is None:
        for known in tenant.identities:
            if known.channel in PHONE_CHANNELS and known.address == tenant.phone:
                known.address = phone
    tenant.phone = phone


def _uploaded_csv() -> bytes:
    if request.mimetype == "text/csv":
        return request.get_data()
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort(400, "file: send the CSV in the multipart field 'file'")
        return upload.stream.read()
    abort(415, "send the CSV as the body with Content-Type text/csv, or as multipart field 'file'")
