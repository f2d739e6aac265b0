"""API resource: the issue reports tenants make for their area's next estate inspection.

Tenants make them by text, Telegram or call (bot.flows.report_issue); staff read them
here before the walk, and a walk's findings answer them (staff.api.inspections).
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from models.audit import AuditAction
from models.inspections import IssueReport
from models.on_behalf import OnBehalfError
from models.tenants import Tenant
from participation import on_behalf
from staff.api import inspection_schemas as schemas
from staff.api import on_behalf_schemas
from staff.api.common import Created, Resource, api_role, paged, path_id, refusals
from staff.audit_trail import note
from staff.context import clock, sessions
from staff.lookup import LARGEST_ID

blueprint = Resource("issue_reports", __name__, url_prefix="/issue-reports")

REPORT_ID = path_id("report_id")


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listIssueReports", responses=refusals(400))
@api_role("viewer")
@blueprint.input(schemas.IssueReportFilters, location="query")
@blueprint.output(schemas.IssueReportPage, description="a page of reports")
def list_issue_reports(query_data: dict[str, Any]) -> ResponseReturnValue:
    """Tenants' issue reports, newest first; filtered and paged"""
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions()() as session:
        found, total = _issue_reports_page(
            session,
            area_id=query_data.get("area_id"),
            inspection_id=query_data.get("inspection_id"),
            waiting=query_data["waiting"],
            limit=limit,
            offset=offset,
        )
    return paged(found, total=total, limit=limit, offset=offset)


@blueprint.post("", endpoint="create")
@blueprint.doc(operation_id="recordIssueReport", responses=refusals(400, 403, 413, 422))
@api_role("officer")
@blueprint.input(on_behalf_schemas.NewIssueReportForTenant)
@blueprint.output(schemas.IssueReport, status_code=201, description="recorded", headers=Created)
def report_for_tenant(json_data: dict[str, Any]) -> tuple[IssueReport, int, dict[str, str]]:
    """Record an estate issue a tenant told staff by phone, on paper or in person (officer)

    It is kept as the tenant's own report, for their area's next walk, marked with how
    it came and who entered it. 422 for a tenant who does not exist.
    """
    with sessions().begin() as session:
        tenant_id = json_data["tenant_id"]
        tenant = session.get(Tenant, tenant_id) if 1 <= tenant_id <= LARGEST_ID else None
        if tenant is None:
            abort(422, f"tenant_id: there is no tenant {tenant_id}")
        try:
            report = on_behalf.report_for_tenant(
                session,
                tenant,
                category=json_data["category"],
                location=json_data["location"],
                description=json_data["description"],
                source=json_data["source"],
                staff_id=g.api_staff_id,
                now=clock()(),
            )
        except OnBehalfError as refused:
            abort(422, str(refused))
        said = f"issue report {report.reference}: {report.channel}"
        note(session, AuditAction.ENTERED_FOR_TENANT, tenant_id=tenant.id, detail=said)
        session.flush()
        session.refresh(report)  # its tenant and files, for the answer
        where = url_for("api.issue_reports.one", report_id=report.id)
    return report, 201, {"Location": where}


@blueprint.get(f"/{REPORT_ID}", endpoint="one")
@blueprint.doc(operation_id="getIssueReport", responses=refusals(404))
@api_role("viewer")
@blueprint.output(schemas.IssueReport, description="the report")
def one_issue_report(report_id: int) -> IssueReport:
    """One issue report"""
    with sessions()() as session:
        report = session.get(IssueReport, report_id)
        if report is None:
            abort(404, f"there is no issue report {report_id}")
        return report


def _issue_reports_page(
    session: Session,
    *,
    area_id: int | None,
    inspection_id: int | None,
    waiting: bool,
    limit: int,
    offset: int,
) -> tuple[list[IssueReport], int]:
    """Newest first; ``waiting`` keeps those no walk has taken yet."""
    where: list[ColumnElement[bool]] = []
    if area_id is not None:
        where.append(IssueReport.area_id == area_id)
    if inspection_id is not None:
        where.append(IssueReport.inspection_id == inspection_id)
    if waiting:
        where.append(IssueReport.inspection_id.is_(None))
    total = session.scalar(select(func.count(IssueReport.id)).where(*where)) or 0
    found = session.scalars(
        select(IssueReport)
        .where(*where)
        .order_by(IssueReport.created_at.desc(), IssueReport.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(found), total
