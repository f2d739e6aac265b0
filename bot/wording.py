"""Staff's wording over the catalogues: what may be changed, what a change must keep,
and bringing every process up to date with the console.

Each process holds staff's wording in memory (bot.catalogue's overrides) with the
revision of the history it came from; ``refresh`` asks the database for the latest
revision, one small query, and reloads only when it moved. Keywords, locales and
date formats stay as the catalogues have them: the bot matches what tenants type
against them, and caches what it derives from them.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import catalogue
from bot.sms import fit_for_sms, fits
from models.wording import CurrentWording, current_wording, record_change, wording_revision

FIXED_PREFIXES = ("keyword.", "format.")
FIXED_KEYS = frozenset({"language.locale"})
LONGEST_VALUE = "x" * 30  # what each {placeholder} is filled with to see if a text fits


class WordingRefused(ValueError):
    """A text that cannot replace an entry; the message says what to put right."""


def editable(key: str) -> bool:
    return key not in FIXED_KEYS and not key.startswith(FIXED_PREFIXES)


def placeholders(text: str) -> set[str]:
    """The ``{names}`` a text fills in; WordingRefused for a stray brace."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise WordingRefused("A { or } is not closed. Write placeholders as {name}.") from exc


def checked(key: str, text: str) -> str:
    """``text`` trimmed, if it may replace ``key``: the English entry's placeholders, no
    others, and at most two SMS with every placeholder 30 characters long."""
    text = text.strip()
    if not text:
        raise WordingRefused("Enter the text: an entry cannot be empty.")
    wanted = placeholders(catalogue.entries(catalogue.DEFAULT_LANGUAGE)[key])
    found = placeholders(text)
    if missing := sorted(wanted - found):
        raise WordingRefused(f"Keep these placeholders: {_braced(missing)}.")
    if unknown := sorted(found - wanted):
        raise WordingRefused(f"This entry has no placeholder {_braced(unknown)}.")
    try:
        filled = text.format(**dict.fromkeys(wanted, LONGEST_VALUE))
    except (ValueError, IndexError, KeyError) as exc:
        raise WordingRefused("Write placeholders as {name}, with nothing after the name.") from exc
    if not fits(fit_for_sms(filled)):
        raise WordingRefused("This is too long: with its placeholders filled it needs 3 SMS.")
    return text


def _braced(names: Sequence[str]) -> str:
    return ", ".join("{" + name + "}" for name in names)


def save(
    session: Session, language: str, key: str, text: str | None, *, staff_id: int, now: datetime
) -> None:
    """Record staff's wording (None: back to the catalogue's own) after checking it."""
    if not editable(key):
        raise WordingRefused("This entry is fixed: change it in the catalogue.")
    if text is not None:
        text = checked(key, text)
    record_change(session, language=language, key=key, text=text, staff_id=staff_id, now=now)


def refresh(session: Session) -> None:
    """Bring this process's wording up to the database's, if anyone changed it since."""
    revision = wording_revision(session)
    if revision != catalogue.installed_overrides().revision:
        texts = {
            (change.language, change.key): change.text
            for change in current_wording(session)
            if change.text is not None and _applies(change)
        }
        catalogue.install_overrides(catalogue.Overrides(texts, revision))


def _applies(change: CurrentWording) -> bool:
    english = catalogue.entries(catalogue.DEFAULT_LANGUAGE)
    return (
        change.language in catalogue.languages() and change.key in english and editable(change.key)
    )


# --- how each language stands, for the console -------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One entry in one language: the catalogue's wording, what the bot says, who changed it."""

    key: str
    english: str
    own: str | None  # the language's catalogue text; None: not translated, English is used
    current: str
    fuzzy: bool
    change: CurrentWording | None

    @property
    def editable(self) -> bool:
        return editable(self.key)

    @property
    def status(self) -> str:
        """draft, reviewed, changed, untranslated or as written (in the catalogue)."""
        if self.change is not None and self.change.text is not None:
            return "reviewed" if self.change.text == self.own else "changed"
        if self.fuzzy:
            return "draft"
        return "untranslated" if self.own is None else "as written"


@dataclass(frozen=True)
class LanguageSummary:
    code: str
    name: str
    entries: int  # how many the language's own catalogue has
    drafts: int  # still as drafted: fuzzy, and not saved by staff since
    changed: int  # overridden with staff's own wording


def entries_of(session: Session, language: str, keys: Sequence[str] = ()) -> list[Entry]:
    """Every entry the bot knows (or just ``keys``), as it stands in ``language``."""
    changes = {change.key: change for change in current_wording(session, language)}
    english, own = catalogue.entries(catalogue.DEFAULT_LANGUAGE), catalogue.entries(language)
    fuzzy = set(catalogue.drafts(language))
    return [
        Entry(
            key=key,
            english=english[key],
            own=own.get(key),
            current=catalogue.template(language, key),
            fuzzy=key in fuzzy,
            change=changes.get(key),
        )
        for key in keys or catalogue.keys()
        if key in english
    ]


def summaries(session: Session) -> list[LanguageSummary]:
    found = []
    for code, name in catalogue.language_names():
        statuses = [entry.status for entry in entries_of(session, code)]
        found.append(
            LanguageSummary(
                code=code,
                name=name,
                entries=len(catalogue.entries(code)),
                drafts=statuses.count("draft"),
                changed=statuses.count("changed"),
            )
        )
    return found
