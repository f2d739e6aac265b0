"""Danger in what a tenant writes: it is marked urgent, and they hear of the repairs line.

A message or a report about damp and mould, gas, fire, flooding and leaks, no heating
or water, electrics, structural damage or unlit stairs must not wait for an estate walk
or an officer's reply. Staff see it marked urgent (dashboard, inbox, API), and the tenant
is told at once to call the repairs line (the REPAIRS_PHONE setting), and 999 if anyone
is in danger.

The safety words are in the catalogues, one comma-separated list per hazard and language
(``safety_words.<hazard>`` in danger.po), where staff can add to them on the wording
page. Every language's lists are looked for in every message, since tenants mix
languages; bot.phrases says how forgiving the search is.
"""

from __future__ import annotations

from functools import lru_cache

from bot import catalogue
from bot.flow import Turn
from bot.phrases import Phrases

HAZARDS = ("damp", "gas", "fire", "flood", "heating", "electrics", "structure", "dark")


def sounds_dangerous(text: str) -> bool:
    return _phrases(_lists()).found_in(text)


def _lists() -> tuple[str, ...]:
    """Every language's lists as they are worded now, staff's changes included."""
    return tuple(
        catalogue.template(language, f"safety_words.{hazard}")
        for language in catalogue.languages()
        for hazard in HAZARDS
    )


@lru_cache(maxsize=2)  # the lists change only when staff change the wording
def _phrases(lists: tuple[str, ...]) -> Phrases:
    return Phrases.of(phrase for listed in lists for phrase in listed.split(","))


def thank(turn: Turn, usual: str) -> None:
    """Thank the tenant for a message to staff: with the repairs line if it sounds dangerous."""
    if sounds_dangerous(turn.message.text):
        turn.say("danger.thanks", repairs=turn.settings.repairs)
    else:
        turn.say(usual)
