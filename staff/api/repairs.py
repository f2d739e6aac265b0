"""API resource: finished repairs from the housing system, their surveys' results, outcomes.

The housing system registers a repair once it is finished; the tenant is named by id or
phone number, and the job by the system's own reference, so sending the same job again
changes nothing (200 rather than 201). The survey goes the next day in the sending
window. "You said, we did" outcomes are published at once to everyone who answered.
"""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from models.repairs import Repair, RepairOutcome, RepairProblem, figures, normalise_job_type
from models.tenants import InvalidPhoneNumber, Tenant, find_tenant_by_phone, normalise_phone
from participation import repair_steps
from staff.api import repair_schemas as schemas
from staff.api.common import (
    Created,
    Resource,
    api_role,
    path_id,
    race_is_a_conflict,
    refusals,
    utc_or_422,
)
from staff.context import clock, sessions, settings, zone
from staff.lookup import LARGEST_ID

blueprint = Resource("repairs", __name__, url_prefix="/repairs")

REPAIR_ID = path_id("repair_id")
EARLIEST_MONTH = "1900-01"  # the first a month query may name, so a year back stays in range
KNOWN_ALREADY: Any = {  # a 200 with the 201's schema: APIFlask describes one
    "description": "already registered: unchanged",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RegisteredRepair"}}},
}


@blueprint.post("", endpoint="register")
@blueprint.doc(
    operation_id="registerRepair",
    responses={200: KNOWN_ALREADY, **refusals(400, 403, 409, 413, 422)},
)
@api_role("officer")
@blueprint.input(schemas.NewRepair)
@blueprint.output(
    schemas.RegisteredRepair, status_code=201, description="registered", headers=Created
)
def register_repair(json_data: dict[str, Any]) -> ResponseReturnValue:
    """Register a finished repair (officer); its survey goes the next day

    Name the tenant by tenant_id or by phone. The job_reference is the housing
    system's own: registering the same job again changes nothing and answers 200
    with already_registered true. 422 for a tenant not found, a time without a
    zone or in the future.
    """
    completed_at = utc_or_422(json_data["completed_at"], "completed_at")
    with (
        race_is_a_conflict("that job_reference was registered at the same moment"),
        sessions().begin() as session,
    ):
        tenant = _tenant(session, json_data)
        try:
            repair, new = repair_steps.register(
                session,
                tenant=tenant,
                job_reference=json_data["job_reference"],
                job_type=json_data["job_type"],
                completed_at=completed_at,
                now=clock()(),
                settings=settings(),
            )
        except RepairProblem as problem:
            abort(422, str(problem))
    registered = {"repair": repair, "already_registered": not new}
    where = {"Location": url_for("api.repairs.one", repair_id=repair.id)}
    return registered, (201 if new else 200), where


@blueprint.get(f"/{REPAIR_ID}", endpoint="one")
@blueprint.doc(operation_id="getRepair", responses=refusals(404))
@api_role("viewer")
@blueprint.output(schemas.Repair, description="the repair")
def one_repair(repair_id: int) -> ResponseReturnValue:
    """One repair and its survey's answers"""
    with sessions()() as session:
        repair = session.get(Repair, repair_id)
        if repair is None:
            abort(404, f"there is no repair {repair_id}")
        return {"repair": repair}


@blueprint.get("/results", endpoint="results")
@blueprint.doc(operation_id="repairSurveyResults", responses=refusals(400))
@api_role("viewer")
@blueprint.input(schemas.RepairResultsQuery, location="query")
@blueprint.output(schemas.RepairResults, description="the results")
def survey_results(query_data: dict[str, Any]) -> ResponseReturnValue:
    """Survey results by job type and month (the last 12 months by default)"""
    last = query_data.get("last_month") or clock()().astimezone(zone()).strftime("%Y-%m")
    first = query_data.get("first_month") or max(
        EARLIEST_MONTH, f"{int(last[:4]) - 1:04d}{last[4:]}"
    )
    if first > last:
        abort(400, "first_month: must not come after last_month")
    job_type = _job_type(query_data.get("job_type", ""))
    with sessions()() as session:
        rows = figures(session, first_month=first, last_month=last, job_type=job_type)
    return {"first_month": first, "last_month": last, "items": rows}


@blueprint.post("/outcomes", endpoint="outcome")
@blueprint.doc(operation_id="publishRepairOutcome", responses=refusals(400, 403, 413, 422))
@api_role("officer")
@blueprint.input(schemas.NewRepairOutcome)
@blueprint.output(schemas.RepairOutcome, status_code=201, description="published")
def publish_outcome(json_data: dict[str, Any]) -> tuple[RepairOutcome, int]:
    """You said, we did (officer): told at once to everyone who answered

    For one job type and a run of months; the tenants who answered a survey for
    those repairs get it in the sending window. 422 for months out of order or
    an empty outcome.
    """
    with sessions().begin() as session:
        try:
            outcome, _ = repair_steps.write_and_publish(
                session, **json_data, now=clock()(), settings=settings()
            )
        except RepairProblem as problem:
            abort(422, str(problem))
    return outcome, 201


def _tenant(session: Session, given: dict[str, Any]) -> Tenant:
    """The tenant named by id or phone number, or a 422 saying which was not found."""
    if "tenant_id" in given:
        tenant_id = given["tenant_id"]
        tenant = session.get(Tenant, tenant_id) if 1 <= tenant_id <= LARGEST_ID else None
        if tenant is None:
            abort(422, f"tenant_id: no tenant has the id {tenant_id}"[:80])
        return tenant
    try:
        phone = normalise_phone(given["phone"])
    except InvalidPhoneNumber as problem:
        abort(422, f"phone: {problem}")
    tenant = find_tenant_by_phone(session, phone)
    if tenant is None:
        abort(422, "phone: no tenant has that phone number")
    return tenant


def _job_type(said: str) -> str | None:
    """The job type asked for, as stored; None for every type."""
    printable = "".join(ch for ch in said if ch.isprintable())
    if not printable.strip():
        return None
    try:
        return normalise_job_type(printable)
    except RepairProblem as problem:
        abort(400, str(problem))
