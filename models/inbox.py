"""The staff inbox's own record: what was sent back to each item, and who has it open.

Two officers must not answer one tenant unknowingly. So each item keeps who last opened
it and when, and shows every reply sent to it: a staff member's, and the bot's own
thanks, so staff read what the tenant was already told. An item is "replied" when a
staff member has replied to it (models.messages.staff_replied), whatever its tab.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.inspections import IssueReport
from models.messages import InboundRecord, InboxState, OutboundRecord

STILL_ANSWERING = timedelta(minutes=30)  # someone who opened an item this recently may be typing


def replies_sent(session: Session, inbound_ids: Iterable[int]) -> dict[int, list[OutboundRecord]]:
    """Each item's replies, oldest first, by the id of the message they answer."""
    wanted = sorted(set(inbound_ids))
    found: dict[int, list[OutboundRecord]] = {inbound_id: [] for inbound_id in wanted}
    if not wanted:
        return found
    replies = session.scalars(
        select(OutboundRecord)
        .where(OutboundRecord.in_reply_to.in_(wanted))
        .order_by(OutboundRecord.created_at, OutboundRecord.id)
    )
    for reply in replies:
        found[reply.in_reply_to or 0].append(reply)
    return found


def opened(item: InboundRecord, staff_id: int, now: datetime) -> None:
    item.opened_by_staff_id, item.opened_at = staff_id, now


def someone_else_answering(item: InboundRecord, staff_id: int, now: datetime) -> bool:
    """Another staff member opened this item lately, so may be writing to the tenant now."""
    if item.opened_by_staff_id in (None, staff_id) or item.opened_at is None:
        return False
    return now - item.opened_at <= STILL_ANSWERING


def urgent_waiting(session: Session) -> int:
    """Open inbox items that sound dangerous."""
    query = select(func.count(InboundRecord.id)).where(
        InboundRecord.inbox == InboxState.OPEN, InboundRecord.urgent
    )
    return int(session.scalar(query) or 0)


def urgent_reports(session: Session, *, limit: int) -> tuple[list[IssueReport], int]:
    """Reports that sound dangerous and no walk has dealt with yet, the latest first."""
    waiting = (IssueReport.urgent, IssueReport.finding_id.is_(None))
    total = int(session.scalar(select(func.count(IssueReport.id)).where(*waiting)) or 0)
    found = session.scalars(
        select(IssueReport)
        .where(*waiting)
        .order_by(IssueReport.created_at.desc(), IssueReport.id.desc())
        .limit(limit)
    )
    return list(found), total
