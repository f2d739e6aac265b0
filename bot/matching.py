"""Understanding what a tenant typed: on a basic phone, in any case, spacing or script.

Replies arrive as "YES ", "1.", a full-width "1" or "no thanks!". Everything
here is forgiving about form and strict about meaning: when a reply could mean two
things we return None, so the flow asks again rather than guessing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

YES_WORDS = frozenset(
    {"y", "yes", "yeah", "yep", "yea", "ya", "aye", "ok", "okay", "sure", "yes please"}
)
NO_WORDS = frozenset({"n", "no", "nope", "nah", "no thanks", "naw"})
QUESTION_MARKS = ("?", "\uff1f", "\u061f")  # "?", the full-width (Chinese), the Arabic (Urdu)

# "2", "option 2", "option #2". ("no 2" is not accepted: "no" is an answer of its own.)
_NUMBER = re.compile(r"(?:option|choice|number)?\s*#?\s*(\d{1,6})")
# Category prefixes trimmed from the ends: punctuation, symbols (emoji), separators,
# enclosing marks (the keycap of 1️⃣).
_TRIMMED_CATEGORIES = ("P", "S", "Z", "Me")
_VARIATION_SELECTORS = frozenset(map(chr, range(0xFE00, 0xFE10)))
_MAX_ROUNDS = 4


def normalise(text: str) -> str:
    """Reduce a reply to its plain words: NFKC, casefolded, single-spaced, ends trimmed.

    Phones send full-width digits, non-breaking spaces, stray control characters and
    trailing emoji; none of that changes what the tenant meant. Never raises.
    """
    previous, current = None, text
    for _ in range(_MAX_ROUNDS):  # repeat until stable, so normalise is idempotent
        if current == previous:
            break
        previous, current = current, _normalise_once(current)
    return current


def _normalise_once(text: str) -> str:
    """One pass: drop controls, fold compatibility forms and case, tidy spaces and ends."""
    cleaned = "".join(" " if c.isspace() else c for c in text if not _is_invisible(c))
    folded = unicodedata.normalize("NFKC", cleaned).casefold()
    folded = unicodedata.normalize("NFKC", folded)
    return _trim_ends(" ".join(folded.split()))


def _is_invisible(char: str) -> bool:
    """Control, format (zero-width) and lone surrogate characters: never part of a word."""
    return not char.isspace() and unicodedata.category(char) in ("Cc", "Cf", "Cs")


def _is_trimmable(char: str) -> bool:
    """Punctuation, symbols, emoji and spaces: meaningless at the ends of a reply."""
    category = unicodedata.category(char)
    return char in _VARIATION_SELECTORS or category.startswith(_TRIMMED_CATEGORIES)


def _trim_ends(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_trimmable(text[start]):
        start += 1
    while end > start and _is_trimmable(text[end - 1]):
        end -= 1
    return text[start:end]


def _words(text: str) -> str:
    """A reply as bare words, so "Yes, please!" compares equal to "yes please"."""
    normal = normalise(text)
    spaced = "".join(" " if _is_trimmable(c) else c for c in normal)
    return " ".join(spaced.split())


def _accepted(words: Sequence[str]) -> frozenset[str]:
    """Everything that picks an option: its words, plus yes/no variants if it is a yes/no."""
    accepted = {_words(word) for word in words} - {""}
    if "yes" in accepted:
        accepted |= YES_WORDS
    if "no" in accepted:
        accepted |= NO_WORDS
    return frozenset(accepted)


def match_choice(text: str, options: Sequence[Sequence[str]]) -> int | None:
    """The 0-based index of the option a tenant chose, by number or by word; else None.

    Basic phones make numbers the easiest thing to type, so "1", "1.", "#1", "option 1"
    and a full-width 1 all pick the first option. An option's first word or words pick
    it too when no option has them whole ("no" for "No, keep Friday"). Out-of-range
    numbers and ambiguous words return None, so the caller asks again instead of
    acting on a guess.
    """
    normal = normalise(text)
    number = _NUMBER.fullmatch(normal)
    if number is not None:
        index = int(number.group(1)) - 1
        return index if 0 <= index < len(options) else None
    reply = _words(normal)
    if not reply:
        return None
    chosen = [i for i, words in enumerate(options) if reply in _accepted(words)]
    if not chosen:
        chosen = [i for i, words in enumerate(options) if reply in _openings(words)]
    return chosen[0] if len(chosen) == 1 else None


def _openings(words: Sequence[str]) -> frozenset[str]:
    """The first word, first two words, ... of each of an option's words, short of all.

    "No, keep Friday" opens with "no" and "no keep"; as "no" means no, "nope" opens it too.
    """
    openings = []
    for word in words:
        said = _words(word).split()
        openings += [" ".join(said[:count]) for count in range(1, len(said))]
    return _accepted(openings)


def opens_with(text: str, phrases: Iterable[str]) -> bool:
    """Whether a message begins with one of the phrases, as whole words.

    "Hi there!" opens with "hi"; "Hilda" does not. Chinese is written without spaces,
    so there a phrase at the start is enough ("你好请问" opens with "你好").
    """
    reply = _words(text)
    for phrase in phrases:
        said = _words(phrase)
        if said and (reply == said or reply.startswith(f"{said} ")):
            return True
        if said and _unspaced(said) and reply.startswith(said):
            return True
    return False


def _unspaced(phrase: str) -> bool:
    return any(unicodedata.name(char, "").startswith("CJK") for char in phrase)


def ends_with_a_question_mark(text: str) -> bool:
    """Whether a message ends with "?" in any script (Chinese, Urdu), whatever marks,
    spaces or emoji come after it ("who is this?!", "who is this ?")."""
    end = len(text)
    while end and (_is_trimmable(text[end - 1]) or _is_invisible(text[end - 1])):
        end -= 1
    return any(mark in text[end:] for mark in QUESTION_MARKS)


def match_keyword(text: str, keywords: Iterable[str]) -> str | None:
    """The keyword (as given) that the whole message is, e.g. "Stop." -> "STOP"; else None.

    Only the whole message counts: "please stop" is a sentence, not an opt-out, and
    acting on a keyword inside a sentence would unsubscribe tenants by accident.
    """
    normal = normalise(text)
    if not normal:
        return None
    return next((keyword for keyword in keywords if normalise(keyword) == normal), None)
