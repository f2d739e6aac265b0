"""Finding listed words and phrases in what a tenant wrote, forgiving of form.

Tenants write "MOULD!", "mouldy", "the lights are out" and "smell of gas in the close".
A listed word is found in a written word that begins with it and adds at most a short
ending (plurals, "-y", "-ing", "-ed", and the case endings of Polish, Russian and
Bulgarian): three letters for a word of four letters or more, one for a word of three,
none for shorter ones, so "no" is never found in "now". A phrase's words must come in
order, each at most two words after the one before ("light out" is in "the light is out").
Latin letters count without their accents, as phones without them type them ("plesn" is
"pleśń").
Chinese is written without spaces, so a phrase in Chinese characters is found anywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.matching import normalise

GAP = 2  # words that may come between two words of a phrase
LONGEST_ENDING = 3


def words_of(text: str) -> list[str]:
    """The words of a text, casefolded, without punctuation, symbols or emoji."""
    spaced = "".join(" " if _between_words(char) else char for char in _plain(normalise(text)))
    return spaced.split()


def _plain(text: str) -> str:
    """Latin letters without their accents; every other script as it is."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if not (unicodedata.combining(char) and kept and kept[-1].isascii()):
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).replace("ł", "l")


def _between_words(char: str) -> bool:
    return unicodedata.category(char).startswith(("P", "S", "Z"))


def begins(written: str, listed: str) -> bool:
    """Whether a written word is the listed word, or it with a short ending."""
    if len(listed) <= 2:
        ending = 0
    elif len(listed) == 3:
        ending = 1
    else:
        ending = LONGEST_ENDING
    return written.startswith(listed) and len(written) - len(listed) <= ending


def same_word(one: str, other: str) -> bool:
    """Whether two words are one, with or without an ending ("lift" and "lifts")."""
    return begins(one, other) or begins(other, one)


def _unspaced(phrase: str) -> bool:
    """Written without spaces between words: Chinese (and Japanese) characters."""
    return any(unicodedata.name(char, "").startswith("CJK") for char in phrase)


@dataclass(frozen=True)
class Phrases:
    """A list of words and phrases, ready to be looked for in texts."""

    spaced: tuple[tuple[str, ...], ...]
    unspaced: tuple[str, ...]

    @classmethod
    def of(cls, phrases: Iterable[str]) -> Phrases:
        spaced: list[tuple[str, ...]] = []
        unspaced: list[str] = []
        for phrase in phrases:
            if _unspaced(phrase):
                unspaced.append("".join(normalise(phrase).split()))
            elif words := tuple(words_of(phrase)):
                spaced.append(words)
        return cls(tuple(spaced), tuple(unspaced))

    def found_in(self, text: str) -> bool:
        if self.unspaced:
            joined = "".join(normalise(text).split())
            if any(phrase in joined for phrase in self.unspaced):
                return True
        written = words_of(text)
        return any(_in_order(written, phrase) for phrase in self.spaced)


def _in_order(written: Sequence[str], phrase: Sequence[str]) -> bool:
    return any(
        begins(word, phrase[0]) and _follows(written, start + 1, phrase[1:])
        for start, word in enumerate(written)
    )


def _follows(written: Sequence[str], position: int, rest: Sequence[str]) -> bool:
    """Whether the rest of a phrase comes from ``position`` on, each word within GAP."""
    if not rest:
        return True
    for at in range(position, min(position + GAP + 1, len(written))):
        if begins(written[at], rest[0]) and _follows(written, at + 1, rest[1:]):
            return True
    return False
