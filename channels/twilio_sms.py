"""SMS through Twilio: parse its webhook form, send through its REST API, ask it what it took,
and fetch the files of an MMS (channels/media.py).

The twilio ``Client`` is built once per process and reused, so connections are
kept alive. Twilio can be asked which messages it accepted, so a message whose
send was interrupted is looked up before it is ever sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.rest import Client

from bot.messages import (
    SPOKEN,
    VOICE_NOTE,
    Attachment,
    InboundMessage,
    MediaKind,
    OutboundMessage,
    SendReceipt,
)
from bot.sms import to_gsm7
from channels.base import (
    Channel,
    OutcomeUnknown,
    PermanentFailure,
    RateLimited,
    RecipientOptedOut,
    TemporaryFailure,
)
from channels.media import Fetched, TooBig
from channels.presentations import SMS

OPTED_OUT_CODES = frozenset({21610})
BAD_NUMBER_CODES = frozenset({21211, 21214, 21408, 21612, 21614})
RATE_LIMIT_CODES = frozenset({20429, 14107})
CLOCK_SKEW = timedelta(minutes=5)
RECONCILE_LOOKBACK = 50
LONGEST_SID = 64
MOST_MEDIA = 10  # Twilio's own limit on the files of one message
LONGEST_MEDIA_URL = 512
MEDIA_ROOT = "https://api.twilio.com/"  # the only address our credentials are sent to
MEDIA_TIMEOUT = (5, 30)  # seconds to connect, and between bytes
MEDIA_CHUNK = 64 * 1024
UNKNOWN_TYPE = "application/octet-stream"
VCARD_TYPES = frozenset({"text/vcard", "text/x-vcard", "text/directory"})
MEDIA_KINDS = {"image": MediaKind.PHOTO, "audio": MediaKind.AUDIO, "video": MediaKind.VIDEO}


class NotAnSms(ValueError):
    """The form posted to the SMS webhook lacks what every Twilio message carries."""


def parse_form(form: Mapping[str, str], *, address: Callable[[str], str]) -> InboundMessage:
    """Twilio's inbound form as the engine's message; every field is kept in ``raw``.

    ``address`` turns the sender (``From``) into the address doorstep keeps, a phone
    number in E.164 or a short code as Twilio gave it. An MMS's files come as
    attachments, fetched later by their MediaUrl; an audio clip with no words says
    VOICE_NOTE, as a voice note on a call does.
    """
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    sender = form.get("From") or ""
    if not sid or not sender or len(sid) > LONGEST_SID:
        raise NotAnSms("MessageSid and From are required")
    attachments = _attachments(form)
    text = form.get("Body", "")
    if not text.strip() and any(attachment.kind in SPOKEN for attachment in attachments):
        text = VOICE_NOTE
    return InboundMessage(
        channel=SMS,
        address=address(sender),
        provider_id=sid,
        text=text,
        attachments=attachments,
        raw=dict(form),
    )


def _attachments(form: Mapping[str, str]) -> tuple[Attachment, ...]:
    found = []
    for n in range(_int(form.get("NumMedia"))):
        url = form.get(f"MediaUrl{n}", "")
        if not url:
            continue
        if len(url) > LONGEST_MEDIA_URL:
            raise NotAnSms(f"MediaUrl{n} is too long to be Twilio's")
        content_type = form.get(f"MediaContentType{n}", "").split(";", 1)[0].strip().lower()
        found.append(Attachment(_kind(content_type), url, content_type[:100] or UNKNOWN_TYPE))
    return tuple(found)


def _kind(content_type: str) -> MediaKind:
    if content_type in VCARD_TYPES:
        return MediaKind.CONTACT
    return MEDIA_KINDS.get(content_type.split("/", 1)[0], MediaKind.DOCUMENT)


def _int(value: str | None) -> int:
    try:
        return max(0, min(int(value or 0), MOST_MEDIA))
    except ValueError:
        return 0


class TwilioSms(Channel):
    name = SMS

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback: str | None = None,
        http_client: HttpClient | None = None,
        media_session: requests.Session | None = None,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.media_session = media_session or requests.Session()  # files, not the REST API
        self._credentials = (account_sid, auth_token)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.status_callback = status_callback

    def _send(self, message: OutboundMessage) -> SendReceipt:
        params: dict[str, Any] = {"to": message.address, "body": message.text}
        if self.messaging_service_sid:
            params["messaging_service_sid"] = self.messaging_service_sid
        else:
            params["from_"] = self.from_number
        if self.status_callback:  # our reference too: a report may overtake this call's answer
            params["status_callback"] = f"{self.status_callback}?ref={message.reference}"
        try:
            created = self.client.messages.create(**params)
        except TwilioRestException as exc:
            raise translate_error(exc) from exc
        except OSError as exc:  # requests' connection errors and timeouts
            raise OutcomeUnknown(f"lost Twilio mid-request: {type(exc).__name__}") from exc
        return SendReceipt(created.sid, int(created.num_segments or 1))

    def find_sent(self, message: OutboundMessage, since: datetime) -> str | None:
        try:
            recent = self.client.messages.list(to=message.address, limit=RECONCILE_LOOKBACK)
        except (TwilioRestException, OSError) as exc:
            raise TemporaryFailure("could not ask Twilio what it sent") from exc
        wanted = to_gsm7(message.text)
        for sent in recent:
            created = sent.date_created
            if to_gsm7(sent.body or "") == wanted and (
                created is None or created >= since - CLOCK_SKEW
            ):
                return str(sent.sid)
        return None

    def fetch_media(self, source: str, *, max_bytes: int) -> Fetched:
        """A file a tenant sent by MMS, from its MediaUrl, with the account's credentials.

        Twilio asks for HTTP basic auth on media, and answers with a redirect to where
        the file is cached; requests drops the credentials on the way there. Only
        Twilio's own address is ever sent them. A file Twilio no longer has (deleted)
        is a PermanentFailure; refused credentials or a fault, a TemporaryFailure.
        """
        if not source.startswith(MEDIA_ROOT):
            raise PermanentFailure("not a Twilio media address", code="address")
        try:
            with self.media_session.get(
                source, auth=self._credentials, timeout=MEDIA_TIMEOUT, stream=True
            ) as response:
                _refuse_failures(response)
                content = _at_most(response, max_bytes)
                return Fetched(content, response.headers.get("Content-Type"))
        except requests.RequestException as exc:
            raise TemporaryFailure("lost Twilio mid-download", code=type(exc).__name__) from exc


def _refuse_failures(response: requests.Response) -> None:
    status = response.status_code
    if status in (404, 410):
        raise PermanentFailure("Twilio no longer has that file", code=str(status))
    if status in (401, 403, 429) or status >= 500:
        raise TemporaryFailure("Twilio did not hand the file over", code=str(status))
    if status >= 400:
        raise PermanentFailure("Twilio refused to hand the file over", code=str(status))


def _at_most(response: requests.Response, max_bytes: int) -> bytes:
    """The body, read no further than ``max_bytes`` whatever the headers claimed."""
    length = response.headers.get("Content-Length", "").strip()
    declared = int(length) if length.isdigit() else 0
    if declared > max_bytes:
        raise TooBig(f"{declared} bytes", size=declared)
    content = bytearray()
    for chunk in response.iter_content(MEDIA_CHUNK):
        content += chunk
        if len(content) > max_bytes:
            raise TooBig(f"more than {max_bytes} bytes")
    return bytes(content)


def translate_error(exc: TwilioRestException) -> Exception:
    code = exc.code if isinstance(exc.code, int) else None
    label = str(code) if code is not None else str(exc.status)
    if code in OPTED_OUT_CODES:
        return RecipientOptedOut("the recipient has opted out at Twilio", code=label)
    if exc.status == 429 or code in RATE_LIMIT_CODES:
        return RateLimited("Twilio asks us to slow down", retry_after=1.0, code=label)
    if exc.status >= 500:
        return TemporaryFailure("Twilio had a server error", code=label)
    if code in BAD_NUMBER_CODES:
        return PermanentFailure("Twilio cannot send to this number", code=label)
    return PermanentFailure("Twilio refused the message", code=label)
