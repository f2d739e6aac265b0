"""What a Telegram message carries besides words, as the engine's attachments.

Telegram names each kind of file in its own field of the Message (photo, voice, audio,
video, video_note, animation, document, sticker) and says its type and size there; the
bytes are fetched later by file_id (channels/telegram.py). An animation comes with a
copy of itself as a document, for old clients: it is kept once.
"""

from __future__ import annotations

from telegram import Message, Sticker

from bot.messages import Attachment, MediaKind

LONGEST_SOURCE = 512  # a file_id is well under this; anything longer is not one
LONGEST_FILENAME = 200


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if message.photo:
        largest = message.photo[-1]  # Telegram sends every size, the largest last
        found.append(_file(MediaKind.PHOTO, largest.file_id, "image/jpeg", largest.file_size))
    if message.voice:
        voice = message.voice
        found.append(
            _file(MediaKind.VOICE, voice.file_id, voice.mime_type or "audio/ogg", voice.file_size)
        )
    if message.audio:
        audio = message.audio
        found.append(
            _file(
                MediaKind.AUDIO,
                audio.file_id,
                audio.mime_type or "audio/mpeg",
                audio.file_size,
                audio.file_name,
            )
        )
    found.extend(_moving_pictures(message))
    if message.document and not message.animation:
        document = message.document
        found.append(
            _file(
                MediaKind.DOCUMENT,
                document.file_id,
                document.mime_type or "application/octet-stream",
                document.file_size,
                document.file_name,
            )
        )
    if message.sticker:
        found.append(_sticker(message.sticker))
    return tuple(found)


def _moving_pictures(message: Message) -> list[Attachment]:
    """A video, a round video message, or an animation (Telegram's GIFs are MP4 videos)."""
    found = []
    for video in (message.video, message.animation):
        if video is not None:
            kind, content_type = MediaKind.VIDEO, video.mime_type or "video/mp4"
            found.append(_file(kind, video.file_id, content_type, video.file_size, video.file_name))
    if message.video_note:
        note = message.video_note
        found.append(_file(MediaKind.VIDEO, note.file_id, "video/mp4", note.file_size))
    return found


def _sticker(sticker: Sticker) -> Attachment:
    """A still sticker is a WebP image, a video sticker a WebM video, an animated one Lottie."""
    if sticker.is_video:
        content_type = "video/webm"
    elif sticker.is_animated:
        content_type = "application/x-tgsticker"
    else:
        content_type = "image/webp"
    return _file(
        MediaKind.STICKER, sticker.file_id, content_type, sticker.file_size, emoji=sticker.emoji
    )


def _file(
    kind: MediaKind,
    file_id: str,
    content_type: str,
    size: int | None,
    filename: str | None = None,
    *,
    emoji: str | None = None,
) -> Attachment:
    if not file_id or len(file_id) > LONGEST_SOURCE:
        raise ValueError("file_id out of range")
    return Attachment(
        kind=kind,
        source=file_id,
        content_type=content_type[:100],
        size=size,
        filename=filename[:LONGEST_FILENAME] if filename else None,
        emoji=emoji[:16] if emoji else None,
    )
