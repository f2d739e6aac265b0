"""API resource: polls, their results with coverage by area, votes entered for tenants,
closing early and the outcome ("you said, we did").

Times go out in UTC; a closing time coming in must carry its offset (or Z), as for
inspections. Publishing, a vote on a tenant's behalf, closing and the outcome go
through bot.poll_steps, so what tenants hear is queued in the same transaction as
the change, exactly as from the console. A step the poll's state forbids (a vote
or closing after the close, an outcome before it or twice) is a 409; input that
cannot be (too many options, a question too long for 2 SMS) is a 422 with the reason.
The question and options, and later the outcome, may come in other languages too
(``translations``); a translation with a different number of options is a 422.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, g, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from bot import poll_steps
from models.polls import (
    LONGEST_OPTION,
    LONGEST_OUTCOME,
    LONGEST_QUESTION,
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
from staff.api.audience_field import AREAS, EVERYONE, ROLES, audience_field, audience_json
from staff.api.common import (
    LARGEST_ID,
    api_role,
    flag_field,
    json_object,
    moment_field,
    paged,
    reachable_page,
    text_field,
)
from staff.context import clock, sessions, settings

blueprint = Blueprint("polls", __name__)

POLL_ID = f"<int(max={LARGEST_ID}):poll_id>"
NEW_POLL_FIELDS = frozenset(
    {
        "question",
        "options",
        "audience",
        "closes_at",
        "per_household",
        "reminder_days",
        "translations",
    }
)
AUDIENCE_PARTS = (EVERYONE, AREAS, ROLES)
VOTE_FIELDS = frozenset({"tenant_id", "option", "source"})
OUTCOME_FIELDS = frozenset({"outcome", "translations"})
SOURCES = tuple(source.value for source in poll_steps.STAFF_SOURCES)


@blueprint.get("/polls", endpoint="list")
@api_role("viewer")
def list_polls() -> ResponseReturnValue:
    limit, offset = reachable_page()
    with sessions()() as session:
        found, total = polls_page(session, limit=limit, offset=offset)
        now = clock()()
        items = [poll_json(session, poll, now) for poll in found]
    return paged(items, total=total, limit=limit, offset=offset)


@blueprint.get(f"/polls/{POLL_ID}", endpoint="one")
@api_role("viewer")
def one_poll(poll_id: int) -> ResponseReturnValue:
    with sessions()() as session:
        return poll_json(session, _poll_or_404(session, poll_id), clock()())


@blueprint.post("/polls", endpoint="create")
@api_role("officer")
def create_poll() -> ResponseReturnValue:
    body = json_object(allowed=NEW_POLL_FIELDS)
    for field in ("question", "options", "audience", "closes_at"):
        if field not in body:
            abort(400, f"{field}: required")
    question = text_field(body, "question", longest=LONGEST_QUESTION)
    options, closes_at = _options(body["options"]), moment_field(body["closes_at"], "closes_at")
    per_household = flag_field(body, "per_household") if "per_household" in body else False
    reminder_days = _whole(body.get("reminder_days", 0), "reminder_days")
    translations = _translations(body.get("translations", {}))
    now = clock()()
    with sessions().begin() as session:
        audience = audience_field(session, body["audience"], parts=AUDIENCE_PARTS)
        try:
            poll = poll_steps.publish(
                session,
                question=question,
                options=options,
                translations=translations,
                audience=audience,
                closes_at=closes_at,
                per_household=per_household,
                reminder_days=reminder_days,
                staff_id=g.api_staff_id,
                now=now,
                settings=settings(),
            )
        except PollError as refused:
            abort(422, str(refused))
        created = poll_json(session, poll, now)
    return created, 201, {"Location": url_for("api.polls.one", poll_id=created["id"])}


@blueprint.get(f"/polls/{POLL_ID}/results", endpoint="results")
@api_role("viewer")
def poll_results(poll_id: int) -> ResponseReturnValue:
    with sessions()() as session:
        poll = _poll_or_404(session, poll_id)
        counted = results(session, poll)
        return {
            "poll_id": poll.id,
            "votes": sum(option.votes for option in counted),
            "took_part": participants_count(session, poll.id),
            "options": [
                {"number": n, "label": o.label, "votes": o.votes, "percent": o.percent}
                for n, o in enumerate(counted, start=1)
            ],
            "coverage": [
                {
                    "area_id": row.area_id,
                    "area": row.name,
                    "homes": row.homes,
                    "responses": row.responses,
                    "percent": row.percent,
                }
                for row in coverage(session, poll)
            ],
        }


@blueprint.post(f"/polls/{POLL_ID}/votes", endpoint="vote")
@api_role("officer")
def vote_for_tenant(poll_id: int) -> ResponseReturnValue:
    body = json_object(allowed=VOTE_FIELDS)
    for field in sorted(VOTE_FIELDS):
        if field not in body:
            abort(400, f"{field}: required")
    source = body["source"]
    if source not in SOURCES:
        abort(400, f"source: must be one of {', '.join(SOURCES)}")
    number = _whole(body["option"], "option")
    with sessions().begin() as session:
        poll = _poll_or_404(session, poll_id)
        tenant = _tenant(session, body["tenant_id"])
        if not 1 <= number <= len(poll.options):
            abort(422, f"option: choose 1 to {len(poll.options)}")
        if not poll.open_at(clock()()):
            abort(409, "this poll has closed")
        cast = poll_steps.vote_for_tenant(
            session,
            poll,
            tenant,
            choice=number - 1,
            source=source,
            staff_id=g.api_staff_id,
            now=clock()(),
        )
        return {
            "poll_id": poll.id,
            "tenant_id": tenant.id,
            "option": number,
            "source": cast.vote.source,
            "replaced": cast.replaced,
        }, 201


@blueprint.post(f"/polls/{POLL_ID}/close", endpoint="close")
@api_role("officer")
def close_poll(poll_id: int) -> ResponseReturnValue:
    now = clock()()
    with sessions().begin() as session:
        poll = _poll_or_404(session, poll_id)
        if not poll.open_at(now):
            abort(409, "this poll has closed already")
        poll_steps.close_early(session, poll, now=now)
        return poll_json(session, poll, now)


@blueprint.post(f"/polls/{POLL_ID}/outcome", endpoint="outcome")
@api_role("officer")
def publish_outcome(poll_id: int) -> ResponseReturnValue:
    body = json_object(allowed=OUTCOME_FIELDS)
    if "outcome" not in body:
        abort(400, "outcome: required")
    outcome = text_field(body, "outcome", longest=LONGEST_OUTCOME)
    outcomes = _outcomes(body.get("translations", {}))
    now = clock()()
    with sessions().begin() as session:
        poll = _poll_or_404(session, poll_id)
        if poll.open_at(now):
            abort(409, "publish the outcome once the poll has closed")
        if poll.outcome_published_at is not None:
            abort(409, "the outcome of this poll was published already")
        try:
            told = poll_steps.publish_outcome(
                session,
                poll,
                outcome=outcome,
                translations=outcomes,
                staff_id=g.api_staff_id,
                now=now,
                settings=settings(),
            )
        except PollError as refused:
            abort(422, str(refused))
        return {**poll_json(session, poll, now), "told": told}


# --- shapes ----------------------------------------------------------------------------------


def poll_json(session: Session, poll: Poll, now: datetime) -> dict[str, Any]:
    return {
        "id": poll.id,
        "question": poll.question,
        "options": list(poll.options),
        "translations": {
            code: {"question": words["question"], "options": list(words["options"])}
            for code, words in poll.translations.items()
        },
        "audience": audience_json(session, poll.chosen_audience, AUDIENCE_PARTS),
        "closes_at": poll.closes_at.isoformat(),
        "open": poll.open_at(now),
        "per_household": poll.per_household,
        "reminder_days": poll.reminder_days,
        "invited": poll.invited,
        "reminder_sent_at": _time(poll.reminder_sent_at),
        "closed_at": _time(poll.closed_at),
        "outcome": poll.outcome or None,
        "outcome_translations": dict(poll.outcome_translations),
        "outcome_published_at": _time(poll.outcome_published_at),
        "created_at": poll.created_at.isoformat(),
    }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


# --- reading input ---------------------------------------------------------------------------


def _poll_or_404(session: Session, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id)
    if poll is None:
        abort(404, f"there is no poll {poll_id}")
    return poll


def _options(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        abort(400, "options: must be a list of text")
    if not 2 <= len(value) <= MOST_OPTIONS:
        abort(422, f"options: give 2 to {MOST_OPTIONS} options")
    for option in value:
        if len(option) > LONGEST_OPTION or not option.isprintable():
            abort(422, f"options: each must be at most {LONGEST_OPTION} printable characters")
    return list(value)


def _translations(value: object) -> dict[str, Translation]:
    """{"pl": {"question": ..., "options": [...]}}: the shape here, the words in poll_steps."""
    if not isinstance(value, dict):
        abort(400, "translations: must be an object of languages")
    found: dict[str, Translation] = {}
    for code, words in value.items():
        if not isinstance(words, dict) or set(words) != {"question", "options"}:
            abort(400, f"translations.{code[:8]}: must have a question and options")
        question = text_field(words, "question", longest=LONGEST_QUESTION)
        found[code] = Translation(question, _options(words["options"]))
    return found


def _outcomes(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        abort(400, "translations: must be an object of languages and their outcome")
    return {code: text_field(value, code, longest=LONGEST_OUTCOME) for code in value}


def _tenant(session: Session, value: object) -> Tenant:
    if isinstance(value, bool) or not isinstance(value, int):
        abort(400, "tenant_id: must be a tenant's id")
    tenant = session.get(Tenant, value) if 1 <= value <= LARGEST_ID else None
    if tenant is None:
        abort(422, f"tenant_id: there is no tenant {value}")
    return tenant


def _whole(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
        abort(400, f"{field}: must be a whole number from 0 to 1000")
    return value
