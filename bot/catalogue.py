"""Every word the bot says, per language, from the Babel catalogues in bot/texts/.

Entries are keyed (``help.reply``) and filled with named values. A key missing
in a tenant's language falls back to English, so a half-done translation never
leaves a tenant without an answer. Fuzzy entries are drafts: used, but listed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

TEXTS = Path(__file__).parent / "texts"
DEFAULT_LANGUAGE = "en"


class UnknownText(KeyError):
    """A text key that no catalogue has: a bug in a flow, caught by the tests."""


@cache
def _catalogue(language: str) -> Catalog:
    with (TEXTS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


@cache
def languages() -> tuple[str, ...]:
    """Language codes with a catalogue, English first."""
    found = sorted(p.name for p in TEXTS.iterdir() if (p / "LC_MESSAGES" / "messages.po").is_file())
    return (DEFAULT_LANGUAGE, *(code for code in found if code != DEFAULT_LANGUAGE))


@cache
def entries(language: str) -> Mapping[str, str]:
    return {
        str(message.id): str(message.string)
        for message in _catalogue(language)
        if message.id and message.string
    }


def drafts(language: str) -> list[str]:
    return [str(m.id) for m in _catalogue(language) if m.id and m.fuzzy]


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
