"""Staff's wording over the catalogues: what a change must keep, and every process
picking a change up by the history's revision."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import catalogue, wording
from models.wording import record_change
from scheduler.tasks import run_due_tasks

NOW = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
POLISH_HELP = "Napisz MENU albo zadzwoń pod {contact}, a pomożemy."


@pytest.fixture(autouse=True)
def fresh_process() -> Iterator[None]:
    """Each test starts, and leaves, a process that has read no staff wording."""
    catalogue.install_overrides(catalogue.Overrides())
    yield
    catalogue.install_overrides(catalogue.Overrides())


def refused(key: str, text: str) -> str:
    with pytest.raises(wording.WordingRefused) as caught:
        wording.checked(key, text)
    return str(caught.value)


def test_a_text_keeping_the_english_placeholders_is_accepted_trimmed() -> None:
    assert wording.checked("help.reply", f"  {POLISH_HELP}\n") == POLISH_HELP


def test_a_missing_or_unknown_placeholder_is_refused_by_name() -> None:
    assert refused("help.reply", "Napisz MENU.") == "Keep these placeholders: {contact}."
    assert refused("help.reply", "Zadzwoń {contact} lub {phone}.") == (
        "This entry has no placeholder {phone}."
    )
    assert "not closed" in refused("help.reply", "Zadzwoń {contact")


def test_an_empty_text_or_one_needing_three_sms_is_refused() -> None:
    assert refused("help.reply", "   ") == "Enter the text: an entry cannot be empty."
    fits_only_unfilled = "{contact} " + "a" * 280  # 291 characters; 311 with the placeholder
    assert "3 SMS" in refused("help.reply", fits_only_unfilled)
    assert wording.checked("help.reply", "{contact} " + "a" * 270)


def test_spoken_wording_follows_the_same_rules() -> None:
    spoken = next(key for key in catalogue.entries("en") if key.startswith("voice."))
    english = catalogue.entries("en")[spoken]
    assert wording.checked(spoken, english) == english
    assert "too long" in refused(spoken, english + " " + "a" * 330)


def test_keywords_locales_and_formats_cannot_be_changed(db: Session) -> None:
    for key in ("keyword.help", "language.locale", "format.spoken_time"):
        with pytest.raises(wording.WordingRefused, match="fixed"):
            wording.save(db, "pl", key, "X", staff_id=1, now=NOW)
    assert wording.editable("help.reply") and wording.editable("language.name")


def test_a_second_process_picks_up_a_change_by_the_revision(db: Session) -> None:
    change = record_change(
        db, language="pl", key="help.reply", text=POLISH_HELP, staff_id=None, now=NOW
    )
    db.commit()
    before = catalogue.render("pl", "help.reply", contact="0300 123 4567")
    assert "zadzwoń pod 0300" not in before

    wording.refresh(db)

    assert catalogue.render("pl", "help.reply", contact="0300 123 4567") == (
        "Napisz MENU albo zadzwoń pod 0300 123 4567, a pomożemy."
    )
    assert catalogue.installed_overrides().revision == change.id
    assert catalogue.template("en", "help.reply") == catalogue.entries("en")["help.reply"]


def test_refresh_reloads_only_when_the_revision_moved(db: Session) -> None:
    record_change(db, language="pl", key="help.reply", text=POLISH_HELP, staff_id=None, now=NOW)
    db.commit()
    wording.refresh(db)
    loaded = catalogue.installed_overrides()

    wording.refresh(db)
    assert catalogue.installed_overrides() is loaded

    record_change(db, language="pl", key="help.reply", text=None, staff_id=None, now=NOW)
    db.commit()
    wording.refresh(db)
    assert catalogue.installed_overrides() is not loaded
    assert catalogue.template("pl", "help.reply") == catalogue.entries("pl")["help.reply"]


def test_rows_for_fixed_or_unknown_entries_are_never_installed(db: Session) -> None:
    for language, key in (("pl", "keyword.help"), ("pl", "no.such.key"), ("xx", "help.reply")):
        record_change(db, language=language, key=key, text="X", staff_id=None, now=NOW)
    db.commit()
    wording.refresh(db)
    assert catalogue.installed_overrides().texts == {}
    assert catalogue.template("pl", "keyword.help") == catalogue.entries("pl")["keyword.help"]


def test_the_scheduler_refreshes_before_it_runs_due_tasks(
    db: Session, sessions: sessionmaker[Session]
) -> None:
    record_change(db, language="pl", key="help.reply", text=POLISH_HELP, staff_id=None, now=NOW)
    db.commit()
    assert run_due_tasks(sessions, NOW) == 0
    assert catalogue.installed_overrides().texts == {("pl", "help.reply"): POLISH_HELP}
