"""Every word the bot says, per language, from the Babel catalogues in bot/texts/.

Each language has messages.po for the core conversation and one more catalogue per
capability (events.po, polls.po, ...), so a new capability's words sit together;
a key may live in only one of them. Entries are keyed (``help.reply``) and filled
with named values. A key missing in a tenant's language falls back to English, so
a half-done translation never leaves a tenant without an answer.
Fuzzy entries are drafts: used, but listed. Staff may override an entry from the
console; bot/wording.py installs their wording here, over the catalogue's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.lists import format_list
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

TEXTS = Path(__file__).parent / "texts"
DEFAULT_LANGUAGE = "en"


class UnknownText(KeyError):
    """A text key that no catalogue has: a bug in a flow, caught by the tests."""


CORE = "messages.po"


class DuplicateText(ValueError):
    """One key in two catalogues of a language: which one wins would be an accident."""


@cache
def _catalogues(language: str) -> tuple[Catalog, ...]:
    found, folder = [], TEXTS / language / "LC_MESSAGES"
    for path in sorted(folder.glob("*.po"), key=lambda p: (p.name != CORE, p.name)):
        with path.open("rb") as po:
            found.append(read_po(po, locale=language, domain=path.stem))
    return tuple(found)


def _messages(language: str) -> Iterator[Message]:
    seen: set[str] = set()
    for catalogue in _catalogues(language):
        for message in catalogue:
            if not message.id:
                continue
            if str(message.id) in seen:
                raise DuplicateText(f"{message.id} is in two {language} catalogues")
            seen.add(str(message.id))
            yield message


# The order the landlord's own documents offer their languages in; any other goes after.
LISTED_ORDER = ("en", "gd", "pl", "zh", "bg", "ru", "lv", "ur", "pa")


@cache
def languages() -> tuple[str, ...]:
    """Language codes with a catalogue, English first, then as the landlord lists them."""
    found = {p.name for p in TEXTS.iterdir() if (p / "LC_MESSAGES" / CORE).is_file()}
    listed = [code for code in LISTED_ORDER if code in found]
    return (*listed, *sorted(found - set(listed)))


@cache
def entries(language: str) -> Mapping[str, str]:
    return {
        str(message.id): str(message.string) for message in _messages(language) if message.string
    }


def drafts(language: str) -> list[str]:
    return [str(m.id) for m in _messages(language) if m.fuzzy]


def keys() -> list[str]:
    return sorted(entries(DEFAULT_LANGUAGE))


@dataclass(frozen=True)
class Overrides:
    """Staff's wording laid over the catalogues, and the revision of its history it reflects."""

    texts: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (language, key)
    revision: int | None = None


_overrides = Overrides()


def install_overrides(overrides: Overrides) -> None:
    """Staff's wording, in effect at once in this process (one assignment: thread-safe)."""
    global _overrides
    _overrides = overrides


def installed_overrides() -> Overrides:
    return _overrides


def _own(language: str, key: str) -> str | None:
    """A language's wording of ``key``: staff's, else its catalogue's, else None."""
    text = _overrides.texts.get((language, key))
    if text is None and language in languages():
        text = entries(language).get(key)
    return text


_worded_for: ContextVar[str | None] = ContextVar("worded_for", default=None)


@contextmanager
def worded_for(wording: str | None) -> Iterator[None]:
    """Compose a message in a channel's ``wording``: each text worded so where it can be.

    A notice phoned to a landline is composed by the same code as its SMS; inside this,
    "Reply EVENTS ..." texts come out as they are said on a call.
    """
    token = _worded_for.set(wording)
    try:
        yield
    finally:
        _worded_for.reset(token)


def template(language: str, key: str) -> str:
    key = worded(key, _worded_for.get())
    text = _own(language, key)
    if text is None:
        text = _own(DEFAULT_LANGUAGE, key)
    if text is None:
        raise UnknownText(key)
    return text


def worded(key: str, wording: str | None) -> str:
    """``voice.help.reply`` in the ``voice`` wording, where that exists; else ``key`` itself.

    A call cannot be answered by text, so what a text says ("Reply EVENTS") is said
    another way there; any text without a spoken version is said as it is written.
    """
    if wording is None:
        return key
    other = f"{wording}.{key}"
    return other if other in entries(DEFAULT_LANGUAGE) else key


def render(language: str, key: str, **values: object) -> str:
    return template(language, key).format(**values)


def wording_version(language: str, key: str) -> str:
    """A short fingerprint of the exact wording a tenant saw, for the consent log."""
    digest = hashlib.sha256(template(language, key).encode()).hexdigest()[:10]
    return f"{language}:{key}:{digest}"


# Past this many, "1-9" reads quicker than "1, 2, 3, 4, 5, 6, 7, 8 or 9", and leaves room
# in 2 SMS for LANG's nine languages, each in its own script.
LONGEST_SPELLED_OUT = 8


def numbers_list(language: str, count: int) -> str:
    """'1, 2 or 3' in the tenant's language; a longer run as '1-9', read alike in every one."""
    if count > LONGEST_SPELLED_OUT:
        return f"1-{count}"
    locale = Locale.parse(template(language, "language.locale"))
    return format_list([str(n) for n in range(1, count + 1)], style="or", locale=locale)


@cache
def keyword_forms(key: str) -> frozenset[str]:
    """A global word in every language we have (HELP, POMOC, ...)."""
    return frozenset(render(language, key).upper() for language in languages())


def language_names() -> Sequence[tuple[str, str]]:
    return [(code, render(code, "language.name")) for code in languages()]


def spoken_time(language: str, moment: datetime, zone: ZoneInfo) -> str:
    """A date and time the way the tenant would say it: 'Tue 3 Dec, 10:30', local time."""
    locale = Locale.parse(template(language, "language.locale"))
    local = moment.astimezone(zone)
    return format_datetime(local, template(language, "format.spoken_time"), locale=locale)
