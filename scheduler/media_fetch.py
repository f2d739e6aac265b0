"""Fetching the files tenants sent, from their provider, just after they came.

The webhook only writes down each file's reference, so a slow or failing provider
never holds up an answer. Every few seconds the scheduler leases the files waiting,
fetches each outside any transaction, and settles it in a short one:

- kept: the bytes are in the database, for every web worker to serve to staff;
- too big (over MEDIA_MAX_BYTES, by the size the provider announced or as read):
  nothing is downloaded past the limit, and the tenant is told, in their language;
- a fault (the provider down, a timeout): tried again with backoff, and given up as
  lost after models.media.MAX_ATTEMPTS, the tenant then told too;
- the provider no longer has it: lost, and the tenant told.

A lease (models.media.claim_due) keeps two schedulers off one file; a scheduler that
dies mid-fetch leaves the file due again once the lease is over. The message itself
is never at stake: it was stored, and answered, before any of this.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.media_notes import tell_not_kept
from bot.messages import MediaKind
from channels.base import Channel, ChannelError, PermanentFailure
from channels.media import Fetched, MediaSource, TooBig
from channels.vcard import read_card
from models import media
from models.media import Due, MediaStatus

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)  # longer than the slowest fetch's timeouts allow
BATCH = 10


@dataclass
class MediaFetcher:
    session_factory: sessionmaker[Session]
    channels: Mapping[str, Channel]
    clock: Callable[[], datetime]
    max_bytes: int

    def run_once(self, limit: int = BATCH) -> int:
        """Fetch the files due now; how many were settled or put off."""
        now = self.clock()
        with self.session_factory.begin() as session:
            due = media.claim_due(session, now=now, until=now + LEASE, limit=limit)
        for file in due:
            self._fetch(file)
        return len(due)

    def _fetch(self, file: Due) -> None:
        source = self.channels.get(file.channel)
        try:
            if file.size is not None and file.size > self.max_bytes:
                raise TooBig("announced over the limit", size=file.size)
            if not isinstance(source, MediaSource):
                raise PermanentFailure(f"no way to fetch files from {file.channel}")
            fetched = source.fetch_media(file.source, max_bytes=self.max_bytes)
        except ChannelError as failure:
            self._not_fetched(file, failure)
            return
        self._keep(file, fetched)

    def _keep(self, file: Due, fetched: Fetched) -> None:
        """Keep the bytes; a contact card's name and number go with its message too."""
        card = read_card(fetched.content) if file.kind == MediaKind.CONTACT else None
        with self.session_factory.begin() as session:
            media.keep(
                session,
                file.id,
                content=fetched.content,
                content_type=fetched.content_type,
                now=self.clock(),
            )
            if card is not None:
                media.note_contact(session, file.message_id, name=card.name, phone=card.phone)
        log.info("kept file %s (%s, %d bytes)", file.id, file.kind, len(fetched.content))

    def _not_fetched(self, file: Due, failure: ChannelError) -> None:
        now = self.clock()
        reason = f"{type(failure).__name__} ({failure.code}): {failure}"
        log.warning("file %s not fetched: %s", file.id, reason)
        with self.session_factory.begin() as session:
            if isinstance(failure, TooBig):
                media.refuse(
                    session, file.id, MediaStatus.TOO_BIG, reason=reason, now=now, size=failure.size
                )
            elif isinstance(failure, PermanentFailure):
                media.refuse(session, file.id, MediaStatus.LOST, reason=reason, now=now)
            elif media.try_again(session, file, now=now, reason=reason):
                return
            tell_not_kept(
                session,
                file.message_id,
                kind=file.kind,
                too_big=isinstance(failure, TooBig),
                limit_bytes=self.max_bytes,
                now=now,
            )
