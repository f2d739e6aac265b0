"""SMS through Twilio: parse its webhook form, send through its REST API, ask it what it took.

The twilio ``Client`` is built once per process and reused, so connections are
kept alive. Twilio can be asked which messages it accepted, so a message whose
send was interrupted is looked up before it is ever sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.rest import Client

from bot.messages import InboundMessage, OutboundMessage, SendReceipt
from bot.sms import to_gsm7
from channels.base import (
    Channel,
    OutcomeUnknown,
    PermanentFailure,
    RateLimited,
    RecipientOptedOut,
    TemporaryFailure,
)

OPTED_OUT_CODES = frozenset({21610})
BAD_NUMBER_CODES = frozenset({21211, 21214, 21408, 21612, 21614})
RATE_LIMIT_CODES = frozenset({20429, 14107})
CLOCK_SKEW = timedelta(minutes=5)
RECONCILE_LOOKBACK = 50


def parse_form(form: Mapping[str, str], address: str) -> InboundMessage:
    """Twilio's inbound form as the engine's message; every field is kept in ``raw``."""
    media_count = _int(form.get("NumMedia"))
    photos = tuple(
        form[f"MediaUrl{n}"]
        for n in range(media_count)
        if form.get(f"MediaContentType{n}", "").startswith("image/") and form.get(f"MediaUrl{n}")
    )
    return InboundMessage(
        channel="sms",
        address=address,
        provider_id=form.get("MessageSid") or form.get("SmsSid") or "",
        text=form.get("Body", ""),
        photo_ids=photos,
        raw=dict(form),
    )


def _int(value: str | None) -> int:
    try:
        return max(0, min(int(value or 0), 10))
    except ValueError:
        return 0


class TwilioSms(Channel):
    name = "sms"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        status_callback: str | None = None,
        http_client: HttpClient | None = None,
    ) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        self.client = Client(account_sid, auth_token, http_client=http_client)
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
