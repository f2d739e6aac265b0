"""MORE: the full list of what the area's last estate walk found, after its short summary.

Each finding is its own short message, so the list never has to squeeze into one SMS.
"""

from __future__ import annotations

from bot.flow import Flow, Turn, registered
from bot.inspection_notices import full_list
from bot.messages import Reply
from models.inspections import latest_closed


def begin(turn: Turn) -> None:
    walk = latest_closed(turn.session, turn.tenant.area_id)
    if walk is None:
        turn.say("inspection.nothing_more")
        return
    found = full_list(turn.language, walk, settings=turn.settings)
    if not found:
        turn.say("inspection.summary_nothing", area=walk.area.name)
    turn.replies.extend(Reply(text) for text in found)


FLOW = Flow(
    name="inspection_more",
    begin=begin,
    keywords=("keyword.more",),
    offered_to=registered,
    resumable=False,
)
