"""SMS encoding and segment counting, done the way carriers (and Twilio) count them.

Many tenants read us on basic phones, and every segment is billed. One curly quote
pasted from Word silently switches a message to UCS-2 and cuts a segment from 160
characters to 70, so we count, and repair, messages before they are sent. Words someone
typed (an event's title, a meeting point, a tenant's report) can be long, so ``fit``
cuts them, with ``cut``, no shorter than it takes for the whole message to fit 2 SMS.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal, TypeVar

Encoding = Literal["GSM-7", "UCS-2"]
Cut = Callable[[str], str]  # typed words in, the same words cut to some length out
T = TypeVar("T")

# GSM 03.38 default alphabet, in table order 0x00-0x7F (0x1B is the escape to the extension).
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039eÆæßÉ"  # ΔΦΓΛΩΠΨΣΘΞ
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
# The extension table: each costs the escape septet plus its own.
GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")
GSM7: frozenset[str] = GSM7_BASIC | GSM7_EXTENSION

MAX_SEGMENTS = 2
ELLIPSIS = "..."  # three GSM-7 full stops: the single character (U+2026) would force UCS-2

GSM7_SINGLE, GSM7_MULTI = 160, 153  # septets; a multipart header takes the difference
UCS2_SINGLE, UCS2_MULTI = 70, 67  # UTF-16 code units

# Characters that word processors and phones paste, each with its GSM-7 twin ("" = drop).
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_LOOKALIKES: dict[str, str] = {
    # curly, low and reversed single quotes, prime, single guillemets, backtick, acute accent
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2039\u203a`\u00b4\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),  # the same, doubled
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),  # hyphens, dashes
    # bullets (round, triangular, hyphen, black and white circles, small square) and
    # Word's Symbol-font bullet, pasted as the private-use U+F0B7
    **dict.fromkeys("\u2022\u2023\u2043\u25cf\u25e6\u25aa\uf0b7", "-"),
    **dict.fromkeys(_SPACES + "\u202f\u205f\u3000\t", " "),  # nbsp, thin, narrow, ideographic
    **dict.fromkeys("\u2028\u2029", "\n"),  # line and paragraph separators
    **dict.fromkeys("\u200b\u2060\ufeff\u00ad", ""),  # zero-width space, word joiner, BOM, shy
    "\u00d7": "x",  # multiplication sign
    "\u2044": "/",  # fraction slash
}
_TRANSLATION = str.maketrans(_LOOKALIKES)
# Replacements that lengthen the text: only worth it when the whole message becomes GSM-7.
_EXPANSIONS: dict[str, str] = {"\u2026": "..."}  # …
# Zero-width (non-)joiners: noise in Latin text, but they hold emoji sequences together.
_JOINERS = frozenset("\u200c\u200d")
_CONVERTIBLE = GSM7 | _JOINERS | frozenset(_EXPANSIONS)


@dataclass(frozen=True)
class SegmentCount:
    """What a message costs: its encoding, its length in that encoding, and its segments."""

    encoding: Encoding
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    per_segment: int


def is_gsm7(text: str) -> bool:
    """Whether every character has a GSM-7 code, so the message gets 160 characters a segment."""
    return all(char in GSM7 for char in text)


def ucs2_characters(text: str) -> list[str]:
    """The distinct characters, in order, that force UCS-2: what to show staff before sending."""
    return list(dict.fromkeys(char for char in text if char not in GSM7))


def count_segments(text: str) -> SegmentCount:
    """How many segments a carrier bills for ``text``; a character is never split between two."""
    if is_gsm7(text):
        return _pack("GSM-7", _sizes(text, "GSM-7"), GSM7_SINGLE, GSM7_MULTI)
    return _pack("UCS-2", _sizes(text, "UCS-2"), UCS2_SINGLE, UCS2_MULTI)


def _sizes(text: str, encoding: Encoding) -> list[int]:
    """Each character's cost: septets (an extension character takes two) or UTF-16 units."""
    if encoding == "GSM-7":
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def split_segments(text: str) -> list[str]:
    """``text`` cut where the carrier cuts it: what each segment shows on a basic phone."""
    count = count_segments(text)
    if count.segments == 1:
        return [text]
    parts, start, filled = [], 0, 0
    for i, size in enumerate(_sizes(text, count.encoding)):
        if filled + size > count.per_segment:
            parts.append(text[start:i])
            start, filled = i, 0
        filled += size
    parts.append(text[start:])
    return parts


def _pack(encoding: Encoding, sizes: list[int], single: int, multi: int) -> SegmentCount:
    """Fill segments in order; a character that would straddle a boundary opens the next one."""
    units = sum(sizes)
    if units <= single:
        return SegmentCount(encoding, units, 1, single)
    segments, filled = 1, 0
    for size in sizes:
        if filled + size > multi:
            segments, filled = segments + 1, 0
        filled += size
    return SegmentCount(encoding, units, segments, multi)


def fits(text: str, max_segments: int = MAX_SEGMENTS) -> bool:
    """Whether ``text`` goes out in at most ``max_segments`` segments (basic phones, cost)."""
    return count_segments(text).segments <= max_segments


def to_gsm7(text: str) -> str:
    """Swap pasted typography for its GSM-7 twin, so a stray quote does not force UCS-2.

    Anything without an obvious twin is left alone. ``…`` becomes ``...`` only when that
    makes the whole message GSM-7 without costing an extra segment, so this function never
    makes a message dearer. Idempotent.
    """
    mapped = _drop_stray_joiners(text.translate(_TRANSLATION))
    expanded = mapped
    for char, twin in _EXPANSIONS.items():
        expanded = expanded.replace(char, twin)
    if expanded == mapped or not is_gsm7(expanded):
        return mapped
    cheaper = count_segments(expanded).segments <= count_segments(mapped).segments
    return expanded if cheaper else mapped


def _drop_stray_joiners(text: str) -> str:
    """Remove zero-width joiners except a single one between two characters that stay UCS-2."""
    return "".join(
        char for i, char in enumerate(text) if char not in _JOINERS or _joins_emoji(text, i)
    )


def _joins_emoji(text: str, i: int) -> bool:
    """Whether the joiner at ``i`` sits between two characters with no GSM-7 form (emoji...)."""
    if i == 0 or i == len(text) - 1:
        return False
    return text[i - 1] not in _CONVERTIBLE and text[i + 1] not in _CONVERTIBLE


_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "\u0131": "i"})


def plain_letters(text: str) -> str:
    """Accented letters with no GSM-7 code written without the accent (ą -> a, ł -> l).

    A last resort for a message too long in UCS-2: Polish or Romanian readers are used to
    texts without their letters, and 306 characters beat 134. GSM-7 letters (é, ü, ñ) stay.
    """
    return "".join(
        char if char in GSM7 else _bare(char) for char in text.translate(_NO_DECOMPOSITION)
    )


def _bare(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if base and all(c in GSM7 for c in base) else char


def fit_for_sms(text: str) -> str:
    """``text`` with pasted typography fixed, and without accents only if that makes it fit."""
    text = to_gsm7(text)
    if fits(text):
        return text
    plain = plain_letters(text)
    return plain if fits(plain) else text


# --- typed words cut to fit 2 SMS -------------------------------------------------------


def cut(words: str, longest: int) -> str:
    """``words`` in at most ``longest`` characters, ending at a word where one is near."""
    if len(words) <= longest:
        return words
    head = words[: max(longest - len(ELLIPSIS), 0)]
    whole_words = head.rsplit(" ", 1)[0] if " " in head[len(head) // 2 :] else head
    return whole_words.rstrip(" .,;:?!") + ELLIPSIS


def fit(compose: Callable[[Cut], str], *, shortest: int = 0) -> str:
    """What ``compose`` writes, the typed words in it cut no more than it takes to fit 2 SMS."""
    return compose(fitting(compose, shortest=shortest))


def fitting(compose: Callable[[Cut], str], *, shortest: int = 0) -> Cut:
    """The gentlest cut of the typed words that makes what ``compose`` writes fit 2 SMS."""
    return fitting_where(compose, _fits_as_sent, shortest=shortest)


def fitting_where(
    compose: Callable[[Cut], T], fits: Callable[[T], bool], *, shortest: int = 0
) -> Cut:
    """The gentlest cut of the typed words that makes what ``compose`` writes pass ``fits``."""
    longest = longest_cut_where(compose, fits, shortest=shortest)
    return _whole if longest is None else partial(cut, longest=longest)


def longest_cut(compose: Callable[[Cut], str], *, shortest: int = 0) -> int | None:
    """The longest the typed words may be for what ``compose`` writes to fit 2 SMS; None
    when they fit whole."""
    return longest_cut_where(compose, _fits_as_sent, shortest=shortest)


def longest_cut_where(
    compose: Callable[[Cut], T], fits: Callable[[T], bool], *, shortest: int = 0
) -> int | None:
    """The longest the typed words may be for what ``compose`` writes to pass ``fits``;
    None when they pass whole.

    Never less than ``shortest``: a text that cannot fit even so goes that short, one
    segment dearer, rather than cut to nothing (or not at all).
    """
    lengths: list[int] = []

    def measured(words: str) -> str:
        lengths.append(len(words))
        return words

    if fits(compose(measured)):
        return None
    low, high = shortest, max([*lengths, shortest])
    while low < high:
        middle = (low + high + 1) // 2
        if fits(compose(partial(cut, longest=middle))):
            low = middle
        else:
            high = middle - 1
    return low


def _whole(words: str) -> str:
    return words


def _fits_as_sent(text: str) -> bool:
    return fits(fit_for_sms(text))
