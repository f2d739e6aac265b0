"""The scheduler fetches the files tenants send every few seconds, and drops them with
their words when the retention period is over."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from channels.base import Channel
from models.media import Media
from models.tenants import Tenant
from scheduler.dispatcher import Dispatcher
from scheduler.media_fetch import MediaFetcher
from scheduler.process import MEDIA_ROUND_SECONDS, SchedulerProcess
from scheduler.tasks import book_purge, run_due_tasks
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import Clock, Phone
from tests.media_helpers import JPEG, files_of, last_message, send_mms


def test_the_scheduler_process_fetches_files_every_few_seconds(
    sessions: sessionmaker[Session],
    dispatcher: Dispatcher,
    channels: dict[str, Channel],
    clock: Clock,
) -> None:
    fetcher = MediaFetcher(sessions, channels, clock, max_bytes=1024 * 1024)
    process = SchedulerProcess(
        sessions, dispatcher, clock, settings=Settings(), retention_days=365, media=fetcher
    )

    job = process.scheduler.get_job("fetch-media")

    assert job is not None and job.func == fetcher.run_once
    assert job.trigger.interval.total_seconds() == MEDIA_ROUND_SECONDS <= 5


def test_the_nightly_purge_drops_the_files_of_messages_past_retention_with_their_words(
    phone: Phone,
    tenant: Tenant,
    db: Session,
    fake_twilio: FakeTwilio,
    sessions: sessionmaker[Session],
    clock: Clock,
) -> None:
    send_mms(phone, fake_twilio, [(JPEG, "image/jpeg")], "The bins", sid="SMold")
    clock.advance(days=20)
    send_mms(phone, fake_twilio, [(JPEG, "image/jpeg")], "The bins again", sid="SMnew")
    book_purge(db, now=clock(), zone=Settings().timezone, retention_days=30)
    db.commit()
    clock.advance(days=15)

    run_due_tasks(sessions, clock())

    old, new = last_message(db, "sms", "SMold"), last_message(db, "sms", "SMnew")
    assert (old.body, files_of(db, old)) == ("", [])
    assert [f.content_type for f in files_of(db, new)] == ["image/jpeg"]
    assert len(list(db.scalars(select(Media)))) == 1
