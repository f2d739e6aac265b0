"""REPORT by phone: a landline caller leaves a voice note about a problem on the estate.

Pressing keys for a category and spelling out a place is no way to report by phone, so
a call records one voice note ("what is wrong, and where") and files it as a report for
the area's next walk; staff listen to it in the console.

    tell -> filed: the reference, read out
"""

from __future__ import annotations

from bot.flow import Answer, Flow, Question, Turn, registered
from bot.messages import VOICE_NOTE
from bot.presentation import Trait
from models.inspections import ReportCategory, file_report


def take_voice_note(turn: Turn, _answer: Answer) -> str | None:
    if turn.message.recording_url is None:  # the caller pressed the hash key without speaking
        return "tell"
    report = file_report(
        turn.session,
        tenant=turn.tenant,
        category=ReportCategory.OTHER,
        location=VOICE_NOTE,
        description=VOICE_NOTE,
        photo_ids=[],
        voice_note=turn.message.recording_url,
        channel=turn.channel,
        now=turn.now,
    )
    turn.say("voice.report.thanks", reference=" ".join(report.reference))
    return None


FLOW = Flow(
    name="voice_report",
    begin=lambda _turn: "tell",
    questions={"tell": Question("voice.report.tell", take_voice_note)},
    keywords=("keyword.report",),
    menu_label="menu.report",
    offered_to=registered,
    needs=frozenset({Trait.HEARS}),
    resumable=False,
)
