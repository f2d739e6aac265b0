"""One step of conversation: an inbound message and the tenant's state in, replies out.

Everything happens in the caller's transaction: the inbound record, the state
change, consent changes and the outbox rows commit together or not at all.
Global words (STOP, START, HELP, MENU, LANG, UNLINK) win in every state; a flow's
keyword (REPORT, COMING, ...) wins over a question it does not answer, the
conversation put aside to resume later; anything else a question does not
understand gets one short re-prompt saying what to send.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import catalogue, consent_words, danger, wording
from bot.attachments import expect_files
from bot.broadcast_replies import broadcast_answered
from bot.flow import Answer, Flow, Option, Question, Settings, Turn
from bot.flows import FLOWS, first_contact_flow, flow_for_keyword, flow_named_by
from bot.matching import match_choice, normalise
from bot.messages import InboundMessage, Reply
from bot.outbox import queue_replies
from models.consent import opted_out
from models.conversations import (
    Conversation,
    current_conversation,
    take_saved_progress,
)
from models.messages import (
    InboundRecord,
    InboxState,
    OutboundRecord,
    storable,
    storable_fields,
)
from models.tenants import Tenant, identity_for
from models.tombstones import ErasedMessage, was_erased


@dataclass(frozen=True)
class Outcome:
    """The stored message and its queued answers, with what the turn learnt of the sender.

    The caller may hand replies back at once; what it needs to check at send time
    (reachable, opted out) the turn has just read, so it need not ask again.
    """

    inbound: InboundRecord
    replies: list[OutboundRecord]
    sender_id: int  # the tenant the message came from (a Telegram link may move replies on)
    opted_out: bool  # the sender had said STOP here, so only STOP/START/HELP answers are queued


def handle(
    session: Session, message: InboundMessage, *, now: datetime, settings: Settings
) -> Outcome:
    """Store the message, answer it, and queue the answers.

    A provider retry of a stored message fails the insert (channel and provider id
    are unique) with IntegrityError, so the caller's transaction rolls back whole.
    """
    identity = identity_for(session, message.channel, message.address, lock=True)
    _refuse_erased(session, identity.tenant, message)
    identity.reachable = True  # they wrote to us: whatever blocked them has passed
    record = InboundRecord(
        tenant_id=identity.tenant_id,
        channel=message.channel,
        address=message.address,
        provider_id=message.provider_id,
        body=storable(message.text),
        media=_media(message),
        raw=storable_fields(message.raw),
        received_at=now,
    )
    session.add(record)
    session.flush()  # a retry stops here, before anything is answered
    expect_files(session, record.id, message, now)
    wording.refresh(session)  # staff's latest wording, if they changed any since
    sender = identity.tenant
    turn = Turn(session, sender, identity, record.id, now, settings, message)
    conversation = current_conversation(session, sender.id, now)
    if conversation is not None:
        turn.flow, turn.state = conversation.flow, conversation.state
        turn.answers = dict(conversation.answers)
    stopped = opted_out(session, sender.id, turn.channel)
    respond(turn, message, stopped=stopped)
    if turn.tenant is not sender:  # a Telegram chat joined to a known tenant: theirs now
        conversation = session.get(Conversation, turn.tenant.id)
    _keep_position(turn, conversation)
    # Looked up before the record changes, so its flow, inbox and broadcast go in one UPDATE.
    answered = (
        broadcast_answered(session, turn.tenant.id, message.text, now) if turn.to_inbox else None
    )
    record.flow = turn.answered_in or turn.flow  # a flow's last answer is still that flow's
    if turn.to_inbox:
        record.inbox, record.broadcast_id = InboxState.OPEN, answered
        record.urgent = danger.sounds_dangerous(message.text)
    return Outcome(record, queue_replies(turn), sender_id=sender.id, opted_out=stopped)


def _refuse_erased(session: Session, sender: Tenant, message: InboundMessage) -> None:
    """A replay of an erased tenant's message comes from a stranger now; it must not revive them.

    Only a stranger (or someone still signing up) can be sending one, so the
    registered tenants' every message pays nothing for the check.
    """
    if not sender.registered and was_erased(session, message.channel, message.provider_id):
        raise ErasedMessage(message.channel)


def respond(turn: Turn, message: InboundMessage, *, stopped: bool) -> None:
    """``stopped``: the tenant had opted out of this channel when the message came."""
    if not consent_words.handle(turn, message.text, stopped=stopped):
        converse(turn, message)


def converse(turn: Turn, message: InboundMessage) -> None:
    """Anything but a consent word: menu words, the question in hand, keywords, the inbox.

    An empty message (nothing typed but spaces, nothing attached) is answered with
    that, and goes nowhere: no flow, no staff inbox.
    """
    word = _menu_word(message.text)
    if word is not None:
        start_flow(turn, FLOWS[word])
    elif turn.state is not None:
        continue_flow(turn, message)
    elif _is_empty(message):
        turn.say("message.empty")
    elif (flow := flow_for_keyword(turn, message.text)) is not None:
        start_flow(turn, flow)
    elif not turn.tenant.registered:
        start_flow(turn, first_contact_flow(turn))
    else:
        turn.to_inbox = True
        danger.thank(turn, "inbox.thanks")


def _menu_word(text: str) -> str | None:
    said = normalise(text).upper()
    for flow_name, key in (
        ("menu", "keyword.menu"),
        ("language", "keyword.language"),
        ("unlink", "keyword.unlink"),  # a stranger's chat holding a question open cannot stop it
    ):
        if said in catalogue.keyword_forms(key):
            return flow_name
    return None


def start_flow(turn: Turn, flow: Flow) -> None:
    """Begin a flow, or resume it where the tenant left it; the current one is put aside."""
    if turn.flow != flow.name:
        turn.put_aside()
    turn.flow = turn.state = None
    turn.answered_in = flow.name
    saved = take_saved_progress(turn.session, turn.tenant.id, flow.name) if flow.resumable else None
    if saved is not None and saved.state in flow.questions:
        turn.answers = dict(saved.answers)
        turn.say("conversation.resumed")
        _ask(turn, flow, saved.state)
        return
    turn.answers = {}
    first = flow.begin(turn)
    if first is not None:
        _ask(turn, flow, first)


def continue_flow(turn: Turn, message: InboundMessage) -> None:
    flow = FLOWS.get(turn.flow or "")
    question = flow.questions.get(turn.state or "") if flow else None
    if flow is None or question is None:  # a flow or question that no longer exists
        turn.flow = turn.state = None
        converse(turn, message)
        return
    wanted = _keyword_over(turn, question, message)
    if wanted is not None:
        _follow_keyword(turn, flow, wanted)
        return
    turn.answered_in = flow.name
    answer = _understand(turn, question, message)
    if answer is None:
        return
    next_state = question.on_answer(turn, answer)
    if next_state is not None:
        _ask(turn, flow, next_state)
        return
    turn.flow = turn.state = None
    if turn.hand_over is not None:
        start_flow(turn, FLOWS[turn.hand_over])


def _keyword_over(turn: Turn, question: Question, message: InboundMessage) -> Flow | None:
    """The flow a keyword starts in the middle of a question, or None when it is an answer.

    A message that is only a keyword (REPORT, COMING, ...) and not one of the question's
    options wins over the question: a free-text question never keeps a bare keyword as
    its words. A keyword that picks an option (COMING for an event's "Yes") is the answer.
    """
    if _carries_anything_but_words(message):
        return None
    wanted = flow_named_by(turn, message.text)
    if wanted is None or _choice(turn, question.options_for(turn), message.text) is not None:
        return None
    return wanted


def _follow_keyword(turn: Turn, current: Flow, wanted: Flow) -> None:
    """Start the keyword's flow, the current one put aside; its own word asks again."""
    if wanted is current and current.resumable:
        turn.answered_in = current.name
        _ask(turn, current, turn.state or "")
    else:
        start_flow(turn, wanted)


def _label(turn: Turn, option: Option) -> str:
    if option.text is not None:
        return option.text
    if option.label_language is None:
        return turn.text(option.label)
    return catalogue.render(option.label_language, option.label)


def _understand(turn: Turn, question: Question, message: InboundMessage) -> Answer | None:
    """The answer, or None after queueing the one short re-prompt that says what to send.

    A photo is an answer to a question that accepts one, even when its words (if any)
    pick no option: the answer then has no value, and the flow decides what to ask next.
    """
    text = message.text.strip()
    options = question.options_for(turn)
    if options:
        chosen = _choice(turn, options, text)
        photos = message.photo_ids if question.accepts_photo else ()
        if chosen is None and photos:
            return Answer(text=text, photo_ids=photos)  # the flow keeps the photo
        if chosen is None:
            numbers = catalogue.numbers_list(turn.language, len(options))
            turn.say("reprompt.choice", numbers=numbers)
            return None
        return Answer(text=text, value=options[chosen].value, photo_ids=photos)
    if message.shared_other_contact:
        turn.say("telegram.not_your_contact")
        return None
    # a question that takes a photo takes a map pin too: what a tenant shows, not types
    shows = question.accepts_photo and bool(message.photo_ids or message.location)
    if not normalise(text) and not shows and not message.shared_phone:
        turn.say("error.text_only" if _carries_anything_but_words(message) else "reprompt.text")
        return None
    return Answer(
        text=text,
        photo_ids=message.photo_ids,
        location=message.location,
        shared_phone=message.shared_phone,
    )


def _choice(turn: Turn, options: Sequence[Option], text: str) -> int | None:
    """The index of the option ``text`` picks, by number or word; None if it picks none."""
    return match_choice(text, [(_label(turn, o), o.value, *o.words) for o in options])


def _ask(turn: Turn, flow: Flow, state: str) -> None:
    question = flow.questions[state]
    values = dict(question.prompt_values(turn)) if question.prompt_values else {}
    labels = tuple(_label(turn, option) for option in question.options_for(turn))
    language = question.asked_in(turn) if question.asked_in else turn.language
    turn.replies.append(
        Reply(
            turn.text_in(language, question.prompt, **values),
            labels,
            question.asks_for_contact,
            language=language,
        )
    )
    turn.flow, turn.state = flow.name, state


def _keep_position(turn: Turn, conversation: Conversation | None) -> None:
    """Write where the tenant now stands; a finished conversation leaves no row.

    ``conversation`` is the tenant's live row as the turn found it, or None.
    """
    if turn.state is None or turn.flow is None:
        if conversation is not None:
            turn.session.delete(conversation)
        return
    if conversation is None:
        conversation = Conversation(tenant_id=turn.tenant.id)
        turn.session.add(conversation)
    conversation.flow, conversation.state = turn.flow, turn.state
    conversation.answers = dict(turn.answers)
    conversation.updated_at = turn.now
    conversation.expires_at = turn.now + turn.settings.conversation_timeout


def _is_empty(message: InboundMessage) -> bool:
    """Nothing typed but spaces or invisible characters, and nothing attached."""
    typed = "".join(char for char in message.text if char.isprintable()).strip()
    return not typed and not _carries_anything_but_words(message)


def _carries_anything_but_words(message: InboundMessage) -> bool:
    return bool(_media(message)) or message.shared_other_contact


def _media(message: InboundMessage) -> dict[str, object]:
    media: dict[str, object] = {}
    if message.photo_ids:
        media["photos"] = list(message.photo_ids)
    if message.location is not None:
        media["location"] = list(message.location)
    if message.shared_phone:
        media["shared_phone"] = True
    if message.recording_url:
        media["recording"] = message.recording_url
    if message.attachments:
        media["files"] = [attachment.kind.value for attachment in message.attachments]
    if message.place:
        media["place"] = message.place
    if message.contact_card is not None:  # a third party's number: shown to staff only
        media["contact"] = {"name": message.contact_card.name, "phone": message.contact_card.phone}
    return media
