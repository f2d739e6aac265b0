"""Builders for Telegram webhook payloads, as plain dicts in the Bot API's JSON shape.

Why dicts: the webhook receives JSON, so tests should post exactly what Telegram
posts and let the real ``telegram.Update.de_json`` parse it. In PTB 22.8 the bot
argument is optional: ``Update.de_json(payload, None)`` parses offline (dates
become UTC-aware datetimes; shortcut methods such as ``message.reply_text`` need
a real bot). ``de_json`` does not mutate the dict it is given.

As in Telegram, a private chat's id equals the user's id, so ``user_id``
defaults to ``chat_id``.
"""

from __future__ import annotations

import time
from typing import Any

BOT_USER: dict[str, Any] = {
    "id": 1,
    "is_bot": True,
    "first_name": "Doorstep",
    "username": "doorstep_test_bot",
}


def _user(user_id: int, first_name: str) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def _message(
    *, chat_id: int, user_id: int | None, first_name: str, message_id: int, **content: Any
) -> dict[str, Any]:
    sender = _user(chat_id if user_id is None else user_id, first_name)
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": first_name},
        "from": sender,
        **content,
    }


def _update(update_id: int, **body: Any) -> dict[str, Any]:
    return {"update_id": update_id, **body}


def text_update(
    *,
    update_id: int,
    chat_id: int,
    text: str,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    """A plain text message from a tenant."""
    message = _message(
        chat_id=chat_id, user_id=user_id, first_name=first_name, message_id=update_id, text=text
    )
    return _update(update_id, message=message)


def command_update(
    *,
    update_id: int,
    chat_id: int,
    command: str,
    payload: str | None = None,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    """A bot command such as ``/start`` or a deep link ``/start 123456``."""
    command = command if command.startswith("/") else f"/{command}"
    text = command if payload is None else f"{command} {payload}"
    entity = {"type": "bot_command", "offset": 0, "length": len(command)}
    message = _message(
        chat_id=chat_id,
        user_id=user_id,
        first_name=first_name,
        message_id=update_id,
        text=text,
        entities=[entity],
    )
    return _update(update_id, message=message)


def callback_update(
    *,
    update_id: int,
    chat_id: int,
    data: str,
    message_id: int = 1,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    """A tap on an inline keyboard button under the bot's message ``message_id``."""
    sender = _user(chat_id if user_id is None else user_id, first_name)
    bot_message = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private", "first_name": first_name},
        "from": BOT_USER,
        "text": "…",
    }
    query = {
        "id": f"cbq-{update_id}",
        "from": sender,
        "message": bot_message,
        "chat_instance": f"ci-{chat_id}",
        "data": data,
    }
    return _update(update_id, callback_query=query)


def contact_update(
    *,
    update_id: int,
    chat_id: int,
    phone_number: str,
    user_id: int | None = None,
    first_name: str = "Ann",
) -> dict[str, Any]:
    """A shared contact; by default the sender's own number (contact.user_id == sender id).

    ``user_id`` is the *contact's* Telegram id; pass another id to model a tenant
    forwarding someone else's card.
    """
    contact = {
        "phone_number": phone_number,
        "first_name": first_name,
        "user_id": chat_id if user_id is None else user_id,
    }
    message = _message(
        chat_id=chat_id,
        user_id=None,
        first_name=first_name,
        message_id=update_id,
        contact=contact,
    )
    return _update(update_id, message=message)


def photo_update(
    *,
    update_id: int,
    chat_id: int,
    file_id: str,
    caption: str | None = None,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    """A photo; Telegram sends several sizes, the largest last (that one has ``file_id``)."""
    sizes = [
        {"file_id": f"{file_id}-thumb", "file_unique_id": f"u-{file_id}-t", "width": 90,
         "height": 67, "file_size": 1_200},
        {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 1280, "height": 960,
         "file_size": 98_000},
    ]  # fmt: skip
    content: dict[str, Any] = {"photo": sizes}
    if caption is not None:
        content["caption"] = caption
    message = _message(
        chat_id=chat_id, user_id=user_id, first_name=first_name, message_id=update_id, **content
    )
    return _update(update_id, message=message)


def location_update(
    *,
    update_id: int,
    chat_id: int,
    latitude: float,
    longitude: float,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    """A shared location pin."""
    message = _message(
        chat_id=chat_id,
        user_id=user_id,
        first_name=first_name,
        message_id=update_id,
        location={"latitude": latitude, "longitude": longitude},
    )
    return _update(update_id, message=message)


# -- what else a tenant can send: files, a place, somebody's contact card -------------------
# Each in the shape the Bot API's Message carries it (voice, audio, video, video_note,
# document, sticker, venue); file_size is what Telegram announces, the bytes are the
# fake Bot API's (FakeBotApi.add_file).


def _with(
    update_id: int,
    chat_id: int,
    first_name: str,
    user_id: int | None,
    caption: str | None,
    **content: Any,
) -> dict[str, Any]:
    if caption is not None:
        content["caption"] = caption
    message = _message(
        chat_id=chat_id, user_id=user_id, first_name=first_name, message_id=update_id, **content
    )
    return _update(update_id, message=message)


def _file(file_id: str, file_size: int | None, **more: Any) -> dict[str, Any]:
    found = {"file_id": file_id, "file_unique_id": f"u-{file_id}", **more}
    if file_size is not None:
        found["file_size"] = file_size
    return found


def voice_update(
    *,
    update_id: int,
    chat_id: int,
    file_id: str,
    file_size: int | None = 24_000,
    caption: str | None = None,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    """A voice message recorded in the app: OGG/Opus."""
    voice = _file(file_id, file_size, duration=7, mime_type="audio/ogg")
    return _with(update_id, chat_id, first_name, user_id, caption, voice=voice)


def audio_update(
    *,
    update_id: int,
    chat_id: int,
    file_id: str,
    file_size: int | None = 410_000,
    caption: str | None = None,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    """A sound file shared as music: a recording made with the phone's own recorder."""
    audio = _file(
        file_id,
        file_size,
        duration=31,
        title="New Recording 12",
        file_name="New Recording 12.m4a",
        mime_type="audio/mp4",
    )
    return _with(update_id, chat_id, first_name, user_id, caption, audio=audio)


def video_update(
    *,
    update_id: int,
    chat_id: int,
    file_id: str,
    file_size: int | None = 2_400_000,
    caption: str | None = None,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    video = _file(
        file_id,
        file_size,
        width=1280,
        height=720,
        duration=12,
        file_name="VID_20260303_095812.mp4",
        mime_type="video/mp4",
    )
    return _with(update_id, chat_id, first_name, user_id, caption, video=video)


def video_note_update(
    *,
    update_id: int,
    chat_id: int,
    file_id: str,
    file_size: int | None = 610_000,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    """A round video message: no caption, no type given (it is MP4)."""
    note = _file(file_id, file_size, length=384, duration=9)
    return _with(update_id, chat_id, first_name, user_id, None, video_note=note)


def document_update(
    *,
    update_id: int,
    chat_id: int,
    file_id: str,
    file_name: str = "Letter from the council.pdf",
    mime_type: str = "application/pdf",
    file_size: int | None = 88_000,
    caption: str | None = None,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    document = _file(file_id, file_size, file_name=file_name, mime_type=mime_type)
    return _with(update_id, chat_id, first_name, user_id, caption, document=document)


def sticker_update(
    *,
    update_id: int,
    chat_id: int,
    file_id: str,
    emoji: str = "👍",
    animated: bool = False,
    file_size: int | None = 21_000,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    sticker = _file(
        file_id,
        file_size,
        type="regular",
        width=512,
        height=512,
        is_animated=animated,
        is_video=False,
        emoji=emoji,
        set_name="HotCherry",
    )
    return _with(update_id, chat_id, first_name, user_id, None, sticker=sticker)


def venue_update(
    *,
    update_id: int,
    chat_id: int,
    latitude: float,
    longitude: float,
    title: str,
    address: str,
    first_name: str = "Ann",
    user_id: int | None = None,
) -> dict[str, Any]:
    """A place picked on the map: Telegram sends its pin as the location too."""
    location = {"latitude": latitude, "longitude": longitude}
    venue = {"location": location, "title": title, "address": address}
    return _with(update_id, chat_id, first_name, user_id, None, venue=venue, location=location)


def contact_card_update(
    *,
    update_id: int,
    chat_id: int,
    phone_number: str,
    contact_first_name: str,
    contact_last_name: str | None = None,
    first_name: str = "Ann",
) -> dict[str, Any]:
    """Somebody else's contact card, forwarded from the phone's address book (no user_id)."""
    contact = {"phone_number": phone_number, "first_name": contact_first_name}
    if contact_last_name:
        contact["last_name"] = contact_last_name
    return _with(update_id, chat_id, first_name, None, None, contact=contact)
