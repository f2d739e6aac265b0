"""Console pages: the inbox. Messages no conversation could answer, for a person to read.

A reply goes through the outbox on the channel the tenant wrote from, so it is
sent, retried and held for opt-outs like everything else the bot sends. Each item shows
what was sent back to it and by whom, and says so when another officer opened it a
moment ago (models.inbox), so two officers do not answer one tenant unknowingly.
Messages about danger (bot.danger) are marked urgent and listed first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from bot.outbox import CannotReply, queue_staff_reply
from models.console import inbox_item, staff_emails, tenant_names, whole_inbox
from models.inbox import opened, replies_sent, someone_else_answering
from models.media import media_by_message
from models.messages import InboundRecord, InboxState, inbox_items
from models.staff import StaffRole
from staff.auth import require_role
from staff.context import clock, sessions
from staff.lookup import LARGEST_ID
from staff.pages.common import (
    PAGE_SIZE,
    csv_download,
    last_page,
    local_time,
    page_number,
    use_time_filters,
)
from staff.shoppers import answered_broadcasts

blueprint = Blueprint("inbox", __name__, url_prefix="/staff/inbox")
use_time_filters(blueprint)

LONGEST_REPLY = 1000  # Telegram takes this; SMS is held to 2 segments by queue_staff_reply
MINUTES_SHOWN = 60  # how long "opened 12 minutes ago" is said in minutes, then as a time
EXPORT_HEADER = ("received", "tenant", "channel", "message", "state")


class ReplyForm(FlaskForm):
    text = TextAreaField(
        "Your reply",
        validators=[DataRequired("Write a reply first."), Length(max=LONGEST_REPLY)],
    )


class DoneForm(FlaskForm):
    """Only the CSRF token: marking done needs nothing else."""


def chosen_state() -> str:
    return InboxState.DONE if request.args.get("state") == InboxState.DONE else InboxState.OPEN


@dataclass(frozen=True)
class Shown:
    """Which items of a tab to list: replied to by staff or not yet, urgent only."""

    replied: bool | None = None
    urgent: bool | None = None

    @classmethod
    def from_request(cls) -> Shown:
        replied = {"yes": True, "no": False}.get(request.args.get("replied", ""))
        return cls(replied, True if request.args.get("urgent") == "yes" else None)

    def args(self) -> dict[str, str]:
        """The query string that shows this again (for the pager and the tabs)."""
        chosen = {}
        if self.replied is not None:
            chosen["replied"] = "yes" if self.replied else "no"
        if self.urgent:
            chosen["urgent"] = "yes"
        return chosen


@blueprint.app_template_filter("ago")
def how_long_ago(moment: datetime) -> str:
    """How fresh another officer's look is: "3 minutes ago" in the last hour, else the time."""
    minutes = int((clock()() - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < MINUTES_SHOWN:
        return f"{minutes} minute{'' if minutes == 1 else 's'} ago"
    return local_time(moment)


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    return show_inbox(chosen_state(), page_number(), Shown.from_request())


def show_inbox(
    state: str,
    page: int,
    shown: Shown = Shown(),
    *,
    problem: tuple[int, str] | None = None,
    draft: str = "",
) -> str:
    """The list; after a refused reply, with the reason beside that item and the draft kept."""
    with sessions().begin() as db:  # showing a shopper's reply to a broadcast is audited
        items, total = inbox_items(
            db,
            state=state,
            replied=shown.replied,
            urgent=shown.urgent,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        return render_template(
            "pages/inbox.html",
            state=state,
            shown=shown,
            items=items,
            total=total,
            page=page,
            pages=last_page(total),
            reply_form=ReplyForm(formdata=None),
            done_form=DoneForm(formdata=None),
            problem=problem,
            draft=draft,
            **what_was_said(db, items),
        )


def what_was_said(db: Session, items: list[InboundRecord]) -> dict[str, object]:
    """Beside each item: its tenant's name, the broadcast it answers (where this member may
    see it), every reply sent to it, who last opened it, and whether another officer may
    be answering it now; staff by email."""
    now = clock()()
    replies = replies_sent(db, (item.id for item in items))
    return {
        "names": tenant_names(db, (item.tenant_id for item in items)),
        "broadcasts": answered_broadcasts(db, items),
        "replies": replies,
        "replied": {i for i, sent in replies.items() if any(r.sent_by_staff_id for r in sent)},
        "opened": {item.id: (item.opened_by_staff_id, item.opened_at) for item in items},
        "answering": {i.id for i in items if someone_else_answering(i, current_user.id, now)},
        "staff": staff_emails(db),
        "files": media_by_message(db, (item.id for item in items)),
    }


@blueprint.get("/<int:inbound_id>")
@require_role(StaffRole.VIEWER)
def item(inbound_id: int) -> str:
    """One item. Opening it says whether another officer has it open, and (for those who
    may reply) records that this one has now."""
    with sessions().begin() as db:
        found = item_or_404(db, inbound_id)
        said = what_was_said(db, [found])  # who had it open before this member
        if current_user.may(StaffRole.OFFICER):
            opened(found, current_user.id, clock()())
        return render_template(
            "pages/inbox_item.html",
            item=found,
            reply_form=ReplyForm(formdata=None),
            done_form=DoneForm(formdata=None),
            **said,
        )


@blueprint.get("/export.csv")
@require_role(StaffRole.VIEWER)
def export() -> ResponseReturnValue:
    state = chosen_state()
    with sessions()() as db:
        items = list(whole_inbox(db, state))
        names = tenant_names(db, (item.tenant_id for item in items))
    rows = [
        [
            local_time(item.received_at),
            names.get(item.tenant_id or 0) or "",
            item.channel,
            item.body,
            item.inbox,
        ]
        for item in items
    ]
    return csv_download(f"inbox-{state}.csv", EXPORT_HEADER, rows)


def item_or_404(db: Session, inbound_id: int) -> InboundRecord:
    item = inbox_item(db, inbound_id) if inbound_id <= LARGEST_ID else None
    if item is None:
        abort(404, f"There is no inbox message number {inbound_id}.")
    return item


@blueprint.post("/<int:inbound_id>/reply")
@require_role(StaffRole.OFFICER)
def reply(inbound_id: int) -> ResponseReturnValue:
    form = ReplyForm()
    problem: str | None = None
    if form.validate_on_submit():
        try:
            with sessions().begin() as db:
                queue_staff_reply(
                    db,
                    inbound=item_or_404(db, inbound_id),
                    text=form.text.data or "",
                    now=clock()(),
                    staff_id=current_user.id,
                )
        except CannotReply as refused:
            problem = f"Not sent: {refused}."
    else:
        with sessions()() as db:
            item_or_404(db, inbound_id)
        problem = " ".join(form.text.errors) or "Write a reply first."
    if problem is None:
        flash("Your reply is on its way. Mark the message done when you have finished.", "info")
        return redirect(url_for("inbox.index", _anchor=f"item-{inbound_id}"))
    page = show_inbox(InboxState.OPEN, 1, problem=(inbound_id, problem), draft=form.text.data or "")
    return page, 422


@blueprint.post("/<int:inbound_id>/done")
@require_role(StaffRole.OFFICER)
def done(inbound_id: int) -> ResponseReturnValue:
    return move(inbound_id, InboxState.DONE, "Marked done.")


@blueprint.post("/<int:inbound_id>/reopen")
@require_role(StaffRole.OFFICER)
def reopen(inbound_id: int) -> ResponseReturnValue:
    return move(inbound_id, InboxState.OPEN, "Moved back to the open messages.")


def move(inbound_id: int, state: InboxState, said: str) -> ResponseReturnValue:
    if not DoneForm().validate_on_submit():
        abort(400, "The form was incomplete; reload the page and try again.")
    with sessions().begin() as db:
        item = item_or_404(db, inbound_id)
        came_from = item.inbox
        item.inbox = state
    flash(said, "info")
    back = InboxState.DONE if came_from == InboxState.DONE else None
    return redirect(url_for("inbox.index", state=back))
