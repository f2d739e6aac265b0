"""Every word the bot says, per language, from the Babel catalogues in bot/texts/.

Each language has messages.po for the core conversation and one more catalogue per
capability (events.po, polls.po, ...), so a new capability's words sit together;
a key may live in only one of them. Entries are keyed (``help.reply``) and filled
with named values. A key missing in a tenant's language falls back to English, so
a half-done translation never leaves a tenant without an answer.
Fuzzy entries are drafts: used, but listed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
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


@cache
def languages() -> tuple[str, ...]:
    """Language codes with a catalogue, English first."""
    found = sorted(p.name for p in TEXTS.iterdir() if (p / "LC_MESSAGES" / CORE).is_file())
    return (DEFAULT_LANGUAGE, *(code for code in found if code != DEFAULT_LANGUAGE))


@cache
def entries(language: str) -> Mapping[str, str]:
    return {
        str(message.id): str(message.string) for message in _messages(language) if message.string
    }


def drafts(language: str) -> list[str]:
    return [str(m.id) for m in _messages(language) if m.fuzzy]


def keys() -> list[str]:
    return sorted(entries(DEFAULT_LANGUAGE))


def template(language: str, key: str) -> str:
    text = entries(language).get(key) if language in languages() else None
    if text is None:
        text = entries(DEFAULT_LANGUAGE).get(key)
    if text is None:
        raise UnknownText(key)
    return text


def render(language: str, key: str, **values: object) -> str:
    return template(language, key).format(**values)


def wording_version(language: str, key: str) -> str:
    """A short fingerprint of the exact wording a tenant saw, for the consent log."""
    digest = hashlib.sha256(template(language, key).encode()).hexdigest()[:10]
    return f"{language}:{key}:{digest}"


def numbers_list(language: str, count: int) -> str:
    """'1, 2 or 3' in the tenant's language."""
    locale = Locale.parse(template(language, "language.locale"))
    return format_list([str(n) for n in range(1, count + 1)], style="or", locale=locale)


@cache
def keyword_forms(key: str) -> frozenset[str]:
    """A global word in every language we have (HELP, POMOC, ...)."""
    return frozenset(render(language, key).upper() for language in languages())


def language_names() -> Sequence[tuple[str, str]]:
    return [(code, render(code, "language.name")) for code in languages()]


def spoken_time(language: str, moment: datetime, zone: str) -> str:
    """A date and time the way the tenant would say it: 'Tue 3 Dec, 10:30', local time."""
    locale = Locale.parse(template(language, "language.locale"))
    local = moment.astimezone(ZoneInfo(zone))
    return format_datetime(local, template(language, "format.spoken_time"), locale=locale)
