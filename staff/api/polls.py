"""API resource: polls, their results with coverage by area, votes entered for tenants,
closing early and the outcome ("you said, we did").

Times go out in UTC; a closing time coming in must carry its offset (or Z), as for
inspections. Publishing, a vote on a tenant's behalf, closing and the outcome go
through participation.poll_steps, so what tenants hear is queued in the same transaction as
the change, exactly as from the console. A step the poll's state forbids (a vote
or closing after the close, an outcome before it or twice) is a 409; input that
cannot be (too many options, a question too long for 2 SMS) is a 422 with the reason.
The question and options, and later the outcome, may come in other languages too
(``translations``); a translation with a different number of options is a 422.

A vote for a tenant in a poll picked by a role the token's owner may not see (mystery
shoppers, without the admin's leave: staff.shoppers) is refused (403): whether it replaced
one would say who answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, g, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from models.polls import (
    FEWEST_OPTIONS,
    LONGEST_OPTION,
    MOST_OPTIONS,
    Poll,
    PollError,
    Translation,
    coverage,
    participants_count,
    polls_page,
    results,
)
from models.tenants import Tenant
from participation import poll_steps
from staff.api import poll_schemas
from staff.api.audience_field import as_seen, chosen_audience
from staff.api.common import Created, Page, Resource, api_role, paged, path_id, refusals, utc_or_422
from staff.context import clock, sessions, settings
from staff.lookup import LARGEST_ID, or_404
from staff.shoppers import WHY_WITHHELD, answerers_withheld

blueprint = Resource("polls", __name__, url_prefix="/polls")

POLL_ID = path_id("poll_id")
NOT_YOURS_TO_ENTER = f"you cannot enter a paper or phone answer here: {WHY_WITHHELD}"


@blueprint.get("", endpoint="list")
@blueprint.doc(operation_id="listPolls", responses=refusals(400))
@api_role("viewer")
@blueprint.input(Page, location="query")
@blueprint.output(poll_schemas.PollPage, description="a page of polls")
def list_polls(query_data: dict[str, int]) -> ResponseReturnValue:
    """Polls, latest closing first; paged"""
    limit, offset = query_data["limit"], query_data["offset"]
    with sessions()() as session:
        found, total = polls_page(session, limit=limit, offset=offset)
        now = clock()()
        items = [_shown(session, poll, now) for poll in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.get(f"/{POLL_ID}", endpoint="one")
@blueprint.doc(operation_id="getPoll", responses=refusals(404))
@api_role("viewer")
@blueprint.output(poll_schemas.Poll, description="the poll")
def one_poll(poll_id: int) -> ResponseReturnValue:
    """One poll"""
    with sessions()() as session:
        return _shown(session, or_404(session, Poll, poll_id, "poll"), clock()())


@blueprint.post("", endpoint="create")
@blueprint.doc(operation_id="createPoll", responses=refusals(400, 403, 413, 422))
@api_role("officer")
@blueprint.input(poll_schemas.NewPoll)
@blueprint.output(poll_schemas.Poll, status_code=201, description="published", headers=Created)
def create_poll(json_data: dict[str, Any]) -> ResponseReturnValue:
    """Publish a poll (officer); its audience is invited in the window

    The invitation goes to the audience at once, waiting for the sending window, as a
    surveys message with the word to answer (VOTE). The poll closes at closes_at;
    reminder_days before that (0: never) those who have not voted get one reminder.
    422 when the question and its numbered options would not fit 2 SMS, the options are
    not 2 to 6 different labels, the closing time has passed or an area does not exist.
    translations give the question and options in other languages; each must fit 2 SMS
    too and have as many options as in English (422 otherwise). A tenant of a language
    not given gets the English, with a one-line note in their language saying why.
    """
    options = _options_or_422(json_data["options"])
    closes_at = utc_or_422(json_data["closes_at"], "closes_at")
    translations = {
        code: Translation(words["question"], _options_or_422(words["options"]))
        for code, words in json_data.get("translations", {}).items()
    }
    now = clock()()
    with sessions().begin() as session:
        audience = chosen_audience(session, json_data["audience"])
        try:
            poll = poll_steps.publish(
                session,
                question=json_data["question"],
                options=options,
                translations=translations,
                audience=audience,
                closes_at=closes_at,
                per_household=json_data["per_household"],
                call_landlines=json_data["call_landlines"],
                reminder_days=json_data["reminder_days"],
                staff_id=g.api_staff_id,
                now=now,
                settings=settings(),
            )
        except PollError as refused:
            abort(422, str(refused))
        created = _shown(session, poll, now)
        where = url_for("api.polls.one", poll_id=poll.id)
    return created, 201, {"Location": where}


@blueprint.get(f"/{POLL_ID}/results", endpoint="results")
@blueprint.doc(operation_id="getPollResults", responses=refusals(404))
@api_role("viewer")
@blueprint.output(poll_schemas.PollResults, description="the results so far")
def poll_results(poll_id: int) -> ResponseReturnValue:
    """Votes and percentages per option, and responses per area against homes"""
    with sessions()() as session:
        poll = or_404(session, Poll, poll_id, "poll")
        counted = results(session, poll)
        return {
            "poll_id": poll.id,
            "votes": sum(option.votes for option in counted),
            "took_part": participants_count(session, poll.id),
            "options": [
                {"number": number, "option": option}
                for number, option in enumerate(counted, start=1)
            ],
            "coverage": coverage(session, poll),
        }


@blueprint.post(f"/{POLL_ID}/votes", endpoint="vote")
@blueprint.doc(operation_id="recordPollVote", responses=refusals(400, 403, 404, 409, 413, 422))
@api_role("officer")
@blueprint.input(poll_schemas.NewPollVote)
@blueprint.output(poll_schemas.PollVote, status_code=201, description="recorded")
def vote_for_tenant(poll_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
    """Record a paper or phone answer on a tenant's behalf (officer)

    It counts as the tenant's vote (their household's, in a poll of one vote per
    household) and replaces any earlier one; the tenant's own later vote replaces it in
    turn. 409 once the poll has closed; 403 for a poll picked by a role the token's owner
    may not see.
    """
    number = json_data["option"]
    with sessions().begin() as session:
        poll = or_404(session, Poll, poll_id, "poll")
        if answerers_withheld(session, poll.chosen_audience):
            abort(403, NOT_YOURS_TO_ENTER)
        tenant = _tenant_or_422(session, json_data["tenant_id"])
        if not 1 <= number <= len(poll.options):
            abort(422, f"option: choose 1 to {len(poll.options)}")
        if not poll.open_at(clock()()):
            abort(409, "this poll has closed")
        cast = poll_steps.vote_for_tenant(
            session,
            poll,
            tenant,
            choice=number - 1,
            source=json_data["source"],
            staff_id=g.api_staff_id,
            now=clock()(),
            settings=settings(),
        )
        return {
            "poll_id": poll.id,
            "tenant_id": tenant.id,
            "option": number,
            "source": cast.vote.source,
            "replaced": cast.replaced,
        }


@blueprint.post(f"/{POLL_ID}/close", endpoint="close")
@blueprint.doc(operation_id="closePoll", responses=refusals(403, 404, 409))
@api_role("officer")
@blueprint.output(poll_schemas.Poll, description="the closed poll")
def close_poll(poll_id: int) -> ResponseReturnValue:
    """Close an open poll now (officer); no vote counts after"""
    now = clock()()
    with sessions().begin() as session:
        poll = or_404(session, Poll, poll_id, "poll")
        if not poll.open_at(now):
            abort(409, "this poll has closed already")
        poll_steps.close_early(session, poll, now=now)
        return _shown(session, poll, now)


@blueprint.post(f"/{POLL_ID}/outcome", endpoint="outcome")
@blueprint.doc(operation_id="publishPollOutcome", responses=refusals(400, 403, 404, 409, 413, 422))
@api_role("officer")
@blueprint.input(poll_schemas.PollOutcome)
@blueprint.output(poll_schemas.PublishedOutcome, description="the poll with its outcome")
def publish_outcome(poll_id: int, json_data: dict[str, Any]) -> ResponseReturnValue:
    """Publish what was done (officer); everyone who took part is told

    Once, after the poll has closed (409 otherwise). The outcome and its wording must
    fit 2 SMS in English and in each language given in translations (422 otherwise). A
    tenant of a language not given gets the English, with a one-line note in their
    language saying why.
    """
    now = clock()()
    with sessions().begin() as session:
        poll = or_404(session, Poll, poll_id, "poll")
        if poll.open_at(now):
            abort(409, "publish the outcome once the poll has closed")
        if poll.outcome_published_at is not None:
            abort(409, "the outcome of this poll was published already")
        try:
            told = poll_steps.publish_outcome(
                session,
                poll,
                outcome=json_data["outcome"],
                translations=json_data.get("translations", {}),
                staff_id=g.api_staff_id,
                now=now,
                settings=settings(),
            )
        except PollError as refused:
            abort(422, str(refused))
        return {**_shown(session, poll, now), "told": told}


# --- what the schemas read -------------------------------------------------------------------


def _shown(session: Session, poll: Poll, now: datetime) -> dict[str, Any]:
    """The poll with what its schema cannot read from the row: its audience as the token's
    owner may see it, and whether a vote now counts."""
    return {
        "poll": poll,
        "audience": as_seen(session, poll.chosen_audience),
        "open": poll.open_at(now),
    }


# --- what the schemas cannot judge alone -----------------------------------------------------


def _options_or_422(labels: list[str]) -> list[str]:
    """As many options as a poll has, each short enough to read out by SMS."""
    if not FEWEST_OPTIONS <= len(labels) <= MOST_OPTIONS:
        abort(422, f"options: give {FEWEST_OPTIONS} to {MOST_OPTIONS} options")
    for label in labels:
        if len(label) > LONGEST_OPTION or not label.isprintable():
            abort(422, f"options: each must be at most {LONGEST_OPTION} printable characters")
    return labels


def _tenant_or_422(session: Session, tenant_id: int) -> Tenant:
    tenant = session.get(Tenant, tenant_id) if 1 <= tenant_id <= LARGEST_ID else None
    if tenant is None:
        abort(422, f"tenant_id: there is no tenant {tenant_id}")
    return tenant
