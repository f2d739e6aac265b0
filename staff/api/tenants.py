"""API resource: tenants. Search, read, add and change them, and import the housing CSV.

A tenant added or changed here is one staff vouch for, so it is registered and
verified, with an SMS identity at their phone unless the number is a landline.
A bad request gets 400 when its shape is wrong (not a JSON object, a field of
the wrong type or too long, an unknown field: tenant_schemas says) and 422 when
it is well formed but cannot be accepted (a number that cannot be dialled, an
unknown language, role or area); either way the reason starts with the field's name.

The mystery-shopper role is shown, given and taken only by a token whose owner
an admin let see shoppers (staff.shoppers); anyone else's changes leave it as it was.


"""

from __future__ import annotations

from typing import Any

from flask import abort, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot.catalogue import languages
from bot.presentation import Trait, kind_with
from models.audit import AuditAction
from models.consent import topics_among
from models.data_rights import UnknownTenant, erase_tenant, tenant_record
from models.mystery_shopping import SHOPPER_ROLE
from models.tenant_import import BadImportFile, ImportReport, import_tenants
from models.tenants import (
    PHONE_CHANNELS,
    Area,
    InvalidPhoneNumber,
    Tenant,
    find_identity,
    find_tenant_by_phone,
    keep_phone_identities,
    normalise_phone,
    search_tenants,
)
from participation.topic_choices import change_topics, described
from staff.api import tenant_schemas
from staff.api.common import (
    Created,
    Resource,
    api_role,
    paged,
    path_id,
    race_is_a_conflict,
    refusals,
)
from staff.audit_trail import acting, note
from staff.context import clock, sessions
from staff.lookup import LARGEST_ID, or_404
from staff.shoppers import hidden_roles, may_see_shoppers, roles_kept, roles_shown, shoppers_shown

blueprint = Resource("tenants", __name__, url_prefix="/tenants")

TENANT_ID = path_id("tenant_id")
PHONE_RACE = "phone: that number has just been given to another tenant"


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listTenants", responses=refusals(400))
@api_role("viewer")
@blueprint.input(tenant_schemas.TenantQuery, location="query")
@blueprint.output(tenant_schemas.TenantPage, description="a page of tenants")
def list_tenants(query_data: dict[str, Any]) -> ResponseReturnValue:
    """Tenants by name, then id; filtered and paged"""
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions().begin() as session:
        found, total = search_tenants(
            session,
            text=query_data["q"],
            area_id=query_data.get("area_id"),
            unverified=query_data["unverified"],
            limit=limit,
            offset=offset,
        )
        return paged(_as_seen(session, found), total=total, limit=limit, offset=offset)


@blueprint.get(f"/{TENANT_ID}", endpoint="one")
@blueprint.doc(operation_id="getTenant", responses=refusals(404))
@api_role("viewer")
@blueprint.output(tenant_schemas.Tenant, description="the tenant")
def one_tenant(tenant_id: int) -> ResponseReturnValue:
    """One tenant"""
    with sessions().begin() as session:
        return _as_seen(session, [or_404(session, Tenant, tenant_id, "tenant")])[0]


@blueprint.post("", endpoint="create")
@blueprint.doc(operation_id="createTenant", responses=refusals(400, 403, 409, 413, 422))
@api_role("officer")
@blueprint.input(tenant_schemas.NewTenant)
@blueprint.output(tenant_schemas.Tenant, status_code=201, description="added", headers=Created)
def create_tenant(json_data: dict[str, Any]) -> ResponseReturnValue:
    """Add a tenant (officer); they are registered and verified"""
    now = clock()()
    with race_is_a_conflict(PHONE_RACE), sessions().begin() as session:
        tenant = Tenant(registered=True, verified=True, created_at=now, updated_at=now)
        _apply(session, tenant, json_data)
        session.add(tenant)
        session.flush()
        _apply_topics(session, tenant, json_data)
        created = _as_seen(session, [tenant])[0]
        where = url_for("api.tenants.one", tenant_id=tenant.id)
    return created, 201, {"Location": where}


@blueprint.patch(f"/{TENANT_ID}", endpoint="change")
@blueprint.doc(operation_id="changeTenant", responses=refusals(400, 403, 404, 409, 413, 422))
@api_role("officer")
@blueprint.input(tenant_schemas.TenantChanges)
@blueprint.output(tenant_schemas.Tenant, description="the tenant as now")
def change_tenant(tenant_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
    """Change the fields given (officer); the others stay"""
    with race_is_a_conflict(PHONE_RACE), sessions().begin() as session:
        tenant = or_404(session, Tenant, tenant_id, "tenant")
        _apply(session, tenant, json_data)
        _apply_topics(session, tenant, json_data)
        tenant.updated_at = clock()()
        session.flush()
        return _as_seen(session, [tenant])[0]


@blueprint.get(f"/{TENANT_ID}/record", endpoint="record")
@blueprint.doc(operation_id="getTenantRecord", responses=refusals(403, 404))
@api_role("officer")
@blueprint.output(
    tenant_schemas.TenantRecord, description="their row, then each table's rows about them"
)
def whole_record(tenant_id: int) -> ResponseReturnValue:
    """All held about the tenant, for a subject access request (officer)"""
    with sessions().begin() as session:
        try:
            held = tenant_record(session, tenant_id)
        except UnknownTenant:
            abort(404, "no tenant with that id")
        note(session, AuditAction.TENANT_EXPORTED, tenant_id=tenant_id)
        return held


@blueprint.delete(f"/{TENANT_ID}", endpoint="erase")
@blueprint.doc(operation_id="eraseTenant", responses=refusals(403, 404))
@api_role("admin")
@blueprint.output(tenant_schemas.Erasure, description="what was erased")
def erase(tenant_id: int) -> ResponseReturnValue:
    """Erase the tenant on request (admin)

    Their details, messages, consent and conversation go. Survey answers (check-ins,
    votes, repair surveys) stay as anonymous figures, with any free text blanked; issue
    reports stay without their name.
    """
    with sessions().begin() as session:
        try:
            erasure = erase_tenant(session, tenant_id, now=clock()())
        except UnknownTenant:
            abort(404, "no tenant with that id")
        note(session, AuditAction.TENANT_ERASED, tenant_id=tenant_id)
    return {"erased": tenant_id, "erasure": erasure}


@blueprint.post("/import", endpoint="import")
@blueprint.doc(
    operation_id="importTenants",
    responses=refusals(400, 403, 413, 415, 422),
    extensions={"requestBody": tenant_schemas.CSV_UPLOAD},
)
@api_role("officer")
@blueprint.output(tenant_schemas.ImportReport, description="what happened to each line")
def import_csv() -> ImportReport:
    """Import the housing management system's CSV (officer)

    Columns name, phone, area, tenancy, language, roles (separated by `;`), optional
    telegram_chat_id and landline_only. Tenants are matched on phone, so importing again
    updates and never duplicates. Bad rows are reported by line and the good ones kept.
    """
    data = _uploaded_csv()
    try:
        with sessions().begin() as session:
            report = import_tenants(session, data, languages=languages())
            note(session, AuditAction.TENANTS_IMPORTED, detail=report.summary)
    except BadImportFile as exc:
        abort(422, f"file: {exc}; nothing was kept")
    return report


def _as_seen(session: Session, tenants: list[Tenant]) -> list[dict[str, Any]]:
    """The tenants as this token's owner may see them (what ``Tenant`` reads), loaded while
    the session is open; an audit line for each shopper shown."""
    sees = may_see_shoppers(session)
    roles = {tenant.id: roles_shown(tenant, sees) for tenant in tenants}
    shoppers_shown(
        session, (tenant_id for tenant_id, held in roles.items() if SHOPPER_ROLE in held)
    )
    topics = topics_among(session, [tenant.id for tenant in tenants])
    return [
        {
            "tenant": tenant,
            "area": tenant.area,
            "roles": roles[tenant.id],
            "channels": sorted(tenant.identities, key=lambda identity: identity.id),
            "topics": topics[tenant.id],
        }
        for tenant in tenants
    ]


def _apply(session: Session, tenant: Tenant, changes: dict[str, Any]) -> None:
    """What the schema cannot judge alone; fields not given stay as they are."""
    was_landline = tenant.landline_only
    if "name" in changes:
        tenant.name = changes["name"]
    if "tenancy" in changes:
        tenant.tenancy = changes["tenancy"] or None
    if "landline_only" in changes:
        tenant.landline_only = changes["landline_only"]
    if "verified" in changes:
        tenant.verified = changes["verified"]
    if "language" in changes:
        tenant.language = _language(changes["language"])
    if "roles" in changes:
        tenant.set_roles(_roles_kept(session, tenant, _roles(changes["roles"])))
    if "area_id" in changes:
        tenant.area = _area(session, changes["area_id"])
    if "phone" in changes:
        _change_phone(session, tenant, _phone(changes["phone"]))
    keep_phone_identities(session, tenant, became_mobile=was_landline and not tenant.landline_only)


def _apply_topics(session: Session, tenant: Tenant, changes: dict[str, Any]) -> None:
    """Topics turned on or off for the tenant: the consent log, and an audit line."""
    actor = acting()
    changed = change_topics(
        session,
        tenant.id,
        changes.get("topics", {}),
        source=f"staff {actor.staff_id} by {actor.via}",
        now=actor.at,
    )
    if changed:
        note(session, AuditAction.TOPICS_CHANGED, tenant_id=tenant.id, detail=described(changed))


def _language(code: str) -> str:
    if code not in languages():
        abort(422, f"language: must be one of {', '.join(languages())}")
    return code


def _roles(given: list[str]) -> set[str]:
    unknown = sorted(set(given) - set(tenant_schemas.ROLES))
    if unknown:
        known = ", ".join(tenant_schemas.ROLES)
        abort(422, f"roles: unknown role {unknown[0][:40]!r}; roles are {known}")
    return set(given)


def _roles_kept(session: Session, tenant: Tenant, given: set[str]) -> set[str]:
    """A role the token's owner may not see, they may neither give nor silently take away."""
    sees = may_see_shoppers(session)
    refused = sorted(given & hidden_roles(sees))
    if refused:
        abort(403, f"roles: only staff an admin lets see mystery shoppers may give {refused[0]}")
    return roles_kept(tenant, given, sees)


def _area(session: Session, area_id: int | None) -> Area | None:
    if area_id is None:
        return None
    area = session.get(Area, area_id) if 1 <= area_id <= LARGEST_ID else None
    if area is None:
        abort(422, f"area_id: there is no area {area_id}")
    return area


def _phone(given: str) -> str:
    try:
        return normalise_phone(given)
    except InvalidPhoneNumber as exc:
        abort(422, f"phone: {exc}")


def _change_phone(session: Session, tenant: Tenant, phone: str) -> None:
    """A number is one tenant's; their SMS identity moves with it."""
    if phone == tenant.phone:
        return
    holder = find_tenant_by_phone(session, phone)
    identity = find_identity(session, kind_with(Trait.TYPES, Trait.PHONE), phone)
    owner = holder.id if holder else identity.tenant_id if identity else None
    if owner is not None and owner != tenant.id:
        abort(409, f"phone: {phone} is already the number of tenant {owner}")
    if identity is None:
        for known in tenant.identities:
            if known.channel in PHONE_CHANNELS and known.address == tenant.phone:
                known.address = phone
    tenant.phone = phone


def _uploaded_csv() -> bytes:
    """The CSV as the body (text/csv) or as the multipart field ``file``; else 415."""
    if request.mimetype == "text/csv":
        return request.get_data()
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort(400, "file: send the CSV in the multipart field 'file'")
        return upload.stream.read()
    abort(415, "send the CSV as the body with Content-Type text/csv, or as multipart field 'file'")
