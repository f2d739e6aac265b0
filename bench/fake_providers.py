"""Twilio and the Telegram Bot API as local HTTP servers, for the dispatch benchmark.

The test fakes (tests/fakes/) answer as the providers do; here they are served
over real sockets with keep-alive, as the real providers are, so the dispatcher
pays for real HTTP calls through the real twilio and python-telegram-bot clients.
Run as ``python -m bench.fake_providers TWILIO_PORT TELEGRAM_PORT``; stops on SIGTERM.
"""

from __future__ import annotations

import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from tests.fakes.telegram_api import FakeBotApi, _Handler
from tests.fakes.twilio_api import FakeTwilio

TWILIO_API = "https://api.twilio.com"
KEPT_RECORDS = 1000  # the fakes record every call; a long run keeps only the latest


class LocalTwilio(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no type hints
    """The real twilio HTTP client (requests, keep-alive), pointed at the local fake."""

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        return super().request(method, url.replace(TWILIO_API, self.root, 1), *args, **kwargs)


class _TwilioHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms stall
    fake: FakeTwilio

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode() if length else ""
        response = self.fake.request(
            self.command,
            TWILIO_API + path,
            params=dict(parse_qsl(query)),
            data=dict(parse_qsl(form, keep_blank_values=True)),
        )
        with self.fake._lock:
            del self.fake.messages[:-KEPT_RECORDS]
            del self.fake.requests[:-KEPT_RECORDS]
        content = response.text.encode()
        self.send_response(response.status_code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


class _BotApi(FakeBotApi):
    def handle(self, token: str, method: str, params: dict[str, Any]) -> Any:
        result = super().handle(token, method, params)
        with self._lock:
            del self.calls[:-KEPT_RECORDS]
        return result


def serve(twilio_port: int, telegram_port: int) -> None:
    twilio_handler = type("_Bound", (_TwilioHandler,), {"fake": FakeTwilio()})
    bot_api = _BotApi()
    keep_alive = {"protocol_version": "HTTP/1.1", "disable_nagle_algorithm": True}
    bot_handler = type("_Bound", (_Handler,), {"api": bot_api, **keep_alive})
    servers = [
        ThreadingHTTPServer(("127.0.0.1", twilio_port), twilio_handler),
        ThreadingHTTPServer(("127.0.0.1", telegram_port), bot_handler),
    ]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.shutdown()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
