"""Polls and consultations: a question, its options, who is asked, the votes and the outcome.

A poll is open from the moment staff publish it until it closes; every vote can be
changed until then, whichever channel it came by. A vote is kept under its *voter*:
the tenant, or, in a poll of one vote per household, the tenancy they share, so the
latest answer by any member of a home replaces the one before. Everyone who ever voted
is kept as a participant, so the outcome ("you said, we did") reaches them all, even
a household member whose answer a later one replaced. The closing and the reminder are
due tasks under keys of the poll's own, booked in the same transaction as the poll.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.audiences import Audience
from models.base import Base, utcnow
from models.schedule import cancel, schedule
from models.tenants import (
    CALLING_LANDLINES,
    SMS_FIRST,
    Area,
    Channel,
    Recipient,
    Tenant,
    recipients,
)

CLOSE_TASK = "poll_close"
REMINDER_TASK = "poll_reminder"
FEWEST_OPTIONS, MOST_OPTIONS = 2, 6
LONGEST_QUESTION = 300
LONGEST_OPTION = 40
LONGEST_OUTCOME = 320
ENGLISH = "en"  # the language every poll is written in; others are optional


class PollStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class VoteSource(StrEnum):
    SMS = "sms"
    TELEGRAM = "telegram"
    PAPER = "paper"
    PHONE = "phone"  # an answer staff took by phone and entered
    VOICE = "voice"  # keys the tenant pressed on a call


class PollError(ValueError):
    """A poll or vote that cannot be: the reason is meant for the person who asked."""


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(LONGEST_QUESTION))
    options: Mapped[list[str]] = mapped_column(default=list)
    # Staff's own words in other languages: {"pl": {"question": ..., "options": [...]}}
    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    closes_at: Mapped[datetime] = mapped_column(index=True)
    per_household: Mapped[bool] = mapped_column(default=False)
    call_landlines: Mapped[bool] = mapped_column(default=False)  # phone landline-only tenants
    reminder_days: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(12), default=PollStatus.OPEN)
    invited: Mapped[int] = mapped_column(default=0)
    reminder_sent_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(Text, default="")
    outcome_translations: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"pl": ...}
    outcome_published_at: Mapped[datetime | None]
    outcome_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_by_staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def chosen_audience(self) -> Audience:
        return Audience.from_json(self.audience)

    def question_in(self, language: str) -> str | None:
        """The question as staff wrote it in ``language``; None where they did not."""
        if language == ENGLISH:
            return self.question
        written = self.translations.get(language)
        return None if written is None else str(written["question"])

    def options_in(self, language: str) -> list[str] | None:
        """The options in ``language``, in the English order; None where staff gave none."""
        if language == ENGLISH:
            return list(self.options)
        written = self.translations.get(language)
        return None if written is None else [str(label) for label in written["options"]]

    def outcome_in(self, language: str) -> str | None:
        if language == ENGLISH:
            return self.outcome
        written = self.outcome_translations.get(language)
        return None if written is None else str(written)

    def open_at(self, now: datetime) -> bool:
        """Whether a vote given now counts: closed by the task or by the clock, it does not."""
        return self.status == PollStatus.OPEN and now < self.closes_at

    def reminder_due(self, zone: ZoneInfo) -> datetime:
        """The same local clock time ``reminder_days`` before the close, across clock changes."""
        local = self.closes_at.astimezone(zone) - timedelta(days=self.reminder_days)
        return local.replace(tzinfo=None).replace(tzinfo=zone)


class PollVote(Base):
    """The vote that counts for one voter (a tenant, or a household) in one poll."""

    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    voter: Mapped[str] = mapped_column(String(60))  # "tenant:12" or "household:T-0042"
    tenant_id: Mapped[int | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="SET NULL"), index=True
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    choice: Mapped[int]  # 0-based index into the poll's options
    source: Mapped[str] = mapped_column(String(12))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    voted_at: Mapped[datetime]


class PollParticipant(Base):
    """A tenant who voted in a poll, so its outcome reaches them whatever replaced their vote."""

    __tablename__ = "poll_participants"

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    first_voted_at: Mapped[datetime]


# --- the poll's life ---------------------------------------------------------------------


def close_key(poll_id: int) -> str:
    return f"poll-{poll_id}-close"


def reminder_key(poll_id: int) -> str:
    return f"poll-{poll_id}-reminder"


def tidy(text: str, longest: int) -> str:
    return " ".join("".join(ch for ch in text if ch.isprintable()).split())[:longest]


def check_options(options: Sequence[str]) -> list[str]:
    """2 to 6 short, different labels; a PollError saying what is wrong otherwise."""
    labels = [tidy(option, LONGEST_OPTION + 1) for option in options]
    labels = [label for label in labels if label]
    if not FEWEST_OPTIONS <= len(labels) <= MOST_OPTIONS:
        raise PollError(f"give {FEWEST_OPTIONS} to {MOST_OPTIONS} options")
    if any(len(label) > LONGEST_OPTION for label in labels):
        raise PollError(f"keep each option to {LONGEST_OPTION} characters")
    if len({label.casefold() for label in labels}) != len(labels):
        raise PollError("two options are the same")
    if any(label.isdigit() for label in labels):
        raise PollError("an option cannot be only a number: tenants reply with its number")
    return labels


def _question(text: str) -> str:
    asked = tidy(text, LONGEST_QUESTION + 1)
    if not asked:
        raise PollError("write the question")
    if len(asked) > LONGEST_QUESTION:
        raise PollError(f"keep the question to {LONGEST_QUESTION} characters")
    return asked


@dataclass(frozen=True)
class Translation:
    """A poll's question and options as staff wrote them in one more language."""

    question: str
    options: Sequence[str]


def check_translations(
    translations: Mapping[str, Translation], options: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Each language's question and its options, one for each English option in the same
    order (a vote is kept against the option's number); a PollError naming the language."""
    checked: dict[str, dict[str, Any]] = {}
    for language, words in translations.items():
        try:
            labels = check_options(words.options)
            if len(labels) != len(options):
                raise PollError(
                    f"give {len(options)} options, one for each English option in the same order"
                )
            checked[language] = {"question": _question(words.question), "options": labels}
        except PollError as refused:
            raise PollError(f"{language}: {refused}") from refused
    return checked


def check_outcomes(outcomes: Mapping[str, str]) -> dict[str, str]:
    """The outcome in other languages, each as short as the English one must be."""
    checked: dict[str, str] = {}
    for language, outcome in outcomes.items():
        words = tidy(outcome, LONGEST_OUTCOME + 1)
        if len(words) > LONGEST_OUTCOME:
            raise PollError(f"{language}: keep the outcome to {LONGEST_OUTCOME} characters")
        if words:
            checked[language] = words
    return checked


def create_poll(
    session: Session,
    *,
    question: str,
    options: Sequence[str],
    translations: Mapping[str, Translation] | None = None,
    audience: Audience,
    closes_at: datetime,
    per_household: bool,
    reminder_days: int,
    staff_id: int | None,
    now: datetime,
    zone: ZoneInfo,
    call_landlines: bool = False,
) -> Poll:
    """An open poll with its closing and reminder tasks; the caller sends the invitation."""
    asked = _question(question)
    labels = check_options(options)
    if closes_at <= now:
        raise PollError("the closing time has passed: choose a time still to come")
    if not 0 <= reminder_days <= 60:
        raise PollError("the reminder goes 0 to 60 days before the close (0: no reminder)")
    poll = Poll(
        question=asked,
        options=labels,
        translations=check_translations(translations or {}, labels),
        audience=audience.as_json(),
        closes_at=closes_at,
        per_household=per_household,
        call_landlines=call_landlines,
        reminder_days=reminder_days,
        created_by_staff_id=staff_id,
        created_at=now,
    )
    session.add(poll)
    session.flush()
    _book_tasks(session, poll, now=now, zone=zone)
    return poll


def _book_tasks(session: Session, poll: Poll, *, now: datetime, zone: ZoneInfo) -> None:
    payload = {"poll_id": poll.id, "closes_at": poll.closes_at.isoformat()}
    schedule(
        session, key=close_key(poll.id), kind=CLOSE_TASK, due_at=poll.closes_at, payload=payload
    )
    reminder_at = poll.reminder_due(zone)
    if poll.reminder_days > 0 and reminder_at > now:
        schedule(
            session,
            key=reminder_key(poll.id),
            kind=REMINDER_TASK,
            due_at=reminder_at,
            payload=payload,
        )


def close_poll(session: Session, poll: Poll, *, now: datetime) -> bool:
    """Close the poll (at its time, or early); False if it already was. No votes after."""
    if poll.status == PollStatus.CLOSED:
        return False
    poll.status, poll.closed_at = PollStatus.CLOSED, now
    if now < poll.closes_at:
        poll.closes_at = now
    cancel(session, close_key(poll.id))
    cancel(session, reminder_key(poll.id))
    return True


def set_outcome(
    poll: Poll,
    *,
    outcome: str,
    staff_id: int | None,
    now: datetime,
    translations: Mapping[str, str] | None = None,
) -> None:
    """ "You said, we did": once, after the close; the caller tells those who took part."""
    if poll.status != PollStatus.CLOSED:
        raise PollError("publish the outcome once the poll has closed")
    if poll.outcome_published_at is not None:
        raise PollError("the outcome of this poll was published already")
    words = tidy(outcome, LONGEST_OUTCOME + 1)
    if not words:
        raise PollError("write the outcome")
    if len(words) > LONGEST_OUTCOME:
        raise PollError(f"keep the outcome to {LONGEST_OUTCOME} characters")
    poll.outcome_translations = check_outcomes(translations or {})
    poll.outcome, poll.outcome_published_at, poll.outcome_by_staff_id = words, now, staff_id


# --- voting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    """What a vote did: ``replaced`` is None (first), "own" or "household" (another member's);
    ``replaced_member`` is that other member, who is to hear that their vote no longer counts."""

    vote: PollVote
    replaced: str | None
    replaced_member: int | None = None


def voter_of(poll: Poll, tenant: Tenant) -> str:
    if poll.per_household and tenant.tenancy:
        return f"household:{tenant.tenancy}"
    return f"tenant:{tenant.id}"


def vote_of(session: Session, poll: Poll, tenant: Tenant) -> PollVote | None:
    """The vote that counts for the tenant (their household's, in a per-household poll)."""
    return session.scalar(
        select(PollVote).where(
            PollVote.poll_id == poll.id, PollVote.voter == voter_of(poll, tenant)
        )
    )


def cast_vote(
    session: Session,
    poll: Poll,
    tenant: Tenant,
    *,
    choice: int,
    source: str,
    now: datetime,
    staff_id: int | None = None,
) -> Cast:
    """Record the tenant's vote, replacing their (or their household's) earlier one."""
    if not poll.open_at(now):
        raise PollError("this poll has closed")
    if not 0 <= choice < len(poll.options):
        raise PollError(f"choose an option from 1 to {len(poll.options)}")
    vote = vote_of(session, poll, tenant)
    replaced: str | None = None
    replaced_member: int | None = None
    if vote is None:
        vote = PollVote(poll_id=poll.id, voter=voter_of(poll, tenant))
        session.add(vote)
    elif vote.tenant_id == tenant.id:
        replaced = "own"
    else:
        replaced, replaced_member = "household", vote.tenant_id
    vote.tenant_id, vote.area_id, vote.choice = tenant.id, tenant.area_id, choice
    vote.source, vote.staff_id, vote.voted_at = VoteSource(source).value, staff_id, now
    if session.get(PollParticipant, (poll.id, tenant.id)) is None:
        session.add(PollParticipant(poll_id=poll.id, tenant_id=tenant.id, first_voted_at=now))
    session.flush()
    return Cast(vote, replaced, replaced_member)


def in_audience(session: Session, poll: Poll, tenant_id: int) -> bool:
    criteria = poll.chosen_audience.criteria()
    return session.scalar(select(Tenant.id).where(Tenant.id == tenant_id, *criteria)) is not None


def open_polls_for(session: Session, tenant: Tenant, *, now: datetime) -> list[Poll]:
    """The polls the tenant may vote in now, soonest closing first."""
    found = session.scalars(
        select(Poll).where(Poll.status == PollStatus.OPEN).order_by(Poll.closes_at, Poll.id)
    )
    return [poll for poll in found if poll.open_at(now) and in_audience(session, poll, tenant.id)]


def latest_closed_for(session: Session, tenant: Tenant) -> Poll | None:
    """The tenant's poll closed most recently whose outcome is still to come, or None."""
    closed = [
        poll for poll in awaiting_outcome_for(session, tenant) if poll.status != PollStatus.OPEN
    ]
    return max(closed, key=lambda poll: poll.closes_at, default=None)


def awaiting_outcome_for(session: Session, tenant: Tenant) -> list[Poll]:
    """The tenant's polls, open or closed, whose outcome is not yet published: one query
    when there are none, as there mostly are, since the menu asks for every message."""
    found = session.scalars(select(Poll).where(Poll.outcome_published_at.is_(None)))
    return [poll for poll in found if in_audience(session, poll, tenant.id)]


# --- who to tell ---------------------------------------------------------------------------


def non_voters(
    session: Session, poll: Poll, *, area_id: int | None = None
) -> Iterator[list[Recipient]]:
    """Pages of the poll's audience (in one area, if given) who have not voted.

    In a poll of one vote per household, a tenant whose home has voted has voted.
    """
    audience = poll.chosen_audience
    voted = select(PollParticipant.tenant_id).where(PollParticipant.poll_id == poll.id)
    criteria = [*audience.criteria(), Tenant.id.not_in(voted)]
    if area_id is not None:
        criteria.append(Tenant.area_id == area_id)
    if poll.per_household:
        homes = select(PollVote.voter).where(PollVote.poll_id == poll.id)
        criteria.append(Tenant.tenancy.is_(None) | ("household:" + Tenant.tenancy).not_in(homes))
    channels = (*(audience.channels or SMS_FIRST), *_calls(poll))
    return recipients(session, *criteria, channels=channels)


def participants(session: Session, poll: Poll) -> Iterator[list[Recipient]]:
    """Pages of everyone who took part, each on their preferred channel; one who took
    part from a landline is phoned the outcome."""
    voted = select(PollParticipant.tenant_id).where(PollParticipant.poll_id == poll.id)
    return recipients(session, Tenant.id.in_(voted), channels=CALLING_LANDLINES)


def _calls(poll: Poll) -> tuple[str, ...]:
    """Phone calls, where staff chose to phone landline-only tenants."""
    return (Channel.VOICE,) if poll.call_landlines else ()


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionResult:
    label: str
    votes: int
    percent: float


@dataclass(frozen=True)
class AreaCoverage:
    area_id: int | None
    name: str
    homes: int
    responses: int

    @property
    def percent(self) -> float | None:
        return None if self.homes <= 0 else round(100 * self.responses / self.homes, 1)


def results(session: Session, poll: Poll) -> list[OptionResult]:
    counted = dict(
        session.execute(
            select(PollVote.choice, func.count())
            .where(PollVote.poll_id == poll.id)
            .group_by(PollVote.choice)
        ).all()
    )
    total = sum(counted.values())
    return [
        OptionResult(
            label,
            counted.get(n, 0),
            round(100 * counted.get(n, 0) / total, 1) if total else 0.0,
        )
        for n, label in enumerate(poll.options)
    ]


def coverage(session: Session, poll: Poll) -> list[AreaCoverage]:
    """Responses per area against its homes: the audience's areas, and any that voted."""
    counted = dict(
        session.execute(
            select(PollVote.area_id, func.count())
            .where(PollVote.poll_id == poll.id)
            .group_by(PollVote.area_id)
        ).all()
    )
    audience = poll.chosen_audience
    query = select(Area).order_by(Area.name)
    if audience.area_ids and not audience.everyone and not audience.tenant_ids:
        wanted = set(audience.area_ids) | {n for n in counted if n is not None}
        query = query.where(Area.id.in_(sorted(wanted)))
    rows = [
        AreaCoverage(area.id, area.name, area.homes, counted.get(area.id, 0))
        for area in session.scalars(query)
    ]
    if counted.get(None):
        rows.append(AreaCoverage(None, "No area", 0, counted[None]))
    return rows


def participants_count(session: Session, poll_id: int) -> int:
    return session.scalar(select(func.count()).where(PollParticipant.poll_id == poll_id)) or 0


def polls_page(session: Session, *, limit: int, offset: int) -> tuple[list[Poll], int]:
    total = session.scalar(select(func.count()).select_from(Poll)) or 0
    found = session.scalars(
        select(Poll).order_by(Poll.closes_at.desc(), Poll.id.desc()).limit(limit).offset(offset)
    )
    return list(found), total
