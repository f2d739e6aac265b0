"""Console pages: polls. Publish a poll to an audience, watch the results and the coverage
by area come in, enter paper and phone answers, remind an area that is quiet, close it,
and publish what was done ("you said, we did").

Every step tenants hear about goes through participation.poll_steps, so their messages are queued
in the same transaction as the change, exactly as when the API does it.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from bot import catalogue
from models.audiences import Audience
from models.console import all_areas
from models.polls import (
    Poll,
    PollError,
    coverage,
    non_voters,
    participants_count,
    polls_page,
    results,
)
from models.staff import StaffRole
from models.tenants import Area
from participation import poll_steps
from staff.auth import require_role
from staff.context import clock, sessions, settings, zone
from staff.lookup import or_404
from staff.pages.audiences import describe
from staff.pages.common import PAGE_SIZE, last_page, page_number, use_time_filters
from staff.pages.inspection_forms import ConfirmForm
from staff.pages.poll_forms import (
    OutcomeForm,
    PaperVoteForm,
    PollForm,
    other_languages,
    outcome_form_class,
    poll_form_class,
)
from staff.pages.poll_lookup import tenant_named
from staff.shoppers import WHY_WITHHELD, answerers_withheld, may_see_shoppers

blueprint = Blueprint("polls", __name__, url_prefix="/staff/polls")
use_time_filters(blueprint)

NOT_YOURS_TO_ENTER = f"You cannot enter a paper or phone answer here: {WHY_WITHHELD}."


@blueprint.get("/")
@require_role(StaffRole.VIEWER)
def index() -> str:
    page = page_number()
    with sessions()() as db:
        polls, total = polls_page(db, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return render_template(
            "pages/polls.html", polls=polls, page=page, pages=last_page(total), now=clock()()
        )


def offer_choices(form: PollForm, db: Session) -> None:
    form.areas.choices = [SelectChoice(area.id, area.name) for area in all_areas(db)]
    form.roles.offer(may_see_shoppers(db))


@blueprint.route("/new", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def add() -> ResponseReturnValue:
    now = clock()()
    with sessions().begin() as db:
        form = poll_form_class()()
        offer_choices(form, db)
        closes_at = form.closes_at(zone()) if form.validate_on_submit() else None
        translations = form.translations() if closes_at is not None else None
        if closes_at is None or translations is None:
            return _poll_form(form), (422 if request.method == "POST" else 200)
        try:
            poll = poll_steps.publish(
                db,
                question=form.question.data or "",
                options=form.option_labels(),
                translations=translations,
                audience=Audience(
                    everyone=bool(form.everyone.data),
                    area_ids=frozenset(form.areas.data or ()),
                    roles=frozenset(form.roles.data or ()),
                ),
                closes_at=closes_at,
                per_household=bool(form.per_household.data),
                call_landlines=bool(form.call_landlines.data),
                reminder_days=form.reminder_days.data or 0,
                staff_id=current_user.id,
                now=now,
                settings=settings(),
            )
        except PollError as refused:
            form.question.errors = [*form.question.errors, _sentence(refused)]
            return _poll_form(form), 422
        poll_id, invited = poll.id, poll.invited
    flash(f"Published the poll. {invited} tenants are invited to vote.", "info")
    return redirect(url_for("polls.show", poll_id=poll_id))


def _poll_form(form: PollForm) -> str:
    return render_template(
        "pages/poll_form.html",
        form=form,
        zone=zone().key,
        languages=other_languages(),
    )


def render_poll(
    db: Session,
    poll: Poll,
    *,
    vote_form: PaperVoteForm | None = None,
    outcome_form: OutcomeForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    vote_form = vote_form or PaperVoteForm(formdata=None)
    vote_form.choice.choices = [SelectChoice(n, label) for n, label in enumerate(poll.options)]
    counted = results(db, poll)
    areas = {area.id: area.name for area in all_areas(db)}
    page = render_template(
        "pages/poll.html",
        poll=poll,
        audience=describe(poll.chosen_audience, areas, sees_shoppers=may_see_shoppers(db)),
        results=counted,
        votes=sum(option.votes for option in counted),
        coverage=coverage(db, poll),
        took_part=participants_count(db, poll.id),
        open=poll.open_at(clock()()),
        vote_form=vote_form,
        outcome_form=outcome_form or outcome_form_class()(formdata=None),
        languages=dict(catalogue.language_names()),
        confirm=ConfirmForm(formdata=None),
        not_yours_to_enter=NOT_YOURS_TO_ENTER if _not_yours(db, poll) else None,
    )
    return page, status


def _not_yours(db: Session, poll: Poll) -> bool:
    """Whether this member may not vote for a tenant here: whether the vote is taken, or
    replaces one, or changes how many took part, would say who answered."""
    return answerers_withheld(db, poll.chosen_audience)


@blueprint.get("/<int:poll_id>")
@require_role(StaffRole.VIEWER)
def show(poll_id: int) -> ResponseReturnValue:
    with sessions()() as db:
        return render_poll(db, or_404(db, Poll, poll_id, "poll"))


@blueprint.post("/<int:poll_id>/votes")
@require_role(StaffRole.OFFICER)
def paper_vote(poll_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        poll = or_404(db, Poll, poll_id, "poll")
        if _not_yours(db, poll):
            abort(403, NOT_YOURS_TO_ENTER)
        form = PaperVoteForm()
        form.choice.choices = [SelectChoice(n, label) for n, label in enumerate(poll.options)]
        if not form.validate_on_submit():
            return render_poll(db, poll, vote_form=form, status=422)
        tenant = tenant_named(db, form.tenant.data or "")
        if tenant is None:
            form.tenant.errors = ["No tenant has that phone number or tenant number."]
            return render_poll(db, poll, vote_form=form, status=422)
        try:
            poll_steps.vote_for_tenant(
                db,
                poll,
                tenant,
                choice=form.choice.data,
                source=form.source.data or "",
                staff_id=current_user.id,
                now=clock()(),
                settings=settings(),
            )
        except PollError as refused:
            form.choice.errors = [_sentence(refused)]
            return render_poll(db, poll, vote_form=form, status=409)
        name = tenant.name or "the tenant"
    flash(f"Recorded the vote for {name}.", "info")
    return redirect(url_for("polls.show", poll_id=poll_id, _anchor="results"))


@blueprint.route("/<int:poll_id>/remind/<int:area_id>", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def remind_area(poll_id: int, area_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    with sessions().begin() as db:
        poll = or_404(db, Poll, poll_id, "poll")
        area = or_404(db, Area, area_id, "area")
        if not poll.open_at(clock()()):
            abort(409, "This poll has closed: there is nobody left to remind.")
        if not form.validate_on_submit():
            waiting = sum(len(page) for page in non_voters(db, poll, area_id=area.id))
            page = render_template(
                "pages/poll_remind.html", poll=poll, area=area, waiting=waiting, form=form
            )
            return page, (400 if request.method == "POST" else 200)
        told = poll_steps.remind_area(db, poll, area.id, now=clock()(), settings=settings())
        name = area.name
    flash(f"Reminded {name}: {told} tenants who have not voted will get a reminder.", "info")
    return redirect(url_for("polls.show", poll_id=poll_id, _anchor="coverage"))


@blueprint.route("/<int:poll_id>/close", methods=["GET", "POST"])
@require_role(StaffRole.OFFICER)
def close(poll_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    with sessions().begin() as db:
        poll = or_404(db, Poll, poll_id, "poll")
        if not poll.open_at(clock()()):
            abort(409, "This poll has closed already.")
        if not form.validate_on_submit():
            return render_template("pages/poll_close.html", poll=poll, form=form), (
                400 if request.method == "POST" else 200
            )
        poll_steps.close_early(db, poll, now=clock()())
    flash("Closed the poll. No more votes count.", "info")
    return redirect(url_for("polls.show", poll_id=poll_id))


@blueprint.post("/<int:poll_id>/outcome")
@require_role(StaffRole.OFFICER)
def publish_outcome(poll_id: int) -> ResponseReturnValue:
    with sessions().begin() as db:
        poll = or_404(db, Poll, poll_id, "poll")
        form = outcome_form_class()()
        if poll.outcome_published_at is not None:
            abort(409, "The outcome of this poll was published already.")
        if poll.open_at(clock()()):
            abort(409, "Publish the outcome once the poll has closed.")
        if not form.validate_on_submit():
            return render_poll(db, poll, outcome_form=form, status=422)
        try:
            told = poll_steps.publish_outcome(
                db,
                poll,
                outcome=form.outcome.data or "",
                translations=form.translations(),
                staff_id=current_user.id,
                now=clock()(),
                settings=settings(),
            )
        except PollError as refused:
            form.outcome.errors = [_sentence(refused)]
            return render_poll(db, poll, outcome_form=form, status=422)
    flash(f"Published the outcome. {told} tenants who took part will be told.", "info")
    return redirect(url_for("polls.show", poll_id=poll_id, _anchor="outcome"))


def _sentence(refused: PollError) -> str:
    """A reason from participation.poll_steps as a sentence for the form."""
    reason = str(refused)
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")
