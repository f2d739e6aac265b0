"""VOTE: the open polls for this tenant, and their vote.

With one open poll VOTE asks it; with several it lists them by number first; with
none it says so (or that the last one closed), as EVENTS does. The
tenant answers with the option's number or its word; saying VOTE again asks again,
and the new answer replaces the old one until the poll closes, whichever channel
either came by. In a poll of one vote per household the latest answer by any
member counts, and the tenant is told plainly when theirs replaced another's; the
member whose answer it replaced is told too, by a notice in their own language.
The poll is looked up afresh at each answer, so a vote after the close is refused.

The options are the poll's own words, shown as they are (Option.text): numbered on
SMS, buttons on Telegram, and matched by number or word like any other choice. They
and the question are in the tenant's language where staff wrote it; otherwise the
whole question, its "Reply 1, 2 or 3" line too, is asked in English (so it stays
GSM-7), and a vote is kept against the option's number either way.

    [*] --one poll--> choose_option --a vote--> [*]
    [*] --several--> which_poll --a number--> choose_option
"""

from __future__ import annotations

from bot.flow import Answer, Flow, Option, Question, Turn, registered
from bot.household_votes import tell_replaced_member
from bot.poll_notices import asked_in, closes, listed
from models.polls import Poll, cast_vote, latest_closed_for, open_polls_for

POLL = "poll_id"  # the key in turn.answers
CHOICES = "poll_ids"  # the polls listed, in the order shown


def begin(turn: Turn) -> str | None:
    polls = open_polls_for(turn.session, turn.tenant, now=turn.now)
    if not polls:
        closed = latest_closed_for(turn.session, turn.tenant)
        if closed is not None and not closed.open_at(turn.now):
            turn.say("polls.closed", closes=closes(turn.language, closed, turn.settings))
        else:
            turn.say("polls.none_open")
        return None
    if len(polls) == 1:
        turn.answers[POLL] = polls[0].id
        return "choose_option"
    turn.answers[CHOICES] = [poll.id for poll in polls[:9]]
    return "which_poll"


def _poll(turn: Turn) -> Poll:
    return turn.session.get_one(Poll, turn.answers[POLL])


def poll_choices(turn: Turn) -> list[Option]:
    """The open polls listed, each by its question (shortened to stand in a list)."""
    listed_ids: list[int] = turn.answers.get(CHOICES, [])
    polls = [turn.session.get_one(Poll, poll_id) for poll_id in listed_ids]
    return [Option(str(n), text=listed(_question(turn, poll))) for n, poll in enumerate(polls)]


def take_poll(turn: Turn, answer: Answer) -> str | None:
    turn.answers[POLL] = turn.answers[CHOICES][int(answer.value or 0)]
    return "choose_option"


def _language(turn: Turn) -> str:
    """The language the poll is asked in: the tenant's where staff wrote it, else English."""
    return asked_in(_poll(turn), turn.language)


def _question(turn: Turn, poll: Poll) -> str:
    return poll.question_in(asked_in(poll, turn.language)) or poll.question


def _labels(turn: Turn, poll: Poll) -> list[str]:
    return poll.options_in(asked_in(poll, turn.language)) or list(poll.options)


def vote_options(turn: Turn) -> list[Option]:
    if POLL not in turn.answers:  # not asked yet
        return []
    return [Option(str(n), text=label) for n, label in enumerate(_labels(turn, _poll(turn)))]


def ask_values(turn: Turn) -> dict[str, str]:
    poll = _poll(turn)
    return {
        "question": _question(turn, poll),
        "closes": closes(_language(turn), poll, turn.settings),
    }


def take_vote(turn: Turn, answer: Answer) -> str | None:
    poll = _poll(turn)
    if not poll.open_at(turn.now):
        turn.say("polls.closed", closes=closes(turn.language, poll, turn.settings))
        return None
    chosen = int(answer.value or 0)
    cast = cast_vote(
        turn.session, poll, turn.tenant, choice=chosen, source=turn.channel, now=turn.now
    )
    tell_replaced_member(turn.session, poll, cast, now=turn.now, settings=turn.settings)
    said = {None: "polls.voted", "own": "polls.changed", "household": "polls.household"}
    turn.say(
        said[cast.replaced],
        choice=_labels(turn, poll)[chosen],
        closes=closes(turn.language, poll, turn.settings),
    )
    return None


FLOW = Flow(
    name="vote",
    begin=begin,
    questions={
        "which_poll": Question("polls.which", take_poll, options=poll_choices),
        "choose_option": Question(
            "polls.ask",
            take_vote,
            options=vote_options,
            prompt_values=ask_values,
            asked_in=_language,
        ),
    },
    keywords=("keyword.vote",),
    menu_label="menu.vote",
    offered_to=registered,
    resumable=False,
)
