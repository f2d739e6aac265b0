"""STOP, START and HELP: the words that win over every conversation.

The opt-out words are Twilio's own, because Twilio acts on them at its end too
(which is why the bot never asks anyone to text CANCEL). An opted-out tenant
gets nothing but the confirmation, an answer to HELP, and START.
"""

from __future__ import annotations

from bot import catalogue
from bot.flow import Turn
from bot.matching import normalise
from bot.messages import Reply
from models.consent import Topic, record_consent, set_topic

STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
START_WORDS = frozenset({"START", "UNSTOP"})
START_WORDS_WHEN_OPTED_OUT = frozenset({"YES"})
TELEGRAM_START = "/start"
TOPIC_WORDS = {
    "EVENTS": Topic.EVENTS,
    "EVENT": Topic.EVENTS,
    "POLLS": Topic.SURVEYS,
    "POLL": Topic.SURVEYS,
    "SURVEYS": Topic.SURVEYS,
    "SURVEY": Topic.SURVEYS,
    "VOTES": Topic.SURVEYS,
    "NEWS": Topic.NEWS,
    "WALKS": Topic.INSPECTIONS,
    "WALK": Topic.INSPECTIONS,
    "INSPECTIONS": Topic.INSPECTIONS,
}
"""The second word of STOP EVENTS or START POLLS: one topic, not the whole channel."""


def handle(turn: Turn, text: str, *, stopped: bool) -> bool:
    """Answer a consent word; True when the message needs nothing more.

    ``stopped`` is whether the tenant had opted out of this channel (the engine has
    read it for the turn); an opted-out tenant's other words need nothing more.
    """
    said = normalise(text).upper()
    if text.strip().lower().startswith(TELEGRAM_START):
        if not stopped:
            return False  # the flows greet a new chat; only a blocked one is opting back in
        _change(turn, granted=True, source="telegram /start", key="start.confirmed")
    elif said in STOP_WORDS:
        turn.put_aside()
        _change(turn, granted=False, source=f"keyword {said}", key="stop.confirmed")
    elif said in START_WORDS or (stopped and said in START_WORDS_WHEN_OPTED_OUT):
        _change(turn, granted=True, source=f"keyword {said}", key="start.confirmed")
    elif (topic_change := _topic_change(said)) is not None:
        topic, granted = topic_change
        change_topic(turn, topic, granted=granted, source=f"keyword {said}")
    elif said in catalogue.keyword_forms("keyword.help"):
        key = "help.reply_mid_flow" if turn.state is not None else "help.reply"
        turn.replies.append(Reply(turn.text(key), about_consent=True))
    else:
        return stopped
    return True


def _topic_change(said: str) -> tuple[Topic, bool] | None:
    """(topic, granted) for STOP EVENTS, START POLLS, ...; None for anything else."""
    verb, _, rest = said.partition(" ")
    topic = TOPIC_WORDS.get(rest.strip())
    if topic is None or verb not in STOP_WORDS | START_WORDS:
        return None
    return topic, verb in START_WORDS


def change_topic(turn: Turn, topic: str, *, granted: bool, source: str) -> None:
    """Stop or restart one topic for the tenant, logged with the wording they are told."""
    key = f"topics.{'started' if granted else 'stopped'}.{topic}"
    set_topic(
        turn.session,
        tenant_id=turn.tenant.id,
        topic=topic,
        granted=granted,
        source=source,
        wording_version=catalogue.wording_version(turn.language, key),
        now=turn.now,
    )
    turn.replies.append(Reply(turn.text(key), about_consent=True))


def _change(turn: Turn, *, granted: bool, source: str, key: str) -> None:
    record_consent(
        turn.session,
        tenant_id=turn.tenant.id,
        channel=turn.channel,
        topic=Topic.ALL,
        granted=granted,
        source=source,
        wording_version=catalogue.wording_version(turn.language, key),
        now=turn.now,
    )
    turn.replies.append(Reply(turn.text(key), about_consent=True))
