"""An option's first word or words pick it when no other option begins the same way.

Poll options are staff's own words ("No, keep Friday"); a tenant answers "no". When
two options begin alike the tenant is asked again rather than guessed for.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.matching import match_choice
from models.polls import PollVote
from models.tenants import Area, Tenant
from tests.factories import create_poll
from tests.helpers import Clock, Phone

BIN_DAY = [["Yes, move to Monday"], ["No, keep Friday"]]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("no", 1), ("No.", 1), ("nope", 1), ("yes", 0), ("aye", 0), ("no keep", 1), ("Yes, move", 0)],
)
def test_an_options_first_words_pick_it(typed: str, expected: int) -> None:
    assert match_choice(typed, BIN_DAY) == expected


@pytest.mark.parametrize("typed", ["keep", "friday", "keep friday", "move", "to", "no monday"])
def test_words_from_the_middle_of_an_option_pick_nothing(typed: str) -> None:
    assert match_choice(typed, BIN_DAY) is None


def test_first_words_two_options_share_pick_neither() -> None:
    options = [["New bins at the front"], ["New bins at the back"], ["No new bins"]]
    assert match_choice("new bins", options) is None
    assert match_choice("new bins at the back", options) == 1
    assert match_choice("no", options) == 2


def test_a_whole_option_wins_over_another_that_begins_with_it() -> None:
    assert match_choice("no", [["No, not yet"], ["No"]]) == 1


def test_first_words_of_a_yes_or_no_option_do_not_stretch_to_other_words() -> None:
    assert match_choice("yeah", [["Monday morning"], ["Tuesday"]]) is None


@given(st.lists(st.from_regex(r"[a-z]{2,7}", fullmatch=True), min_size=2, max_size=5), st.data())
def test_the_first_words_of_an_option_pick_it_however_typed(
    words: list[str], data: st.DataObject
) -> None:
    count = data.draw(st.integers(1, len(words) - 1))
    assume(words[0] != "other")
    options = [["Other choice"], [" ".join(words).capitalize() + "!"]]
    assert match_choice(" ".join(words[:count]).upper() + ".", options) == 1


def test_no_votes_for_no_keep_friday_through_the_webhook(
    phone: Phone, db: Session, clock: Clock, methil: Area, tenant: Tenant
) -> None:
    create_poll(
        db,
        now=clock(),
        closes_at=clock() + timedelta(days=7),
        question="Should bin day move?",
        options=("Yes, move to Monday", "No, keep Friday"),
    )
    db.commit()
    assert "Should bin day move?" in phone.text("VOTE")[0]
    assert "No, keep Friday" in phone.text("no")[0]
    db.expire_all()
    vote = db.scalars(select(PollVote)).one()
    assert (vote.tenant_id, vote.choice) == (tenant.id, 1)
