"""Which broadcast a message to staff answers: only one it plausibly answers, else none.

Linking every message to the last notice a tenant was sent filed a long complaint about
black mould in a child's bedroom as "In reply to broadcast 1", a notice about the lifts.
Now a message for the inbox is linked to a broadcast sent to the tenant in the last 7
days (an opportunity: its 14), the latest first, only when one of these holds:

1. it is the word the broadcast asks for: YES to an opportunity;
2. it is short (160 characters, one text, or fewer) and came within a day of the
   broadcast: "What time?", "Will the lifts be off all day?";
3. it repeats the broadcast's own words: two of its telling words (four letters or more,
   not everyday words such as "will" or "please"; "lift" and "lifts" are one), or one
   for a short message.

Anything else is a message of its own, however soon after a broadcast it came. (Chinese
is written without spaces, so a Chinese notice has no telling words: rules 1 and 2 only.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot import catalogue
from bot.matching import match_keyword
from bot.phrases import same_word, words_of
from models.broadcasts import (
    OPPORTUNITY_OPEN,
    Broadcast,
    BroadcastKind,
    Received,
    broadcasts_received,
)

REPLY_LINK = timedelta(days=7)
QUICK_REPLY = timedelta(days=1)
SHORT_REPLY = 160  # characters: one text
TELLING_WORDS = 2  # a longer message must repeat this many of the broadcast's own words
SHORTEST_TELLING = 4
LATEST_LOOKED_AT = 5  # broadcasts, the latest first
EVERYDAY = frozenset(
    {
        "about", "after", "again", "also", "been", "before", "come", "could", "each", "even",
        "every", "from", "have", "here", "help", "into", "just", "know", "like", "made",
        "make", "many", "more", "most", "much", "need", "only", "other", "over", "please",
        "reply", "said", "same", "some", "soon", "such", "tell", "than", "thank", "thanks",
        "that", "their", "them", "then", "there", "these", "they", "this", "those", "time",
        "today", "very", "want", "week", "well", "were", "what", "when", "where", "which",
        "while", "will", "with", "would", "your", "yours",
    }
)  # fmt: skip


def broadcast_answered(session: Session, tenant_id: int, text: str, now: datetime) -> int | None:
    """The id of the broadcast this message for the inbox answers, or None."""
    received = broadcasts_received(
        session, tenant_id, since=now - OPPORTUNITY_OPEN, limit=LATEST_LOOKED_AT
    )
    return next((r.broadcast.id for r in received if _answers(r, text, now)), None)


def _answers(received: Received, text: str, now: datetime) -> bool:
    broadcast, age = received.broadcast, now - received.sent_at
    if broadcast.kind == BroadcastKind.OPPORTUNITY and _is_yes(text):
        return True
    if age > REPLY_LINK:
        return False
    short = len(text.strip()) <= SHORT_REPLY
    if short and age <= QUICK_REPLY:
        return True
    return _echoed(broadcast, text) >= (1 if short else TELLING_WORDS)


def _is_yes(text: str) -> bool:
    return match_keyword(text, catalogue.keyword_forms("keyword.yes")) is not None


def _echoed(broadcast: Broadcast, text: str) -> int:
    """How many of the broadcast's telling words the message repeats."""
    said = words_of(text)
    return sum(1 for word in _telling_words(broadcast) if any(same_word(w, word) for w in said))


def _telling_words(broadcast: Broadcast) -> set[str]:
    return {
        word
        for written in broadcast.texts.values()
        for word in words_of(str(written))
        if len(word) >= SHORTEST_TELLING and word not in EVERYDAY and not word.isdigit()
    }
