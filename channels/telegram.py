"""Telegram through python-telegram-bot: parse webhook updates, send with the ``Bot``, and
fetch the files tenants sent (channels/media.py), to keep for staff.

The ``Bot`` lives on one event loop in a thread of its own for the life of the
process, so its HTTP connection pool is reused; each send is handed to that loop
rather than starting a loop per message. Telegram cannot be asked whether it
delivered a message, so reconciling is not possible here (CannotReconcile).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from telegram import (
    Bot,
    Contact,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.messages import (
    SPOKEN,
    VOICE_NOTE,
    Attachment,
    ContactCard,
    InboundMessage,
    OutboundMessage,
    SendReceipt,
)
from channels.base import (
    Channel,
    OutcomeUnknown,
    PermanentFailure,
    RateLimited,
    RecipientUnreachable,
    TemporaryFailure,
)
from channels.media import Fetched, TooBig
from channels.presentations import TELEGRAM
from channels.telegram_media import attachments_of

# Opt in to PTB's announced behaviour: time periods as timedelta, without warnings.
os.environ.setdefault("PTB_TIMEDELTA", "true")

COMMAND_WORDS = {"/help": "HELP", "/menu": "MENU", "/stop": "STOP", "/lang": "LANG"}
SEND_TIMEOUT_SECONDS = 60
LONGEST_ID = 64
LONGEST_NAME, LONGEST_PHONE = 120, 40  # of a contact card: as a tenant's name, a number
T = TypeVar("T")


class NotAnUpdate(ValueError):
    """The JSON posted to the webhook is not a Telegram update."""


def parse_update(data: Mapping[str, Any]) -> InboundMessage | None:
    """The engine's message for an update, or None for updates the bot does not answer."""
    try:
        return _translate(Update.de_json(dict(data), None), data)
    except (LookupError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        raise NotAnUpdate(type(exc).__name__) from exc


def _translate(update: Update, data: Mapping[str, Any]) -> InboundMessage | None:
    provider_id = str(update.update_id)
    if len(provider_id) > LONGEST_ID:
        raise ValueError("update_id out of range")
    query = update.callback_query
    if query is not None:
        return InboundMessage(
            channel=TELEGRAM,
            address=str(query.from_user.id),
            provider_id=provider_id,
            text=_text(query.data),
            sender_name=query.from_user.first_name,
            raw=dict(data),
        )
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    sender = message.from_user
    contact = message.contact
    own_contact = contact is not None and sender is not None and contact.user_id == sender.id
    attachments = attachments_of(message)
    return InboundMessage(
        channel=TELEGRAM,
        address=str(message.chat.id),
        provider_id=provider_id,
        text=_words(_command_word(_text(message.text or message.caption)), attachments),
        attachments=attachments,
        location=(message.location.latitude, message.location.longitude)
        if message.location
        else None,
        place=", ".join(filter(None, (message.venue.title, message.venue.address)))
        if message.venue
        else None,
        shared_phone=contact.phone_number if own_contact and contact else None,
        contact_card=_card(contact) if contact is not None and not own_contact else None,
        sender_name=sender.first_name if sender else None,
        raw=dict(data),
    )


def _words(text: str, attachments: tuple[Attachment, ...]) -> str:
    """A voice message without a caption says VOICE_NOTE, as a voice note on a call does."""
    if not text.strip() and any(attachment.kind in SPOKEN for attachment in attachments):
        return VOICE_NOTE
    return text


def _card(contact: Contact) -> ContactCard:
    name = " ".join(filter(None, (contact.first_name, contact.last_name)))
    return ContactCard(name=name[:LONGEST_NAME], phone=contact.phone_number[:LONGEST_PHONE])


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("text is not a string")
    return value


def _command_word(text: str) -> str:
    """Telegram's /help, /menu ... as the words SMS tenants type; /start keeps its payload."""
    command, _, rest = text.partition(" ")
    command = command.split("@", 1)[0].lower()
    return COMMAND_WORDS.get(command, text) if not rest else text


class TelegramBot(Channel):
    name = TELEGRAM

    def __init__(self, token: str, *, api_url: str | None = None) -> None:
        root = (api_url or "https://api.telegram.org").rstrip("/")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="telegram-bot", daemon=True
        )
        self._thread.start()
        self._bot = Bot(token, base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
        self._run(self._bot.initialize())

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(timeout=SEND_TIMEOUT_SECONDS)

    def _send(self, message: OutboundMessage) -> SendReceipt:
        try:
            sent = self._run(
                self._bot.send_message(
                    chat_id=int(message.address),
                    text=message.text,
                    reply_markup=_keyboard(message),
                )
            )
        except Forbidden as exc:
            raise RecipientUnreachable("the tenant blocked the bot", code="403") from exc
        except RetryAfter as exc:
            raise RateLimited(
                "Telegram flood control", retry_after=_seconds(exc.retry_after), code="429"
            ) from exc
        except BadRequest as exc:
            raise PermanentFailure("Telegram refused the message", code="400") from exc
        except (NetworkError, TimeoutError) as exc:
            raise OutcomeUnknown("lost Telegram mid-request", code=type(exc).__name__) from exc
        except TelegramError as exc:
            raise TemporaryFailure("Telegram had a problem", code=type(exc).__name__) from exc
        return SendReceipt(str(sent.message_id))

    def fetch_media(self, source: str, *, max_bytes: int) -> Fetched:
        """A file a tenant sent, by its file id: getFile, then the download it points to.

        Telegram keeps files for a while only, and hands out files of at most 20 MB: a
        file it no longer has is a PermanentFailure, one too big is TooBig; a network
        fault, a TemporaryFailure.
        """
        try:
            return Fetched(self._run(self._download(source, max_bytes)))
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise TooBig("Telegram will not hand out a file this big") from exc
            raise PermanentFailure("Telegram no longer has that file", code="400") from exc
        except InvalidToken as exc:
            raise PermanentFailure("Telegram refused the bot's token", code="401") from exc
        except (NetworkError, TimeoutError) as exc:
            raise TemporaryFailure("lost Telegram mid-download", code=type(exc).__name__) from exc
        except TelegramError as exc:
            raise TemporaryFailure("Telegram had a problem", code=type(exc).__name__) from exc

    async def _download(self, file_id: str, max_bytes: int) -> bytes:
        file = await self._bot.get_file(file_id)
        if file.file_size is not None and file.file_size > max_bytes:
            raise TooBig(f"{file.file_size} bytes", size=file.file_size)
        content = bytes(await file.download_as_bytearray())
        if len(content) > max_bytes:
            raise TooBig(f"{len(content)} bytes", size=len(content))
        return content

    def set_webhook(self, url: str, secret: str) -> bool:
        return self._run(
            self._bot.set_webhook(
                url, secret_token=secret, allowed_updates=["message", "callback_query"]
            )
        )

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._run(self._bot.shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()


def _keyboard(message: OutboundMessage) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if message.contact_button:
        return ReplyKeyboardMarkup(
            [[KeyboardButton(message.contact_button, request_contact=True)]],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    if message.choices:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(choice.label, callback_data=choice.key)]
                for choice in message.choices
            ]
        )
    return None


def _seconds(period: int | timedelta) -> float:
    return period.total_seconds() if isinstance(period, timedelta) else float(period)
