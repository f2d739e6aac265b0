"""How each kind of channel shows what the engine says, registered with the engine.

SMS gets the options as numbered lines and a "Reply 1, 2 or 3" line, because a
basic phone has no buttons, and every message is repaired to GSM-7 and fitted to 2
SMS. Telegram gets the same words with the options as buttons. A call says the
words, then "For Yes, press 1." for each option.
"""

from __future__ import annotations

from bot import catalogue
from bot.messages import Reply
from bot.presentation import Presentation, Rendered, Trait, register
from bot.sms import count_segments, fit_for_sms, fits, to_gsm7

SMS = "sms"
TELEGRAM = "telegram"
VOICE = "voice"  # phone calls, for tenants with only a landline
TELEGRAM_LONGEST = 4096  # the Bot API's limit for one message


class TextMessages(Presentation):
    traits = frozenset({Trait.TYPES, Trait.PHONE})
    label = "SMS"

    def reply(self, language: str, reply: Reply) -> Rendered:
        language = reply.language or language  # a reply worded in English for another's tenant
        text = reply.text
        if reply.options:
            numbered = "\n".join(f"{n} {label}" for n, label in enumerate(reply.options, start=1))
            numbers = catalogue.numbers_list(language, len(reply.options))
            answer = catalogue.render(language, "choice.reply", numbers=numbers)
            text = f"{text}\n{numbered}\n{answer}"
        body = fit_for_sms(text)
        return Rendered(body, count_segments(body).segments)

    def notice(self, language: str, text: str, note: str | None = None) -> list[Rendered]:
        """One SMS with the note while the whole fits 2 SMS, else the note just before."""
        together = text if note is None else f"{text}\n{note}"
        bodies = [fit_for_sms(together)]
        if note is not None and not fits(bodies[0]):
            bodies = [fit_for_sms(note), fit_for_sms(text)]
        return [Rendered(body, count_segments(body).segments) for body in bodies]

    def fits(self, rendered: Rendered) -> bool:
        return fits(rendered.body)

    def typed(self, text: str) -> str:
        return to_gsm7(text)

    def refusal(self, body: str) -> str | None:
        if fits(body):
            return None
        return "keep the reply to 2 text messages (306 plain characters, fewer with symbols)"


class ChatMessages(Presentation):
    traits = frozenset({Trait.TYPES, Trait.ACCOUNT, Trait.PHOTOS})
    label = "Telegram"

    def reply(self, language: str, reply: Reply) -> Rendered:
        language = reply.language or language
        button = (
            catalogue.render(language, "telegram.share_button") if reply.ask_for_contact else None
        )
        if not reply.options and button is None:
            return Rendered(reply.text)
        return Rendered(
            reply.text, choices={"options": list(reply.options), "contact_button": button}
        )

    def fits(self, rendered: Rendered) -> bool:
        return len(rendered.body) <= TELEGRAM_LONGEST

    def refusal(self, body: str) -> str | None:
        if len(body) <= TELEGRAM_LONGEST:
            return None
        return f"keep the reply under {TELEGRAM_LONGEST} characters"


class PhoneCalls(TextMessages):
    """A call says at most what 2 SMS hold, so staff's reply is held to the same length."""

    traits = frozenset({Trait.HEARS, Trait.PHONE})
    label = "phone call"
    wording = "voice"

    def reply(self, language: str, reply: Reply) -> Rendered:
        language = reply.language or language
        keys = (
            catalogue.render(language, "voice.press", option=label, number=n)
            for n, label in enumerate(reply.options, start=1)
        )
        said = " ".join((reply.text, *keys))
        return Rendered(said, choices={"options": list(reply.options)} if reply.options else {})

    def notice(self, language: str, text: str, note: str | None = None) -> list[Rendered]:
        """Said twice, as a call is often picked up, or heard, only from its second sentence;
        a voice reading English says so by itself, so no note."""
        said = f"{text} {catalogue.render(language, 'voice.repeat')} {text}"
        return [Rendered(said, choices={"language": language})]


register(SMS, TextMessages())
register(TELEGRAM, ChatMessages())
register(VOICE, PhoneCalls())
