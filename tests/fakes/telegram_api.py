"""A local HTTP stand-in for the Telegram Bot API, for tests that use the real ``telegram.Bot``.

Why a server rather than mocks: python-telegram-bot does its own parameter
encoding (form or multipart, with non-string values JSON-encoded), response
parsing and error mapping (403 -> ``Forbidden``, 429 -> ``RetryAfter``, 400 ->
``BadRequest``). Talking to a real socket keeps all of that under test::

    with FakeBotApi() as api:
        async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as bot:
            await bot.send_message(chat_id=42, text="hi")
        assert api.sent_messages(42)[0]["text"] == "hi"

PTB builds request URLs as ``base_url + token + "/" + method``, so ``base_url`` is
``http://127.0.0.1:PORT/bot``. File downloads go to ``base_file_url + token + "/" +
file_path``, served here from ``http://127.0.0.1:PORT/file/bot``.

Scripted faults apply to ``sendMessage`` by default (pass ``method=None`` for any
method), so ``Bot.initialize()``'s ``getMe`` is never the call that fails.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

# Parameters the Bot API declares as String: PTB sends them raw, never JSON-encoded,
# so "123" as a text must stay a string. Everything else is JSON-decoded.
_STRING_PARAMS = frozenset(
    {
        "action", "business_connection_id", "callback_query_id", "caption", "document",
        "emoji", "file_id", "inline_message_id", "ip_address", "message_effect_id",
        "parse_mode", "photo", "secret_token", "text", "url",
    }
)  # fmt: skip
_BOT_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")


class Call(NamedTuple):
    """One Bot API call: the method name and its decoded parameters."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """A file PTB sent as multipart/form-data."""

    filename: str | None
    content_type: str
    content: bytes


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": status, "description": ...}``."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class FakeBotApi:
    """A recording, scriptable Telegram Bot API on 127.0.0.1 (an ephemeral port)."""

    bot_username = "doorstep_test_bot"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._next_message_id = 1
        self._next_faults: list[tuple[str | None, ApiError]] = []
        self._chat_faults: dict[int, ApiError] = {}
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}
        self.webhook_url = ""

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> FakeBotApi:
        """Start serving on a daemon thread."""
        handler = type("_BoundHandler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns promptly
            name="fake-bot-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if self._server is None:
            raise RuntimeError("FakeBotApi is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """What to pass as ``Bot(base_url=...)``: PTB appends the token."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        """What to pass as ``Bot(base_file_url=...)``: PTB appends the token."""
        return f"{self.root_url}/file/bot"

    # -- scripting -------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """Answer calls to ``chat_id`` with 403 "bot was blocked by the user" (Forbidden)."""
        self._chat_fault(chat_id, ApiError(403, "Forbidden: bot was blocked by the user"))

    def fail_chat(
        self, chat_id: int, status: int = 400, description: str = "Bad Request: chat not found"
    ) -> None:
        """Answer calls to ``chat_id`` with this error (400 -> BadRequest)."""
        self._chat_fault(chat_id, ApiError(status, description))

    def rate_limit_next(
        self, count: int = 1, retry_after: int = 1, *, method: str | None = "sendMessage"
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with 429 (RetryAfter)."""
        error = ApiError(
            429,
            f"Too Many Requests: retry after {retry_after}",
            {"retry_after": retry_after},
        )
        self._queue(count, method, error)

    def fail_next(
        self,
        count: int = 1,
        status: int = 500,
        description: str = "Internal Server Error",
        *,
        method: str | None = "sendMessage",
    ) -> None:
        """Answer the next ``count`` calls of ``method`` with this error (5xx -> NetworkError)."""
        self._queue(count, method, ApiError(status, description))

    def add_file(self, file_id: str, content: bytes) -> None:
        """Serve ``content`` when the bot downloads the file behind ``file_id``."""
        with self._lock:
            self.files[file_id] = content

    # -- inspection ------------------------------------------------------------

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call to ``method``, in order."""
        with self._lock:
            return [call.params for call in self.calls if call.method == method]

    def sent_messages(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Parameters of every sendMessage call (to ``chat_id`` if given), in order."""
        return [
            params
            for params in self.calls_to("sendMessage")
            if chat_id is None or _same_chat(params.get("chat_id"), chat_id)
        ]

    # -- internals -------------------------------------------------------------

    def _chat_fault(self, chat_id: int, error: ApiError) -> None:
        with self._lock:
            self._chat_faults[int(chat_id)] = error

    def _queue(self, count: int, method: str | None, error: ApiError) -> None:
        with self._lock:
            self._next_faults.extend((method, error) for _ in range(count))

    def handle(self, token: str, method: str, params: dict[str, Any]) -> Any:
        """Record a call and produce its ``result``, or raise ApiError."""
        with self._lock:
            self.calls.append(Call(method, params))
            for index, (only, error) in enumerate(self._next_faults):
                if only is None or only == method:
                    del self._next_faults[index]
                    raise error
            chat_id = params.get("chat_id")
            if isinstance(chat_id, int) and chat_id in self._chat_faults:
                raise self._chat_faults[chat_id]
            handler = self._methods().get(method)
            if handler is None:
                raise ApiError(404, "Not Found")
            return handler(token, params)

    def _methods(self) -> dict[str, Callable[[str, dict[str, Any]], Any]]:
        return {
            "getMe": lambda token, _: self._bot_user(token),
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "setWebhook": self._set_webhook,
            "deleteWebhook": lambda *_: self._set_webhook("", {"url": ""}),
            "answerCallbackQuery": lambda *_: True,
            "editMessageReplyMarkup": lambda *_: True,
            "editMessageText": lambda *_: True,
            "sendChatAction": lambda *_: True,
        }

    def _bot_user(self, token: str) -> dict[str, Any]:
        prefix = token.split(":", 1)[0]
        return {
            "id": int(prefix) if prefix.isdigit() else 1,
            "is_bot": True,
            "first_name": "Doorstep",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _new_message(self, token: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        message_id, self._next_message_id = self._next_message_id, self._next_message_id + 1
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "group"}
        if chat_id < 0:
            chat["title"] = "Group"
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self._bot_user(token),
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        return message

    def _send_message(self, token: str, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if len(str(text)) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return {**self._new_message(token, params), "text": str(text)}

    def _send_photo(self, token: str, params: dict[str, Any]) -> dict[str, Any]:
        photo = params.get("photo")
        if photo is None:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        message = self._new_message(token, params)
        file_id = photo if isinstance(photo, str) else f"photo-{message['message_id']}"
        if isinstance(photo, Upload):
            self.files[file_id] = photo.content
        message["photo"] = [
            {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 320, "height": 240}
        ]
        if params.get("caption"):
            message["caption"] = params["caption"]
        return message

    def _get_file(self, _token: str, params: dict[str, Any]) -> dict[str, Any]:
        """As Telegram answers: a path to download from, or 400 for a file it does not hold."""
        file_id = str(params.get("file_id", ""))
        if not file_id:
            raise ApiError(400, "Bad Request: file_id not specified")
        if file_id not in self.files:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"files/{file_id}",
        }

    def _set_webhook(self, _token: str, params: dict[str, Any]) -> bool:
        self.webhook_url = str(params.get("url", ""))
        return True

    def download(self, path: str) -> bytes | None:
        """Bytes behind a ``file_path`` handed out by getFile, or None (404)."""
        with self._lock:
            if not path.startswith("files/"):
                return None
            return self.files.get(path.removeprefix("files/"))


class _Handler(BaseHTTPRequestHandler):
    """Routes ``POST /bot<token>/<method>`` and ``GET /file/bot<token>/<path>``."""

    api: FakeBotApi

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: no request logging to stderr."""

    def do_POST(self) -> None:
        match = _BOT_PATH.match(self.path.split("?", 1)[0])
        if match is None:
            self._json(404, ApiError(404, "Not Found").body())
            return
        try:
            params = self._read_params()
            result = self.api.handle(match["token"], match["method"], params)
        except ApiError as error:
            self._json(error.status, error.body())
        except Exception as error:  # a bug in the fake must not kill the thread silently
            self._json(500, ApiError(500, f"Internal Server Error: {error!r}").body())
        else:
            self._json(200, {"ok": True, "result": result})

    def do_GET(self) -> None:
        match = _FILE_PATH.match(self.path.split("?", 1)[0])
        content = self.api.download(match["path"]) if match else None
        if content is None:
            self._json(404, ApiError(404, "Not Found").body())
            return
        self._send(200, "application/octet-stream", content)

    def _read_params(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        raw: dict[str, str | Upload] = {}
        if content_type.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
            )
            for part in message.iter_parts():
                name = str(part.get_param("name", header="content-disposition"))
                payload = part.get_payload(decode=True)
                content = payload if isinstance(payload, bytes) else b""
                filename = part.get_filename()
                if filename is None:
                    raw[name] = content.decode("utf-8")
                else:
                    raw[name] = Upload(filename, part.get_content_type(), content)
        elif content_type.startswith("application/json"):
            return dict(json.loads(body or b"{}"))
        else:
            raw = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return {name: _decode(name, value) for name, value in raw.items()}

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, "application/json", json.dumps(body).encode("utf-8"))

    def _send(self, status: int, content_type: str, content: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


def _decode(name: str, value: str | Upload) -> Any:
    """Undo PTB's encoding: String parameters are raw, everything else is JSON."""
    if isinstance(value, Upload) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel"


def _same_chat(sent: object, wanted: int | str) -> bool:
    try:
        return int(str(sent)) == int(wanted)
    except ValueError:
        return str(sent) == str(wanted)
