"""Phone calls through Twilio Voice: TwiML for what a call says, and calls placed for notices.

Many tenants who are offline have only a landline. A call speaks the same words the
bot would text, in the tenant's language where Twilio has a voice for it, and takes
key presses (and, for words, a voice note) as the answers. A notice call asks the
voice webhook what to say once it is answered, with Twilio's answering-machine
detection: a person hears the notice, a machine gets a short message to call back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import NamedTuple

from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.messages import OutboundMessage, SendReceipt
from channels.base import Channel, OutcomeUnknown, TemporaryFailure
from channels.presentations import VOICE
from channels.twilio_sms import LONGEST_SID, translate_error

# Our language code -> Twilio's language and a voice that speaks it. Twilio has no
# Scottish Gaelic voice: a Gaelic speaker's calls are in English.
VOICES: Mapping[str, tuple[str, str]] = {
    "en": ("en-GB", "Google.en-GB-Standard-A"),
    "pl": ("pl-PL", "Google.pl-PL-Standard-A"),
    "zh": ("cmn-CN", "Google.cmn-CN-Standard-A"),
    "bg": ("bg-BG", "Google.bg-BG-Standard-A"),
    "ru": ("ru-RU", "Google.ru-RU-Standard-A"),
    "lv": ("lv-LV", "Google.lv-LV-Standard-A"),
    "ur": ("ur-IN", "Google.ur-IN-Standard-A"),
    "pa": ("pa-IN", "Google.pa-IN-Standard-A"),
}
SPOKEN_LANGUAGES = frozenset(VOICES)
KEY_WAIT = 8  # seconds a caller has to press a key
LONGEST_VOICE_NOTE = 120  # seconds
# Wait for an answering machine's greeting to end, so the message left is heard whole.
MACHINE_DETECTION = "DetectMessageEnd"
CLOCK_SKEW = timedelta(minutes=5)


class NotACall(ValueError):
    """The form posted to the call webhook lacks what every Twilio call carries."""


class CallStep(NamedTuple):
    """What one of Twilio's requests during a call says: whose call, and what they did."""

    call_id: str
    number: str  # the tenant's end of the line, as Twilio gave it
    digits: str  # the keys pressed, if any
    recording_url: str  # a voice note just left, if any
    answered_by: str  # a call we placed: "human", "machine_end_beep", ... ("" if not asked)


def parse_call(form: Mapping[str, str]) -> CallStep:
    sid = form.get("CallSid", "")
    outbound = form.get("Direction", "").startswith("outbound")  # a notice we phoned
    number = form.get("To" if outbound else "From", "")
    if not sid or len(sid) > LONGEST_SID or not number:
        raise NotACall("CallSid and From are required")
    return CallStep(
        sid,
        number,
        form.get("Digits", ""),
        form.get("RecordingUrl", ""),
        form.get("AnsweredBy", ""),
    )


def answered_by_machine(answered_by: str) -> bool:
    return answered_by.startswith(("machine", "fax"))


def say(verb: VoiceResponse | Gather, text: str, language: str) -> None:
    twilio_language, voice = VOICES.get(language, VOICES["en"])
    verb.say(text, language=twilio_language, voice=voice)


def keys(action: str, *, digits: int | None = 1) -> Gather:
    """Wait for key presses: one for a choice, or a number ended by the hash key."""
    if digits == 1:
        return Gather(input="dtmf", action=action, method="POST", num_digits=1, timeout=KEY_WAIT)
    return Gather(input="dtmf", action=action, method="POST", finish_on_key="#", timeout=KEY_WAIT)


def record(response: VoiceResponse, action: str) -> None:
    response.record(
        action=action,
        method="POST",
        finish_on_key="#",
        max_length=LONGEST_VOICE_NOTE,
        play_beep=True,
        timeout=5,
    )


def notice_call(message: OutboundMessage, answer_url: str) -> VoiceResponse:
    """A notice read out, taking 1 (its keyword, such as REPORT) where it offers one."""
    response = VoiceResponse()
    if message.keyword_on_1:
        gather = keys(f"{answer_url}?step=1&on1={message.keyword_on_1}")
        say(gather, message.text, message.language)
        response.append(gather)
    else:
        say(response, message.text, message.language)
    response.hangup()
    return response


class TwilioVoice(Channel):
    name = VOICE

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        answer_url: str,
        status_callback: str | None = None,
        http_client: HttpClient | None = None,
    ) -> None:
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.from_number = from_number
        self.answer_url = answer_url
        self.status_callback = status_callback

    def _send(self, message: OutboundMessage) -> SendReceipt:
        """Place the call; once answered, Twilio asks the voice webhook what this notice says."""
        params: dict[str, object] = {
            "to": message.address,
            "from_": self.from_number,
            "url": f"{self.answer_url}?notice={message.reference}",
            "method": "POST",
            "machine_detection": MACHINE_DETECTION,
        }
        if self.status_callback:
            params["status_callback"] = f"{self.status_callback}?ref={message.reference}"
            params["status_callback_method"] = "POST"
        try:
            created = self.client.calls.create(**params)
        except TwilioRestException as exc:
            raise translate_error(exc) from exc
        except OSError as exc:
            raise OutcomeUnknown(f"lost Twilio mid-request: {type(exc).__name__}") from exc
        return SendReceipt(created.sid)

    def find_sent(self, message: OutboundMessage, since: datetime) -> str | None:
        """A call to the number since then is ours: a notice is never phoned twice."""
        try:
            recent = self.client.calls.list(
                to=message.address, start_time_after=since - CLOCK_SKEW, limit=1
            )
        except (TwilioRestException, OSError) as exc:
            raise TemporaryFailure("could not ask Twilio what it called") from exc
        return str(recent[0].sid) if recent else None


class SimulatorVoice(Channel):
    """The call stand-in for demos and tests: the outbox row is what the phone said."""

    name = VOICE

    def _send(self, message: OutboundMessage) -> SendReceipt:
        return SendReceipt(f"SIMCALL{message.reference}", delivered=True)

    def find_sent(self, message: OutboundMessage, since: datetime) -> str | None:
        return None
