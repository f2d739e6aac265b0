"""What tenants type on basic phones, and what the bot must understand from it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.matching import (
    ends_with_a_question_mark,
    match_choice,
    match_keyword,
    normalise,
    opens_with,
)

YES_NO = [["Yes"], ["No"]]
SLOTS = [["Monday", "Mon"], ["Tuesday", "Tue"], ["Wednesday", "Wed"]]

words = st.text(min_size=1, max_size=12)
option_lists = st.lists(st.lists(words, max_size=3), min_size=1, max_size=12)


# normalise


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  YES  ", "yes"),
        ("Yes!!", "yes"),
        ("(1)", "1"),
        ("#1", "1"),
        ("*2*", "2"),
        ('"ok."', "ok"),
        ("'no',", "no"),
        ("\uff11", "1"),  # full-width 1
        ("1\ufe0f\u20e3", "1"),  # keycap 1 emoji
        ("yes \U0001f44d\U0001f3fd", "yes"),  # thumbs up, skin tone
        ("\u2764\ufe0f thanks", "thanks"),
        ("yes\n\n please", "yes please"),
        ("yes\u00a0please", "yes please"),
        ("ye\u200bs\x00", "yes"),
        ("STRASSE", "strasse"),
        ("Stra\u00dfe", "strasse"),
        ("it's 5.30", "it's 5.30"),
        ("", ""),
        (" \t\r\n ", ""),
        ("!?\U0001f600", ""),
    ],
)
def test_normalise_reduces_a_reply_to_its_plain_words(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


def test_normalise_survives_lone_surrogates() -> None:
    assert normalise("\ud800yes\udfff") == "yes"


@given(st.text())
def test_normalise_never_raises_and_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(st.text())
def test_normalise_leaves_no_edge_or_double_spaces(text: str) -> None:
    normal = normalise(text)
    assert normal == normal.strip()
    assert "  " not in normal


# match_choice by number


@pytest.mark.parametrize(
    "typed", ["1", " 1 ", "1.", "1)", "(1)", "#1", "option 1", "Option #1", "\uff11", "01"]
)
def test_match_choice_accepts_the_first_options_number_in_many_forms(typed: str) -> None:
    assert match_choice(typed, SLOTS) == 0


def test_match_choice_accepts_the_last_options_number() -> None:
    assert match_choice("3", SLOTS) == 2


@pytest.mark.parametrize("typed", ["0", "4", "99", "9" * 5000, "1 2", "1,2", "1 or 2"])
def test_match_choice_rejects_numbers_out_of_range_or_several_numbers(typed: str) -> None:
    assert match_choice(typed, SLOTS) is None


# match_choice by word


@pytest.mark.parametrize(("typed", "expected"), [("monday", 0), ("TUE", 1), (" Wednesday. ", 2)])
def test_match_choice_accepts_any_of_an_options_words(typed: str, expected: int) -> None:
    assert match_choice(typed, SLOTS) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "y",
        "yes",
        "  YES ",
        "Yes!",
        "yeah",
        "yep",
        "yea",
        "ya",
        "aye",
        "ok",
        "OK.",
        "okay",
        "sure",
        "yes please",
        "Yes, please!",
        "\U0001f44d yes",
    ],
)
def test_match_choice_understands_the_ways_of_saying_yes(typed: str) -> None:
    assert match_choice(typed, YES_NO) == 0


@pytest.mark.parametrize(
    "typed", ["n", "no", "NO!", "nope", "nah", "no thanks", "No, thanks.", "naw"]
)
def test_match_choice_understands_the_ways_of_saying_no(typed: str) -> None:
    assert match_choice(typed, YES_NO) == 1


def test_yes_variants_only_apply_to_an_option_that_means_yes() -> None:
    assert match_choice("yeah", SLOTS) is None
    assert match_choice("yeah", [["Tak", "yes"], ["Nie", "no"]]) == 0
    assert match_choice("tak", [["Tak", "yes"], ["Nie", "no"]]) == 0


def test_a_word_accepted_by_two_options_matches_neither() -> None:
    assert match_choice("ok", [["yes"], ["ok"]]) is None
    assert match_choice("mon", [["Mon"], ["mon"]]) is None


@pytest.mark.parametrize("typed", ["", "   ", "maybe", "yes no", "monday tuesday", "\U0001f600"])
def test_match_choice_returns_none_for_anything_else(typed: str) -> None:
    assert match_choice(typed, SLOTS + YES_NO) is None


def test_match_choice_ignores_empty_words_in_options() -> None:
    assert match_choice("!", [["!"], ["yes"]]) is None


@given(option_lists, st.data())
def test_match_choice_picks_option_i_for_the_number_i_plus_one(
    options: list[list[str]], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(options) - 1))
    assert match_choice(str(i + 1), options) == i


@given(st.text(), option_lists)
def test_match_choice_never_raises_and_returns_a_valid_index_or_none(
    text: str, options: list[list[str]]
) -> None:
    chosen = match_choice(text, options)
    assert chosen is None or 0 <= chosen < len(options)


# match_keyword


KEYWORDS = ["STOP", "HELP", "START"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("stop", "STOP"),
        ("Stop.", "STOP"),
        ("  STOP!! ", "STOP"),
        ("help?", "HELP"),
        ("\uff33\uff34\uff2f\uff30", "STOP"),
    ],  # full-width STOP
)
def test_match_keyword_returns_the_keyword_as_given(typed: str, expected: str) -> None:
    assert match_keyword(typed, KEYWORDS) == expected


@pytest.mark.parametrize("typed", ["please stop", "stop it", "stopp", "", "  ", "stop help"])
def test_match_keyword_needs_the_whole_message_to_be_the_keyword(typed: str) -> None:
    assert match_keyword(typed, KEYWORDS) is None


def test_match_keyword_accepts_any_iterable_of_keywords() -> None:
    assert match_keyword("unsubscribe", (k for k in ["STOP", "Unsubscribe"])) == "Unsubscribe"


@given(st.text(), st.lists(st.text(max_size=8), max_size=5))
def test_match_keyword_returns_one_of_the_keywords_or_none(text: str, keywords: list[str]) -> None:
    found = match_keyword(text, keywords)
    assert found is None or (found in keywords and normalise(found) == normalise(text) != "")


# opens_with, ends_with_a_question_mark: what a stranger says before their name

GREETINGS = ["hi", "good morning", "dzień dobry", "你好"]


@pytest.mark.parametrize(
    "typed", ["Hi", "hi!", "HI THERE", "Good morning, who is it", "Dzień dobry", "你好请问"]
)
def test_opens_with_finds_a_phrase_at_the_start_as_whole_words(typed: str) -> None:
    assert opens_with(typed, GREETINGS)


@pytest.mark.parametrize("typed", ["Hilda Smith", "Ann Hi", "good", "morning", "", "dzien"])
def test_opens_with_needs_the_whole_phrase_first(typed: str) -> None:
    assert not opens_with(typed, GREETINGS)


@pytest.mark.parametrize(
    "typed",
    ["who is this?", "Who is this ?!", "why? \U0001f914", "你是谁\uff1f", "آپ کون ہیں\u061f"],
)
def test_a_question_mark_at_the_end_in_any_script_makes_a_question(typed: str) -> None:
    assert ends_with_a_question_mark(typed)


@pytest.mark.parametrize("typed", ["Ann Smith", "is it? no, Ann", "", "   ", "what."])
def test_no_question_mark_at_the_end_is_no_question(typed: str) -> None:
    assert not ends_with_a_question_mark(typed)


@given(st.text())
def test_any_text_with_a_question_mark_added_is_a_question(text: str) -> None:
    assert ends_with_a_question_mark(text + "? ")
