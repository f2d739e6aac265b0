"""The wording pages: drafts per language, staff's changes used by the bot at once,
who made them and when, and the rules a change must keep."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import catalogue
from models.wording import WordingChange
from tests.factories import create_tenant
from tests.helpers import Phone, StaffBrowser

Staff = Callable[[str], StaffBrowser]
POLISH = "/staff/wording/pl"
HELP = "/staff/wording/pl/help.reply"


def polish_help_word() -> str:
    return catalogue.template("pl", "keyword.help")


OURS = "Potrzebujesz pomocy? Zadzwon do nas: {contact}. Napisz MENU, aby zobaczyc opcje."


def _clear_catalogue_caches() -> None:
    for cached in (catalogue._catalogues, catalogue.entries, catalogue.languages):
        cached.cache_clear()
    catalogue.keyword_forms.cache_clear()


@pytest.fixture(autouse=True)
def drafted_polish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The catalogues as they are, with Polish help.reply the one draft (fuzzy) in Polish;
    each test starts and leaves a process that has read no staff wording."""
    texts = tmp_path / "texts"
    shutil.copytree(catalogue.TEXTS, texts)
    drafted = ""
    for path in (texts / "pl" / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as po:
            polish = read_po(po, locale="pl")
        for message in polish:
            message.flags.discard("fuzzy")
            if message.id == "help.reply":
                message.flags.add("fuzzy")
                drafted = str(message.string)
        with path.open("wb") as po:
            write_po(po, polish)
    monkeypatch.setattr(catalogue, "TEXTS", texts)
    _clear_catalogue_caches()
    catalogue.install_overrides(catalogue.Overrides())
    yield drafted
    catalogue.install_overrides(catalogue.Overrides())
    monkeypatch.undo()
    _clear_catalogue_caches()


@pytest.fixture
def polish_phone(db: Session, phone: Phone) -> Phone:
    create_tenant(db, name="Ewa Nowak", phone=phone.number, language="pl")
    db.commit()
    return phone


def changes(db: Session) -> int:
    db.expire_all()
    count = db.scalar(select(func.count(WordingChange.id))) or 0
    db.commit()
    return count


def polish_counts(staff: StaffBrowser) -> list[str]:
    """Entries, drafts and changed, as the overview's Polish row shows them."""
    html = staff.client.get("/staff/wording/").get_data(as_text=True)
    row = html.split(f'href="{POLISH}"', 1)[1].split("</tr>", 1)[0]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in row.split("<td>")[1:]]


def test_an_officers_polish_wording_is_the_next_sms_reply_at_once(
    staff_as: Staff, polish_phone: Phone, drafted_polish: str
) -> None:
    officer = staff_as("officer")
    assert polish_phone.text(polish_help_word()) == [drafted_polish.format(contact="0300 123 4567")]

    response = officer.submit(HELP, HELP, {"action": "save", "text": OURS})

    assert response.status_code == 302 and response.headers["Location"].startswith(POLISH)
    assert polish_phone.text(polish_help_word()) == [OURS.format(contact="0300 123 4567")]
    row = officer.client.get(POLISH).get_data(as_text=True).split('id="help.reply"')[1]
    row = row.split("</tr>")[0]
    assert f"Changed by {officer.email} on 3 Mar 2026, 10:00" in row


def test_the_overview_counts_drafts_until_approved_as_written(
    staff_as: Staff, polish_phone: Phone, drafted_polish: str
) -> None:
    officer = staff_as("officer")
    entries = str(len(catalogue.entries("pl")))
    assert polish_counts(officer) == [entries, "1", "0"]
    drafts = officer.client.get(f"{POLISH}?drafts=1").get_data(as_text=True)
    assert "help.reply" in drafts and "1 entry." in drafts

    assert officer.submit(HELP, HELP, {"action": "approve"}).status_code == 302

    assert polish_counts(officer) == [entries, "0", "0"]
    assert "No drafts left to review." in officer.client.get(f"{POLISH}?drafts=1").get_data(
        as_text=True
    )
    assert f"Reviewed by {officer.email}" in officer.client.get(HELP).get_data(as_text=True)
    assert polish_phone.text(polish_help_word()) == [drafted_polish.format(contact="0300 123 4567")]


def test_back_to_the_catalogue_restores_its_wording_and_its_draft(
    staff_as: Staff, polish_phone: Phone, drafted_polish: str
) -> None:
    officer = staff_as("officer")
    officer.submit(HELP, HELP, {"action": "save", "text": OURS})

    assert officer.submit(HELP, HELP, {"action": "restore"}).status_code == 302

    assert polish_phone.text(polish_help_word()) == [drafted_polish.format(contact="0300 123 4567")]
    page = officer.client.get(HELP).get_data(as_text=True)
    assert "<strong>Draft</strong>" in page and "put back to the catalogue" in page


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Napisz MENU, aby zobaczyc opcje.", "Keep these placeholders: {contact}."),
        ("Zadzwon {contact} albo {telefon}.", "This entry has no placeholder {telefon}."),
        ("{contact} " + "a" * 290, "This is too long"),
        ("   ", "Enter the text"),
    ],
)
def test_wording_that_breaks_the_rules_is_refused_with_the_reason(
    staff_as: Staff, db: Session, polish_phone: Phone, drafted_polish: str, text: str, reason: str
) -> None:
    response = staff_as("admin").submit(HELP, HELP, {"action": "save", "text": text})

    assert response.status_code == 422
    assert reason in response.get_data(as_text=True)
    assert changes(db) == 0
    assert polish_phone.text(polish_help_word()) == [drafted_polish.format(contact="0300 123 4567")]


def test_a_viewer_reads_the_wording_but_cannot_save(staff_as: Staff, db: Session) -> None:
    viewer = staff_as("viewer")
    page = viewer.client.get(HELP)
    assert page.status_code == 200 and "Approve as written" not in page.get_data(as_text=True)

    assert viewer.submit(HELP, HELP, {"action": "save", "text": OURS}).status_code == 403
    assert viewer.submit(HELP, HELP, {"action": "approve"}).status_code == 403
    assert changes(db) == 0


def test_keywords_are_shown_read_only_and_cannot_be_changed(staff_as: Staff, db: Session) -> None:
    officer = staff_as("officer")
    keyword = "/staff/wording/pl/keyword.help"
    assert "This entry is fixed" in officer.client.get(keyword).get_data(as_text=True)

    response = officer.submit(keyword, keyword, {"action": "save", "text": "RATUNKU"})

    assert response.status_code == 422 and changes(db) == 0
    assert catalogue.template("pl", "keyword.help") == catalogue.entries("pl")["keyword.help"]


def test_an_unknown_language_or_entry_is_a_404(staff_as: Staff) -> None:
    officer = staff_as("officer")
    assert officer.client.get("/staff/wording/xx").status_code == 404
    assert officer.client.get("/staff/wording/pl/no.such.entry").status_code == 404
    response = officer.submit(HELP, "/staff/wording/xx/help.reply", {"action": "approve"})
    assert response.status_code == 404


def test_the_console_picks_up_a_change_another_process_saved(staff_as: Staff, db: Session) -> None:
    officer = staff_as("officer")
    officer.submit(HELP, HELP, {"action": "save", "text": OURS})
    catalogue.install_overrides(catalogue.Overrides())  # as a process that never saw it

    page = officer.client.get(POLISH).get_data(as_text=True)

    assert OURS in page
    assert catalogue.installed_overrides().texts == {("pl", "help.reply"): OURS}
