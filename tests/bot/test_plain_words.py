"""Plain words: the English texts are easy to read, free of jargon, and say what to send back.

Reading ease is Flesch's, from textstat, on every English text long enough to be a
sentence (6 words or more). The staff-written values a text is filled with are not
ours to judge, so each {placeholder} is read as the one-syllable word "it". A list of short
labels ("Office visit") is not prose and is not scored.
"""

from __future__ import annotations

import re

import pytest
import textstat

from bot import catalogue
from bot.consent_words import START_WORDS, STOP_WORDS, TOPIC_WORDS
from bot.flow import Flow, Question
from bot.messages import Reply
from bot.presentation import presentation_of
from channels.presentations import SMS
from tests.bot.test_catalogue import REALISTIC, _questions, _turn_for

EASIEST_ALLOWED = 70  # Flesch reading ease: 70-80 is "fairly easy", plain English
SENTENCE_WORDS = 6
# What tenants type, locale codes, patterns, and the words that mean danger (bot.danger).
NOT_WORDS = ("keyword.", "language.", "format.", "safety_words.")
# Words and acronyms from the landlord's own papers that tenants should never have to decode.
JARGON = (
    "co-production",
    "coproduction",
    "scrutiny",
    "ARC",
    "SHR",
    "TRA",
    "RSVP",
    "AGM",
    "ASB",
    "KPI",
    "SLA",
    "RSL",
    "HMO",
    "stakeholder",
    "engagement",
    "empowerment",
    "governance",
    "consultation",
    "tenure",
    "void",
    "facilitate",
    "utilise",
    "in order to",
    "prior to",
)
FINE_IN_CAPITALS = frozenset({"OK"})


def _english() -> dict[str, str]:
    return {
        key: text for key, text in catalogue.entries("en").items() if not key.startswith(NOT_WORDS)
    }


def _as_read(text: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "it", text)


def test_every_english_sentence_reads_at_70_or_more() -> None:
    hard = {
        key: textstat.flesch_reading_ease(_as_read(text))
        for key, text in _english().items()
        if len(_as_read(text).split()) >= SENTENCE_WORDS
        and textstat.flesch_reading_ease(_as_read(text)) < EASIEST_ALLOWED
    }
    assert hard == {}


def test_the_reading_ease_check_can_fail() -> None:
    officialese = "Stakeholder engagement facilitates collaborative organisational accountability."
    assert textstat.flesch_reading_ease(officialese) < EASIEST_ALLOWED


def test_no_english_text_uses_jargon() -> None:
    found = {
        key: word
        for key, text in _english().items()
        for word in JARGON
        if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, flags=re.IGNORECASE)
    }
    assert found == {}


def test_every_word_in_capitals_is_one_a_tenant_can_send() -> None:
    """Capitals are for words to text back (REPLY, SHOP); any other is an acronym."""
    keywords = (key for key in catalogue.entries("en") if key.startswith("keyword."))
    sendable = {form for key in keywords for form in catalogue.keyword_forms(key)}
    sendable |= STOP_WORDS | START_WORDS | set(TOPIC_WORDS)  # STOP NEWS, START POLLS
    acronyms = {
        key: word
        for key, text in _english().items()
        for word in re.findall(r"\b[A-Z]{2,}\b", text)
        if word not in sendable | FINE_IN_CAPITALS
    }
    assert acronyms == {}


@pytest.mark.parametrize(
    ("_flow", "_state", "question"), _questions(), ids=lambda v: getattr(v, "name", str(v))
)
def test_every_question_says_exactly_what_to_send_back(
    _flow: Flow, _state: str, question: Question
) -> None:
    turn = _turn_for("en")
    labels = tuple(
        option.text or catalogue.render(option.label_language or "en", option.label)
        for option in question.options_for(turn)
    )
    prompt = catalogue.render("en", question.prompt, **REALISTIC)
    sms = presentation_of(SMS).reply("en", Reply(prompt, labels)).body
    if callable(question.options) or labels:  # the numbers to reply are listed under it
        assert callable(question.options) or sms.endswith(
            catalogue.render(
                "en", "choice.reply", numbers=catalogue.numbers_list("en", len(labels))
            )
        ), sms
        return
    assert re.search(r"\b(Reply|reply|Send|send|Text|text|tap|press)\b", sms), sms
