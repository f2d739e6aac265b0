"""An in-memory Twilio Messages API for tests that use the real ``twilio`` client.

Why a fake HTTP client rather than mocks: the channel code calls the real
``twilio.rest.Client``, so its URL building, parameter names, JSON parsing and
error mapping (``TwilioRestException`` with ``.code``/``.status``) are exercised
exactly as in production. Only the wire is replaced::

    fake = FakeTwilio()
    client = Client("AC" + "0" * 32, "token", http_client=fake)

The fake answers the three calls doorstep needs (create, list, fetch), records
every request, and can script the provider failures that matter for delivery
guarantees: HTTP errors, a permanently unreachable number (21610, "unsubscribed"),
and the nasty case where Twilio accepted a message but the connection dropped
before the caller saw the answer.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import requests
from twilio.http import HttpClient
from twilio.http.request import Request as TwilioRequest
from twilio.http.response import Response

from tests.fakes.twilio_media import FakeTwilioMedia

_API = "2010-04-01"
_PATH = re.compile(rf"/{_API}/Accounts/(?P<account>AC\w+)/Messages(?:/(?P<sid>\w+))?\.json$")
_CALLS = re.compile(rf"/{_API}/Accounts/(?P<account>AC\w+)/Calls\.json$")

# GSM 03.38: basic set (1 septet each) and extension set (2 septets each).
_GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = "^{}\\[~]|€\f"


def num_segments(body: str) -> int:
    """How many SMS segments Twilio bills for ``body`` (GSM-7 or UCS-2)."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in body):
        units = sum(2 if ch in _GSM_EXTENDED else 1 for ch in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if units <= single:
        return 1
    return -(-units // multi)


@dataclass(frozen=True)
class RecordedRequest:
    """One call the Twilio client made."""

    method: str
    url: str
    params: dict[str, Any]
    data: dict[str, Any]


@dataclass
class _Fault:
    status: int
    code: int | None
    message: str


@dataclass
class _Script:
    fail_next: list[_Fault] = field(default_factory=list)
    always_fail: dict[str, _Fault] = field(default_factory=dict)
    drop_next: int = 0


class FakeTwilio(HttpClient):  # type: ignore[misc]  # twilio ships no type hints
    """A recording, scriptable stand-in for Twilio's REST API (Messages only)."""

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        super().__init__(logger=logging.getLogger(__name__), is_async=False)
        self._now = now or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._script = _Script()
        self.requests: list[RecordedRequest] = []
        self.messages: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []
        self.media = FakeTwilioMedia()  # the files of inbound MMS, at their MediaUrls

    # -- scripting -------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        status: int = 500,
        code: int | None = None,
        message: str = "Internal Server Error",
    ) -> None:
        """Answer the next ``count`` message creations with this Twilio error."""
        with self._lock:
            self._script.fail_next.extend(_Fault(status, code, message) for _ in range(count))

    def always_fail(
        self,
        to: str,
        status: int = 400,
        code: int = 21610,
        message: str = "Attempt to send to unsubscribed recipient",
    ) -> None:
        """Reject every message creation to ``to`` with this Twilio error."""
        with self._lock:
            self._script.always_fail[to] = _Fault(status, code, message)

    def accept_then_drop_next(self, count: int = 1) -> None:
        """Store the next ``count`` messages, then raise ConnectionError as if the link died."""
        with self._lock:
            self._script.drop_next += count

    # -- inspection ------------------------------------------------------------

    def sent_to(self, number: str) -> list[dict[str, Any]]:
        """Messages created (accepted) to ``number``, oldest first."""
        with self._lock:
            return [dict(m) for m in self.messages if m["to"] == number]

    def calls_to(self, number: str) -> list[dict[str, Any]]:
        """Calls placed to ``number``, oldest first, each with the TwiML it would play."""
        with self._lock:
            return [dict(c) for c in self.calls if c["to"] == number]

    def count_to(self, number: str) -> int:
        """How many messages were created (accepted) to ``number``."""
        return len(self.sent_to(number))

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> dict[str, Any]:
        """Move a stored message on (e.g. to "delivered"/"undelivered"), as Twilio would."""
        with self._lock:
            msg = self._find(sid)
            if msg is None:
                raise KeyError(sid)
            msg["status"] = status
            msg["error_code"] = error_code
            if status in {"sent", "delivered"} and msg["date_sent"] is None:
                msg["date_sent"] = format_datetime(self._now())
            return dict(msg)

    # -- the HttpClient contract ----------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        method = method.upper()
        self._test_only_last_request = TwilioRequest(
            method=method, url=url, auth=auth, params=params, data=data, headers=headers
        )
        self._test_only_last_response = None
        with self._lock:
            self.requests.append(RecordedRequest(method, url, dict(params or {}), dict(data or {})))
            status, body = self._route(method, url, params or {}, data or {})
        response = Response(status, json.dumps(body), {"Content-Type": "application/json"})
        self._test_only_last_response = response
        return response

    # -- internals (called with the lock held) ---------------------------------

    def _route(
        self, method: str, url: str, params: dict[str, object], data: dict[str, object]
    ) -> tuple[int, dict[str, Any]]:
        calls = _CALLS.search(url.split("?", 1)[0])
        if calls is not None:
            return self._calls(calls["account"], method, params, data)
        match = _PATH.search(url.split("?", 1)[0])
        if match is None:
            return _error(404, 20404, f"The requested resource {url} was not found")
        account, sid = match["account"], match["sid"]
        if sid is None and method == "POST":
            return self._create(account, data)
        if sid is None and method == "GET":
            return self._list(account, params)
        if sid is not None and method == "GET":
            msg = self._find(sid)
            if msg is None or msg["account_sid"] != account:
                return _error(404, 20404, f"The requested resource {url} was not found")
            return 200, dict(msg)
        return _error(405, 20004, "Method not allowed")

    def _create(self, account: str, data: dict[str, object]) -> tuple[int, dict[str, Any]]:
        to = _str(data.get("To"))
        sender = _str(data.get("From"))
        service = _str(data.get("MessagingServiceSid"))
        body = _str(data.get("Body"))
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not sender and not service:
            return _error(400, 21603, "A 'From' phone number is required.")
        if not body and not data.get("MediaUrl"):
            return _error(400, 21602, "Message body is required.")
        if len(body or "") > 1600:
            return _error(400, 21617, "The concatenated message body exceeds the 1600 limit.")
        if self._script.fail_next:
            fault = self._script.fail_next.pop(0)
            return _error(fault.status, fault.code, fault.message)
        if to in self._script.always_fail:
            fault = self._script.always_fail[to]
            return _error(fault.status, fault.code, fault.message)

        sid = "SM" + secrets.token_hex(16)
        msg: dict[str, Any] = {
            "sid": sid,
            "account_sid": account,
            "api_version": _API,
            "to": to,
            "from": sender,
            "messaging_service_sid": service,
            "body": body,
            "status": "accepted" if service and not sender else "queued",
            "num_segments": str(num_segments(body or "")),
            "num_media": "0",
            "direction": "outbound-api",
            "date_created": format_datetime(self._now()),
            "date_updated": format_datetime(self._now()),
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "status_callback": _str(data.get("StatusCallback")),
            "uri": f"/{_API}/Accounts/{account}/Messages/{sid}.json",
            "subresource_uris": {
                "media": f"/{_API}/Accounts/{account}/Messages/{sid}/Media.json",
            },
        }
        self.messages.append(msg)
        if self._script.drop_next:
            self._script.drop_next -= 1
            raise requests.exceptions.ConnectionError(
                "('Connection aborted.', RemoteDisconnected('Remote end closed connection "
                "without response'))"
            )
        return 201, dict(msg)

    def _list(self, account: str, params: dict[str, object]) -> tuple[int, dict[str, Any]]:
        page_size = int(_str(params.get("PageSize")) or 50)
        to, sender = _str(params.get("To")), _str(params.get("From"))
        on, after, before = (
            _parse_date(params.get(key)) for key in ("DateSent", "DateSent>", "DateSent<")
        )
        found = []
        for msg in reversed(self.messages):
            when = _sent_or_created(msg)
            if (
                msg["account_sid"] != account
                or (to and msg["to"] != to)
                or (sender and msg["from"] != sender)
                or (on and when.date() != on.date())
                or (after and when < after)
                or (before and when > before)
            ):
                continue
            found.append(dict(msg))
        uri = f"/{_API}/Accounts/{account}/Messages.json?PageSize={page_size}&Page=0"
        return 200, {
            "messages": found[:page_size],
            "end": min(len(found), page_size) - 1,
            "first_page_uri": uri,
            "next_page_uri": None,
            "previous_page_uri": None,
            "page": 0,
            "page_size": page_size,
            "start": 0,
            "uri": uri,
        }

    def _calls(
        self, account: str, method: str, params: dict[str, object], data: dict[str, object]
    ) -> tuple[int, dict[str, Any]]:
        """Calls.json: place a call (POST) or list recent ones to a number (GET)."""
        if method == "GET":
            to, after = _str(params.get("To")), _parse_date(params.get("StartTime>"))
            found = [
                dict(call)
                for call in reversed(self.calls)
                if (not to or call["to"] == to)
                and (after is None or parsedate_to_datetime(call["start_time"]) >= after)
            ]
            return 200, {"calls": found, "page": 0, "page_size": 50, "next_page_uri": None}
        if not data.get("To") or not data.get("From") or not (data.get("Twiml") or data.get("Url")):
            return _error(400, 21205, "To, From and Twiml or Url are required.")
        if self._script.fail_next:
            fault = self._script.fail_next.pop(0)
            return _error(fault.status, fault.code, fault.message)
        sid = "CA" + secrets.token_hex(16)
        call = {
            "sid": sid,
            "account_sid": account,
            "to": _str(data.get("To")),
            "from": _str(data.get("From")),
            "twiml": _str(data.get("Twiml")),
            "url": _str(data.get("Url")),  # asked for what to say once the call is answered
            "machine_detection": _str(data.get("MachineDetection")),
            "status": "queued",
            "status_callback": _str(data.get("StatusCallback")),
            "start_time": format_datetime(self._now()),
            "date_created": format_datetime(self._now()),
        }
        self.calls.append(call)
        return 201, dict(call)

    def _find(self, sid: str) -> dict[str, Any] | None:
        return next((m for m in self.messages if m["sid"] == sid), None)


def _error(status: int, code: int | None, message: str) -> tuple[int, dict[str, Any]]:
    more_info = f"https://www.twilio.com/docs/errors/{code}" if code else None
    return status, {"code": code, "message": message, "more_info": more_info, "status": status}


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _parse_date(value: object) -> datetime | None:
    """Twilio date filters accept ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""
    if value is None:
        return None
    text = str(value)
    fmt = "%Y-%m-%d" if len(text) == 10 else "%Y-%m-%dT%H:%M:%SZ"
    return datetime.strptime(text, fmt).replace(tzinfo=UTC)


def _sent_or_created(msg: dict[str, Any]) -> datetime:
    """Date filters use date_sent; a still-queued message falls back to its creation time."""
    return parsedate_to_datetime(msg["date_sent"] or msg["date_created"])
