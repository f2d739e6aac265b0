"""What staff paste into a notice: word-processor typography never makes it UCS-2, and
whatever else does is named for them before sending."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.flow import Settings
from bot.sms import GSM7, is_gsm7
from models.broadcasts import Broadcast
from participation.broadcasts import cleaned_texts, language_costs

PASTED = (
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u00ab\u00bb"  # quotes
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphens and dashes
    "\u2022\u2023\u2043\u25cf\u25e6\u25aa\uf0b7"  # bullets
    "\u00a0\u2002\u2003\u2009\u202f\u3000\u200b\u00ad\ufeff\u2026"  # spaces, ellipsis
)
typed = st.text(alphabet=st.sampled_from(sorted(GSM7 - {"\x0c"}) + list(PASTED)), max_size=120)
SETTINGS = Settings(landlord="Fife Housing Group")


def costs_of(text: str) -> tuple[str, bool, tuple[str, ...]]:
    broadcast = Broadcast(kind="notice", texts={"en": text})
    english = language_costs(broadcast, SETTINGS)[0]  # then the others, in English
    return english.encoding, is_gsm7(english.body), english.forcing_ucs2


@given(typed)
def test_pasted_typography_never_forces_ucs2(text: str) -> None:
    cleaned = cleaned_texts({"en": "x" + text})["en"]
    assert is_gsm7(cleaned)
    assert costs_of(cleaned) == ("GSM-7", True, ())


@given(
    typed.map(lambda text: text[:60]), st.sampled_from(["\U0001f389", "\u0436", "\u4e2d", "\u0119"])
)
def test_a_character_with_no_twin_is_named_among_those_forcing_ucs2(text: str, odd: str) -> None:
    # Short enough to fit 2 UCS-2 segments, so no accent is dropped to make it fit.
    cleaned = cleaned_texts({"en": "Fun day " + odd + text})["en"]
    encoding, _, forcing = costs_of(cleaned)
    assert encoding == "UCS-2"
    assert odd in forcing
    assert set(forcing) == {char for char in cleaned if char not in GSM7}
