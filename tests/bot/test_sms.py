"""Segment counting and GSM-7 repair, checked against the GSM 03.38 tables and carrier rules,
and typed words cut to fit 2 SMS."""

from __future__ import annotations

import string
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from bot.sms import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    MAX_SEGMENTS,
    SegmentCount,
    count_segments,
    cut,
    fit,
    fit_for_sms,
    fits,
    is_gsm7,
    plain_letters,
    split_segments,
    to_gsm7,
    ucs2_characters,
)

# GSM 03.38 default alphabet by code point, row by row as in the specification (0x1B = escape).
SPEC_BASIC = {
    *(0x40, 0xA3, 0x24, 0xA5, 0xE8, 0xE9, 0xF9, 0xEC, 0xF2, 0xC7, 0x0A, 0xD8, 0xF8, 0x0D),
    *(0xC5, 0xE5, 0x394, 0x5F, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E),
    *(0xC6, 0xE6, 0xDF, 0xC9, 0x20, 0x21, 0x22, 0x23, 0xA4),
    *range(0x25, 0x40),
    0xA1,
    *range(0x41, 0x5B),
    *(0xC4, 0xD6, 0xD1, 0xDC, 0xA7, 0xBF),
    *range(0x61, 0x7B),
    *(0xE4, 0xF6, 0xF1, 0xFC, 0xE0),
}
SPEC_EXTENSION = {0x0C, 0x5E, 0x7B, 0x7D, 0x5C, 0x5B, 0x7E, 0x5D, 0x7C, 0x20AC}

EMOJI = "\U0001f600"  # 😀, a surrogate pair in UTF-16
CYRILLIC = "\u0436"  # ж: one UTF-16 unit, not GSM-7
ELLIPSIS = "\u2026"

LOOKALIKES = (
    "\u2018\u2019\u201a\u201b\u2032"  # single quotes and prime
    "\u201c\u201d\u201e\u201f\u2033"  # double quotes and double prime
    "\u2010\u2011\u2013\u2014\u2015\u2212"  # hyphens, dashes, minus
    "\u00a0\u202f\u2009\u2002\u3000"  # nbsp, narrow nbsp, thin, en, ideographic spaces
    "\u200b\u200c\u200d\u00ad"  # zero-width space, non-joiner, joiner, soft hyphen
    "\u2022\u2023\u25cf\u25e6\u25aa\uf0b7"  # bullets, Word's Symbol-font one too
    "\u00d7\u2044\u02bc\t"  # multiplication sign, fraction slash, modifier apostrophe, tab
)

gsm7_chars = st.sampled_from(sorted(GSM7))
lookalike_chars = st.sampled_from(LOOKALIKES)
any_char = st.one_of(
    gsm7_chars,
    st.sampled_from([CYRILLIC, EMOJI, "\u0105", ELLIPSIS]),
    lookalike_chars,
    st.characters(),
)


def _long(alphabet: st.SearchStrategy[str], fillers: list[str]) -> st.SearchStrategy[str]:
    """Texts that reach segment boundaries: a run of one filler, then arbitrary characters."""
    return st.builds(
        lambda filler, n, tail: filler * n + tail,
        st.sampled_from(fillers),
        st.integers(0, 320),
        st.text(alphabet=alphabet, max_size=30),
    )


messages = _long(any_char, ["a", "\u20ac", CYRILLIC, EMOJI, "\u2019"])


# The tables


def test_the_basic_table_is_exactly_the_gsm_03_38_default_alphabet() -> None:
    assert {ord(c) for c in GSM7_BASIC} == SPEC_BASIC
    assert len(GSM7_BASIC) == 127


def test_the_extension_table_is_exactly_the_ten_gsm_03_38_escapes() -> None:
    assert {ord(c) for c in GSM7_EXTENSION} == SPEC_EXTENSION


def test_all_printable_ascii_but_backtick_tab_and_vertical_tab_is_gsm7() -> None:
    assert [c for c in string.printable if not is_gsm7(c)] == ["`", "\t", "\x0b"]


def test_lowercase_c_cedilla_and_other_accents_outside_the_table_are_not_gsm7() -> None:
    assert is_gsm7("Ça café à Malmö")
    assert not is_gsm7("\u00e7a")  # ç
    assert not is_gsm7("na\u00efve")  # ï


# Counting


def test_an_empty_message_is_one_gsm7_segment_of_zero_units() -> None:
    assert count_segments("") == SegmentCount("GSM-7", 0, 1, 160)


def test_a_160_character_gsm7_message_is_one_segment() -> None:
    assert count_segments("a" * 160) == SegmentCount("GSM-7", 160, 1, 160)


def test_a_161_character_gsm7_message_is_two_segments_of_153() -> None:
    assert count_segments("a" * 161) == SegmentCount("GSM-7", 161, 2, 153)


def test_306_gsm7_characters_fit_two_segments_and_307_need_three() -> None:
    assert count_segments("a" * 306).segments == 2
    assert count_segments("a" * 307) == SegmentCount("GSM-7", 307, 3, 153)


def test_an_extension_character_costs_two_septets() -> None:
    assert count_segments("\u20ac" * 80) == SegmentCount("GSM-7", 160, 1, 160)
    assert count_segments("{" * 80 + "a").segments == 2


def test_an_extension_character_straddling_a_boundary_moves_to_the_next_segment() -> None:
    straddling = "a" * 152 + "\u20ac" + "a" * 152  # 306 septets, but € cannot split 152|1
    assert count_segments(straddling) == SegmentCount("GSM-7", 306, 3, 153)
    aligned = "a" * 151 + "\u20ac" + "a" * 153  # also 306 septets; € ends segment one exactly
    assert count_segments(aligned).segments == 2


def test_newlines_and_carriage_returns_are_one_gsm7_septet_each() -> None:
    assert count_segments("a\r\nb") == SegmentCount("GSM-7", 4, 1, 160)


def test_a_70_unit_ucs2_message_is_one_segment() -> None:
    assert count_segments(CYRILLIC * 70) == SegmentCount("UCS-2", 70, 1, 70)


def test_a_71_unit_ucs2_message_is_two_segments_of_67() -> None:
    assert count_segments(CYRILLIC * 71) == SegmentCount("UCS-2", 71, 2, 67)


def test_134_ucs2_units_fit_two_segments_and_135_need_three() -> None:
    assert count_segments(CYRILLIC * 134) == SegmentCount("UCS-2", 134, 2, 67)
    assert count_segments(CYRILLIC * 135) == SegmentCount("UCS-2", 135, 3, 67)


def test_an_emoji_is_two_utf16_code_units() -> None:
    assert count_segments(EMOJI) == SegmentCount("UCS-2", 2, 1, 70)
    assert count_segments(EMOJI * 35).segments == 1
    assert count_segments(EMOJI * 35 + "a").segments == 2


def test_an_emoji_straddling_the_67_unit_boundary_moves_to_the_next_segment() -> None:
    straddling = CYRILLIC * 66 + EMOJI + CYRILLIC * 66  # 134 units, but 😀 cannot split 66|1
    assert count_segments(straddling) == SegmentCount("UCS-2", 134, 3, 67)
    aligned = CYRILLIC * 65 + EMOJI + CYRILLIC * 67  # also 134 units; 😀 ends segment one
    assert count_segments(aligned).segments == 2


def test_polish_letters_force_ucs2() -> None:
    text = "Dzi\u0119kujemy. Wizyta w pi\u0105tek, z\u0142ota r\u0105czka przyjdzie rano."
    assert count_segments(text).encoding == "UCS-2"
    assert ucs2_characters(text) == ["\u0119", "\u0105", "\u0142"]  # ę ą ł, first seen first


def test_one_non_gsm7_character_turns_one_segment_into_three() -> None:
    assert count_segments("a" * 150).segments == 1
    assert count_segments("a" * 150 + "\u0105") == SegmentCount("UCS-2", 151, 3, 67)


def test_ucs2_characters_is_empty_for_gsm7_text() -> None:
    assert ucs2_characters("Your repair is booked for Mon 3 June {ref: 12}") == []


def test_fits_allows_two_segments_by_default() -> None:
    assert MAX_SEGMENTS == 2
    assert fits("a" * 306)
    assert not fits("a" * 307)
    assert fits("a" * 160, max_segments=1)
    assert not fits("a" * 161, max_segments=1)


# Repairing pasted text


def test_to_gsm7_straightens_curly_quotes_and_primes() -> None:
    pasted = "\u2018Don\u2019t\u2019 \u201cfix\u201d \u201elow\u201f 5\u2032 6\u2033 \u201bx"
    assert to_gsm7(pasted) == "'Don't' \"fix\" \"low\" 5' 6\" 'x"


def test_to_gsm7_turns_dashes_minus_and_bullets_into_hyphens() -> None:
    pasted = "a\u2013b\u2014c\u2015d\u2010e\u2011f \u22123 \u2022 item"
    assert to_gsm7(pasted) == "a-b-c-d-e-f -3 - item"


def test_to_gsm7_turns_unicode_spaces_into_plain_spaces() -> None:
    assert to_gsm7("Flat\u00a012\u202fB\u2009C\u2003D\u3000E\tF") == "Flat 12 B C D E F"


def test_to_gsm7_removes_zero_width_characters_and_soft_hyphens() -> None:
    assert to_gsm7("re\u00adpair\u200b \u200dbook\ufeffed\u2060") == "repair booked"


def test_to_gsm7_expands_an_ellipsis_and_the_multiplication_sign() -> None:
    assert to_gsm7("Wait\u2026 2\u00d73m") == "Wait... 2x3m"


def test_to_gsm7_leaves_characters_without_a_gsm7_twin_alone() -> None:
    assert to_gsm7("Dzi\u0119kujemy \u2019 \u0436 " + EMOJI) == "Dzi\u0119kujemy ' \u0436 " + EMOJI


def test_to_gsm7_keeps_emoji_joined_by_zero_width_joiners() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert to_gsm7(family + " hi\u200d") == family + " hi"


def test_to_gsm7_keeps_an_ellipsis_when_the_message_stays_ucs2_anyway() -> None:
    assert to_gsm7("Dzi\u0119kujemy\u2026") == "Dzi\u0119kujemy\u2026"  # … is 1 unit, ... is 3


def test_to_gsm7_keeps_ellipses_when_expanding_them_would_cost_a_segment() -> None:
    text = ELLIPSIS * 60  # 60 UCS-2 units, one segment; expanded: 180 septets, two
    assert count_segments(text).segments == 1
    assert to_gsm7(text) == text


def test_a_pasted_quote_costs_segments_until_to_gsm7_repairs_it() -> None:
    text = "a" * 150 + "\u2019"
    assert count_segments(text).segments == 3
    assert count_segments(to_gsm7(text)) == SegmentCount("GSM-7", 151, 1, 160)


# Properties


@given(messages, st.text(alphabet=any_char, min_size=1, max_size=5))
def test_appending_characters_never_reduces_the_segment_count(text: str, more: str) -> None:
    assert count_segments(text + more).segments >= count_segments(text).segments


@given(messages)
def test_the_segments_hold_all_the_units_with_room_for_at_most_one_char_each(text: str) -> None:
    count = count_segments(text)
    assert count.units <= count.segments * count.per_segment
    assert count.segments == 1 or count.units > (count.segments - 1) * (count.per_segment - 1)


@given(st.one_of(messages, st.text()))
def test_to_gsm7_is_idempotent(text: str) -> None:
    once = to_gsm7(text)
    assert to_gsm7(once) == once


@given(st.one_of(messages, st.text()))
def test_to_gsm7_never_increases_the_segment_count(text: str) -> None:
    assert count_segments(to_gsm7(text)).segments <= count_segments(text).segments


@given(_long(st.one_of(gsm7_chars, lookalike_chars), ["a", "\u20ac", "\u2019", "\u00a0"]))
def test_to_gsm7_makes_gsm7_text_with_pasted_typography_all_gsm7(text: str) -> None:
    assert all(is_gsm7(char) for char in to_gsm7(text))


@given(st.text(alphabet=st.one_of(gsm7_chars, lookalike_chars, st.just(ELLIPSIS)), max_size=53))
def test_to_gsm7_expands_ellipses_whenever_that_costs_no_extra_segment(text: str) -> None:
    # Up to 53 characters even all-ellipsis text stays within 160 septets once expanded.
    assert all(is_gsm7(char) for char in to_gsm7(text))


@given(st.one_of(messages, st.text()))
def test_ucs2_characters_are_exactly_the_distinct_non_gsm7_characters(text: str) -> None:
    found = ucs2_characters(text)
    assert len(found) == len(set(found))
    assert set(found) == set(text) - GSM7
    assert is_gsm7(text) == (found == [])


def test_plain_letters_drop_only_the_accents_gsm7_lacks() -> None:
    assert plain_letters("Zażółć gęślą jaźń, Łódź") == "Zazolc gesla jazn, Lodz"
    assert plain_letters("café über niño") == "café über niño"  # GSM-7 has these
    assert plain_letters("Bins 🗑") == "Bins 🗑"  # nothing to fall back to


def test_a_text_keeps_its_accents_while_it_fits_and_loses_them_only_to_fit() -> None:
    short = "Dziękujemy za zgłoszenie."
    assert fit_for_sms(short) == short
    long = "Obchód osiedla przeniesiony. " * 5  # 145 characters: 3 SMS in UCS-2
    assert count_segments(long).segments == 3
    fitted = fit_for_sms(long)
    assert fitted == long.replace("ó", "o") and count_segments(fitted).segments == 1


# Where a basic phone shows the breaks


def test_a_one_segment_message_is_shown_whole() -> None:
    assert split_segments("The lifts are off on Monday.") == ["The lifts are off on Monday."]


def test_a_two_segment_gsm7_message_breaks_after_153_septets() -> None:
    parts = split_segments("a" * 153 + "b" * 100)
    assert parts == ["a" * 153, "b" * 100]


def test_an_extension_character_that_would_straddle_the_break_opens_the_next_segment() -> None:
    assert split_segments("a" * 152 + "\u20ac" + "a" * 10) == ["a" * 152, "\u20ac" + "a" * 10]


def test_word_bullets_and_fraction_slashes_become_gsm7() -> None:
    assert to_gsm7("\uf0b7 Bins\n\u25cf Lifts 1\u20442") == "- Bins\n- Lifts 1/2"


@given(messages)
def test_the_segments_shown_put_the_whole_text_back_together(text: str) -> None:
    parts = split_segments(text)
    assert "".join(parts) == text
    assert len(parts) == count_segments(text).segments


typed = st.text(
    alphabet=st.one_of(gsm7_chars, st.sampled_from([CYRILLIC, EMOJI, " "])), max_size=400
)


@given(typed, st.integers(3, 400))
def test_a_cut_keeps_words_that_fit_and_marks_a_cut_with_a_gsm7_ellipsis(
    words: str, longest: int
) -> None:
    shortened = cut(words, longest)
    if len(words) <= longest:
        assert shortened == words
    else:
        assert len(shortened) <= longest and shortened.endswith("...")
        assert words.startswith(shortened.removesuffix("..."))


def test_a_cut_ends_at_a_word_when_one_is_near() -> None:
    question = "Should the Methil office open on Saturdays?"
    assert cut(question, 40) == "Should the Methil office open on..."
    assert cut("Methil-Community-Hall-and-garden", 12) == "Methil-Co..."  # no word near


@given(typed, typed)
def test_fit_cuts_typed_words_only_when_the_whole_would_not_fit_two_sms(
    title: str, venue: str
) -> None:
    def invitation(shorten: Callable[[str], str]) -> str:
        return f"Fife Housing Group: {shorten(title)} at {shorten(venue)}. Reply EVENTS."

    whole = invitation(lambda words: words)
    sent = fit(invitation)
    assert fits(fit_for_sms(sent))
    assert sent == whole or not fits(fit_for_sms(whole))
