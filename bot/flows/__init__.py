"""The conversations the bot can have. A new flow is a module here and one line below."""

from __future__ import annotations

from bot import catalogue
from bot.flow import Flow, Turn
from bot.flows import (
    events,
    help,
    inspection_more,
    inspection_rsvp,
    join,
    language,
    menu,
    message_team,
    mystery_shop,
    opportunity,
    prefs,
    registration,
    repair_survey,
    report_issue,
    stranger_call,
    telegram_code,
    telegram_link,
    unlink,
    voice_report,
    vote,
)
from bot.matching import normalise
from bot.presentation import Trait

MENU_ENTRIES: tuple[Flow, ...] = (
    message_team.FLOW,
    mystery_shop.FLOW,
    events.FLOW,
    vote.FLOW,
    report_issue.FLOW,
    voice_report.FLOW,
    inspection_rsvp.FLOW,
    join.FLOW,
    language.FLOW,
    help.FLOW,
)

FLOWS: dict[str, Flow] = {
    flow.name: flow
    for flow in (
        *MENU_ENTRIES,
        menu.build(MENU_ENTRIES),
        registration.FLOW,
        telegram_link.FLOW,
        telegram_code.FLOW,
        unlink.FLOW,
        inspection_more.FLOW,
        repair_survey.FLOW,
        opportunity.FLOW,
        stranger_call.FLOW,
        prefs.FLOW,
    )
}

TELEGRAM_START = "/start"


def flow_for_keyword(turn: Turn, text: str) -> Flow | None:
    """The flow a keyword starts (REPORT, SHOP, ...), if it is offered to this tenant here."""
    if text.strip().lower().startswith(TELEGRAM_START):
        return FLOWS["menu"] if turn.tenant.registered else FLOWS["telegram_link"]
    return flow_named_by(turn, text)


def flow_named_by(turn: Turn, text: str) -> Flow | None:
    """The flow whose keyword the whole text is, if it is offered to this tenant here."""
    said = normalise(text).upper()
    for flow in FLOWS.values():
        said_its_word = any(said in catalogue.keyword_forms(key) for key in flow.keywords)
        if said_its_word and flow.offered(turn.tenant, turn.channel):  # offered may ask the db
            return flow
    return None


def first_contact_flow(turn: Turn) -> Flow:
    """A stranger on a chat account links it to their phone; on a phone, they register;
    on a call, where nobody can register, what they say goes to staff."""
    if turn.can(Trait.HEARS):
        return FLOWS["stranger_call"]
    return FLOWS["telegram_link" if turn.can(Trait.ACCOUNT) else "registration"]
