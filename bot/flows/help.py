"""Help from the menu: the same answer as the HELP word."""

from __future__ import annotations

from bot.flow import Flow, Turn


def begin(turn: Turn) -> None:
    turn.say("help.reply")


FLOW = Flow(name="help", begin=begin, menu_label="menu.help", resumable=False)
