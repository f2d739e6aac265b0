"""API resource: finished repairs from the housing system, their surveys' results, outcomes.

The housing system registers a repair once it is finished; the tenant is named by id or
phone number, and the job by the system's own reference, so sending the same job again
changes nothing (200 rather than 201). The survey goes the next day in the sending
window. "You said, we did" outcomes are published at once to everyone who answered.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot import repair_steps
from models.repairs import (
    LONGEST_JOB_TYPE,
    LONGEST_OUTCOME,
    LONGEST_REFERENCE,
    MONTH,
    Repair,
    RepairProblem,
    figures,
    normalise_job_type,
)
from models.tenants import InvalidPhoneNumber, Tenant, find_tenant_by_phone, normalise_phone
from staff.api.common import (
    LARGEST_ID,
    api_role,
    json_object,
    moment_field,
    query_text,
    race_is_a_conflict,
    text_field,
)
from staff.context import clock, sessions, settings

blueprint = Blueprint("repairs", __name__)

REPAIR_ID = f"<int(max={LARGEST_ID}):repair_id>"
LONGEST_PHONE = 40
REPAIR_FIELDS = frozenset({"tenant_id", "phone", "job_reference", "job_type", "completed_at"})
OUTCOME_FIELDS = frozenset({"job_type", "first_month", "last_month", "outcome"})
EARLIEST_MONTH = "1900-01"  # the first a month query may name, so a year back stays in range


@blueprint.post("/repairs", endpoint="register")
@api_role("officer")
def register_repair() -> ResponseReturnValue:
    body = json_object(allowed=REPAIR_FIELDS)
    for field in ("job_reference", "job_type", "completed_at"):
        if field not in body:
            abort(400, f"{field}: is required")
    reference = text_field(body, "job_reference", longest=LONGEST_REFERENCE)
    job_type = text_field(body, "job_type", longest=LONGEST_JOB_TYPE)
    completed_at = moment_field(body["completed_at"], "completed_at")
    with (
        race_is_a_conflict("that job_reference was registered at the same moment"),
        sessions().begin() as session,
    ):
        tenant = _tenant(session, body)
        try:
            repair, new = repair_steps.register(
                session,
                tenant=tenant,
                job_reference=reference,
                job_type=job_type,
                completed_at=completed_at,
                now=clock()(),
                settings=settings(),
            )
        except RepairProblem as problem:
            abort(422, str(problem))
        shown = repair_json(repair)
    location = {"Location": url_for("api.repairs.one", repair_id=shown["id"])}
    return {**shown, "already_registered": not new}, (201 if new else 200), location


@blueprint.get(f"/repairs/{REPAIR_ID}", endpoint="one")
@api_role("viewer")
def one_repair(repair_id: int) -> ResponseReturnValue:
    with sessions()() as session:
        repair = session.get(Repair, repair_id)
        if repair is None:
            abort(404, f"there is no repair {repair_id}")
        return repair_json(repair)


@blueprint.get("/repairs/results", endpoint="results")
@api_role("viewer")
def survey_results() -> ResponseReturnValue:
    first, last = _month_query("first_month"), _month_query("last_month")
    this_month = clock()().astimezone(ZoneInfo(settings().timezone)).strftime("%Y-%m")
    last = last or this_month
    first = first or max(EARLIEST_MONTH, f"{int(last[:4]) - 1:04d}{last[4:]}")
    if first > last:
        abort(400, "first_month: must not come after last_month")
    job_type = _job_type_query()
    with sessions()() as session:
        rows = figures(session, first_month=first, last_month=last, job_type=job_type)
    return {
        "first_month": first,
        "last_month": last,
        "items": [asdict(row) for row in rows],
    }


@blueprint.post("/repairs/outcomes", endpoint="outcome")
@api_role("officer")
def publish_outcome() -> ResponseReturnValue:
    body = json_object(allowed=OUTCOME_FIELDS)
    for field in sorted(OUTCOME_FIELDS):
        if field not in body:
            abort(400, f"{field}: is required")
    values = {
        "job_type": text_field(body, "job_type", longest=LONGEST_JOB_TYPE),
        "first_month": text_field(body, "first_month", longest=7),
        "last_month": text_field(body, "last_month", longest=7),
        "outcome": text_field(body, "outcome", longest=LONGEST_OUTCOME),
    }
    with sessions().begin() as session:
        try:
            outcome, told = repair_steps.write_and_publish(
                session, **values, now=clock()(), settings=settings()
            )
        except RepairProblem as problem:
            abort(422, str(problem))
        shown = {
            "id": outcome.id,
            "job_type": outcome.job_type,
            "first_month": outcome.first_month,
            "last_month": outcome.last_month,
            "outcome": outcome.outcome,
            "published_at": _time(outcome.published_at),
            "told": told,
        }
    return shown, 201


def repair_json(repair: Repair) -> dict[str, Any]:
    return {
        "id": repair.id,
        "tenant_id": repair.tenant_id,
        "job_reference": repair.job_reference,
        "job_type": repair.job_type,
        "completed_at": _time(repair.completed_at),
        "month": repair.month,
        "survey_sent_at": _time(repair.survey_sent_at),
        "answered_at": _time(repair.answered_at),
        "satisfaction": repair.satisfaction,
        "right_first_time": repair.right_first_time,
    }


def _tenant(session: Session, body: dict[str, Any]) -> Tenant:
    """The tenant named by id or phone number, or a 4xx saying which was not found."""
    if ("tenant_id" in body) == ("phone" in body):
        abort(400, "name the tenant by tenant_id or by phone, one of the two")
    if "tenant_id" in body:
        tenant_id = body["tenant_id"]
        if not isinstance(tenant_id, int) or isinstance(tenant_id, bool):
            abort(400, "tenant_id: must be a whole number")
        tenant = session.get(Tenant, tenant_id) if 1 <= tenant_id <= LARGEST_ID else None
        if tenant is None:
            abort(422, f"tenant_id: no tenant has the id {tenant_id}"[:80])
        return tenant
    try:
        phone = normalise_phone(text_field(body, "phone", longest=LONGEST_PHONE))
    except InvalidPhoneNumber as problem:
        abort(422, f"phone: {problem}")
    tenant = find_tenant_by_phone(session, phone)
    if tenant is None:
        abort(422, "phone: no tenant has that phone number")
    return tenant


def _job_type_query() -> str | None:
    """The job type asked for, as stored; None for every type."""
    said = query_text("job_type", longest=LONGEST_JOB_TYPE)
    if not said.strip():
        return None
    try:
        return normalise_job_type(said)
    except RepairProblem as problem:
        abort(400, str(problem))


def _month_query(name: str) -> str | None:
    value = request.args.get(name)
    if value is not None and not MONTH.match(value):
        abort(400, f"{name}: must be a month such as 2026-03")
    return value


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
