"""An offline stand-in for Twilio's media URLs, for the real ``requests`` to fetch from.

An MMS's files reach us as ``MediaUrl0``... in the inbound webhook, addresses of the
Messages API's Media subresource::

    https://api.twilio.com/2010-04-01/Accounts/AC.../Messages/MM.../Media/ME...

Twilio asks for HTTP basic auth there (the account SID and auth token) and answers
with a redirect to the cached file, which must be fetched without those credentials
(a storage host refuses a request that carries a stray Authorization, as S3 does).
This is a transport adapter mounted on a real ``requests.Session``, so the adapter's
redirects, auth stripping and streaming are the library's own::

    media = FakeTwilioMedia()
    url = media.add(b"jpeg bytes", "image/jpeg", credentials=(ACCOUNT_SID, TOKEN))
    media.session.get(url, auth=(ACCOUNT_SID, TOKEN)).content == b"jpeg bytes"

It records every request, and scripts the faults that matter: a server error, a
file deleted at Twilio, and a Content-Length that is wrong.
"""

from __future__ import annotations

import base64
import io
import secrets
import threading
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

API = "https://api.twilio.com/"
CACHE = "https://s3-external-1.amazonaws.com/media.twiliocdn.com/"


@dataclass(frozen=True)
class MediaRequest:
    url: str
    authorization: str | None


@dataclass
class _File:
    content: bytes
    content_type: str
    credentials: tuple[str, str]
    cached_at: str


class FakeTwilioMedia(BaseAdapter):
    """Serves files added with ``add`` at Twilio-shaped media URLs, and their cached copies."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._files: dict[str, _File] = {}
        self._cached: dict[str, str] = {}  # cached address -> media URL
        self._fail_next: list[int] = []
        self.requests: list[MediaRequest] = []
        self.session = requests.Session()
        self.session.mount(API, self)
        self.session.mount(CACHE, self)

    def add(
        self,
        content: bytes,
        content_type: str,
        *,
        credentials: tuple[str, str],
        account_sid: str | None = None,
    ) -> str:
        """A new file, and the MediaUrl Twilio would post for it."""
        account = account_sid or credentials[0]
        message, media = "MM" + secrets.token_hex(16), "ME" + secrets.token_hex(16)
        url = f"{API}2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}"
        cached = f"{CACHE}{account}/{secrets.token_hex(16)}"
        with self._lock:
            self._files[url] = _File(content, content_type, credentials, cached)
            self._cached[cached] = url
        return url

    def delete(self, url: str) -> None:
        """As DELETE on the Media resource: the file is gone from Twilio."""
        with self._lock:
            self._files.pop(url, None)

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self._lock:
            self._fail_next.extend([status] * count)

    def send(  # type: ignore[override]  # the transport's options mean nothing here
        self, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        url = request.url or ""
        given = request.headers.get("Authorization")
        authorization = given.decode() if isinstance(given, bytes) else given
        with self._lock:
            self.requests.append(MediaRequest(url, authorization))
            if self._fail_next:
                return _answer(request, self._fail_next.pop(0), b"Service Unavailable")
            if url in self._cached:
                return self._from_cache(request, url, authorization)
            found = self._files.get(url)
        if found is None:
            return _answer(request, 404, b'{"code": 20404, "status": 404}', "application/json")
        if authorization != _basic(found.credentials):
            return _answer(request, 401, b'{"code": 20003, "status": 401}', "application/json")
        return _answer(request, 302, b"", headers={"Location": found.cached_at})

    def _from_cache(
        self, request: requests.PreparedRequest, url: str, authorization: str | None
    ) -> requests.Response:
        if authorization is not None:
            return _answer(request, 400, b"Only one auth mechanism allowed", "application/xml")
        found = self._files.get(self._cached[url])
        if found is None:
            return _answer(request, 403, b"AccessDenied", "application/xml")
        return _answer(request, 200, found.content, found.content_type)

    def close(self) -> None:
        """Nothing to release: no sockets."""


def _basic(credentials: tuple[str, str]) -> str:
    return "Basic " + base64.b64encode(":".join(credentials).encode()).decode()


def _answer(
    request: requests.PreparedRequest,
    status: int,
    content: bytes,
    content_type: str = "text/plain",
    *,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.reason = "OK" if status < 400 else "Error"
    response.headers = CaseInsensitiveDict(
        {"Content-Type": content_type, "Content-Length": str(len(content)), **(headers or {})}
    )
    response.raw = io.BytesIO(content)
    response.url = request.url or ""
    response.request = request
    return response
