"""Every text the bot sends: in the catalogues, in every language, and at most 2 SMS."""

from __future__ import annotations

import re
import string
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot import catalogue
from bot.flow import Flow, Question, Settings, Turn
from bot.flows import FLOWS, MENU_ENTRIES
from bot.messages import Reply
from bot.presentation import presentation_of
from bot.sms import count_segments, fit_for_sms, is_gsm7, plain_letters
from channels.presentations import SMS
from tests.bot import (
    realistic_broadcasts,
    realistic_events,
    realistic_involvement,
    realistic_polls,
    realistic_repairs,
)

# The longest realistic values: a long double-barrelled name, the longest estate name.
REALISTIC = {
    "landlord": "Fife Housing Group",
    "contact": "0300 123 4567 (Mon-Fri 9-5)",
    "repairs": "0131 496 0000",  # REPAIRS_PHONE, as config writes a UK number
    "name": "Alexandrina Macdonald-Campbell",
    "area": "Glenrothes Pitteuchar East",
    "code": "123456",
    "time": "23:45",  # when a chat that tried too many Telegram codes may try again
    "numbers": "1, 2, 3, 4, 5 or 6",
    # estate inspections: the longest a spoken time, a meeting point (80), a report's words
    # (as the report flow shortens them) and the summary's actions can be
    "when": "Wed 30 Sep, 10:30",
    "date": "Wed 30 Sep",
    "place": "the bench outside the community flat at 14-16 Pitteuchar Road, by the shops",
    "reference": "R-10423",
    "category": "Grass, trees or play area",
    "where": "the bin store behind 12 High Street, next to the garages",
    "what": "Broken glass all over the path and the light above the door is out",
    "count": "12",
    "action": "Repairs team to replace the broken light above the stair door, by Fri 12 Dec.",
    "actions": "Replace stair light, by Fri 12 Dec. Clear fly-tipping, by Mon 8 Dec.",
    "number": "12",
    "total": "12",
    "found": "Fly-tipped mattress and bags of rubbish behind the garages at Leslie Road",
    "option": "Events: say if you're coming",  # a menu entry, read out on a call
    # a file a tenant sent that was not kept: its kind (media.kind.*), MEDIA_MAX_BYTES in MB
    "kind": "sound recording",
    "limit": "50",
    **realistic_events.VALUES,
    **realistic_broadcasts.VALUES,
    **realistic_polls.VALUES,
    **realistic_repairs.VALUES,
    **realistic_involvement.VALUES,
}
BOT = Path(__file__).parents[2] / "bot"
# A language written in another script goes as UCS-2, 134 characters in 2 SMS. The
# composers cut staff's words (an event's title, a meeting point, a finding) until the
# whole message fits, and a poll or notice that cannot fit is refused on saving; so in
# such a language the template must leave room for each value at this length.
UCS2_VALUE_ROOM = 30


def realistic_values(language: str) -> dict[str, str]:
    """Full length where the script can go as GSM-7 (Polish without its accents if need be)."""
    if is_gsm7(plain_letters(catalogue.render(language, "menu.prompt"))):
        return REALISTIC
    return {name: value[:UCS2_VALUE_ROOM] for name, value in REALISTIC.items()}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", catalogue.languages())
def test_every_language_has_every_english_entry_with_the_same_placeholders(language: str) -> None:
    english = catalogue.entries("en")
    theirs = catalogue.entries(language)
    assert set(theirs) == set(english)
    for key, text in english.items():
        assert placeholders(theirs[key]) == placeholders(text), key


@pytest.mark.parametrize("language", catalogue.languages())
def test_every_entry_filled_with_realistic_values_fits_two_sms(language: str) -> None:
    values = realistic_values(language)
    too_long = {
        key: count_segments(fit_for_sms(text.format(**values))).segments
        for key, text in catalogue.entries(language).items()
        if count_segments(fit_for_sms(text.format(**values))).segments > 2
    }
    assert too_long == {}


# Questions whose flow cuts staff's words until the whole question fits (as the notices
# do): checked with the longest real values, through the webhook, in every language, by
# tests/webhooks/test_languages.py.
FITTED_BY_THE_FLOW = frozenset({"events.are_you_coming"})


def _questions() -> list[tuple[Flow, str, Question]]:
    return [
        (flow, name, question)
        for flow in FLOWS.values()
        for name, question in flow.questions.items()
        if question.prompt not in FITTED_BY_THE_FLOW
    ]


def _turn_for(language: str) -> Any:
    """Enough of a turn for option lists that depend on the tenant (menu, languages).

    The tenant is offered everything (a shopper with an estate), so the menu is its longest.
    """
    tenant = SimpleNamespace(
        language=language,
        registered=True,
        role_names={"mystery_shopper"},
        area_id=1,
        name=REALISTIC["name"],
    )
    return SimpleNamespace(
        tenant=tenant,
        channel="sms",
        language=language,
        settings=Settings(),
        answers={},
    )


@pytest.mark.parametrize("language", catalogue.languages())
@pytest.mark.parametrize(
    ("flow", "state", "question"), _questions(), ids=lambda v: getattr(v, "name", str(v))
)
def test_every_question_with_its_numbered_options_fits_two_sms(
    language: str, flow: Flow, state: str, question: Question
) -> None:
    turn: Turn = _turn_for(language)
    labels = tuple(
        option.text or catalogue.render(option.label_language or language, option.label)
        for option in question.options_for(turn)
    )
    prompt = catalogue.render(language, question.prompt, **realistic_values(language))
    sms = presentation_of(SMS).reply(language, Reply(prompt, labels)).body
    assert count_segments(sms).segments <= 2, sms


def test_every_text_key_named_in_the_code_is_in_the_catalogue() -> None:
    known = set(catalogue.keys())
    named = {
        key
        for path in BOT.rglob("*.py")
        for key in re.findall(r'"((?:[a-z_]+)\.(?:[a-z_]+))"', path.read_text())
        if not key.endswith((".py", ".po"))
    }
    assert named, "the scan found the keys the flows use"
    assert named - known == set()


def test_a_missing_translation_falls_back_to_english() -> None:
    assert catalogue.template("xx", "menu.prompt") == catalogue.template("en", "menu.prompt")


def test_an_unknown_key_is_an_error_not_a_blank_message() -> None:
    with pytest.raises(catalogue.UnknownText):
        catalogue.render("en", "no.such_text")


def test_every_flow_ships_a_diagram_that_names_its_questions() -> None:
    for flow in FLOWS.values():
        diagram = BOT / "flows" / f"{flow.name}.mmd"
        assert diagram.exists(), f"{diagram} is missing"
        missing = [state for state in flow.questions if state not in diagram.read_text()]
        assert missing == [], f"{flow.name}.mmd does not show {missing}"


def test_a_key_in_two_catalogues_of_a_language_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    for name in ("messages.po", "events.po"):
        (folder / name).write_text('msgid "menu.prompt"\nmsgstr "Reply with a number"\n')
    monkeypatch.setattr(catalogue, "TEXTS", tmp_path)
    catalogue._catalogues.cache_clear()
    try:
        with pytest.raises(catalogue.DuplicateText, match=r"menu\.prompt"):
            list(catalogue._messages("en"))
    finally:
        catalogue._catalogues.cache_clear()


def test_each_capability_catalogue_adds_to_the_core_one() -> None:
    files = {path.name for path in (BOT / "texts" / "en" / "LC_MESSAGES").glob("*.po")}
    assert catalogue.CORE in files and len(files) > 1
    assert len(catalogue.keys()) > len(catalogue._catalogues("en")[0])


@pytest.mark.parametrize("language", catalogue.languages())
def test_the_menu_with_every_entry_offered_fits_two_sms(language: str) -> None:
    texting = presentation_of(SMS).traits
    by_sms = [flow for flow in MENU_ENTRIES if texting.issuperset(flow.needs)]
    labels = tuple(
        catalogue.render(language, flow.menu_label) for flow in by_sms if flow.menu_label
    )
    prompt = catalogue.render(language, "menu.prompt", **realistic_values(language))
    sms = presentation_of(SMS).reply(language, Reply(prompt, labels)).body
    assert len(labels) == len(by_sms) and count_segments(sms).segments <= 2, sms
