"""``doorstep scheduler``: APScheduler for the rounds, plus the dispatcher thread.

APScheduler only keeps time here: every round it runs whatever tasks in the
database have fallen due, so work booked by the web workers is seen without
telling this process anything, and a round missed while the process was down
is caught up once (coalesce) on the next start. The dispatcher runs in its own
thread so that replies go out within a second. The files tenants send are fetched
from their provider every few seconds (scheduler/media_fetch.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.flow import Settings
from models.schedule import ScheduledTask, TaskStatus
from scheduler.dispatcher import Dispatcher
from scheduler.media_fetch import MediaFetcher
from scheduler.mystery_shop_tasks import MysteryShopPlan, book_invitation
from scheduler.tasks import PURGE_KEY, book_purge, run_due_tasks

log = logging.getLogger(__name__)
ROUND_SECONDS = 15
MEDIA_ROUND_SECONDS = 5  # a file is fetched within seconds of its message


class SchedulerProcess:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        dispatcher: Dispatcher,
        clock: Callable[[], datetime],
        *,
        settings: Settings,
        retention_days: float,
        mystery_shop: MysteryShopPlan | None = None,
        media: MediaFetcher | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.dispatcher = dispatcher
        self.clock = clock
        self.settings = settings
        self.retention_days = retention_days
        self.mystery_shop = mystery_shop
        self.stop_event = threading.Event()
        self.scheduler = BackgroundScheduler(
            timezone=settings.timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.scheduler.add_job(
            self.run_due,
            "interval",
            seconds=ROUND_SECONDS,
            id="run-due-tasks",
            replace_existing=True,
        )
        if media is not None:
            self.scheduler.add_job(
                media.run_once,
                "interval",
                seconds=MEDIA_ROUND_SECONDS,
                id="fetch-media",
                replace_existing=True,
            )
        self._dispatch_thread = threading.Thread(
            target=dispatcher.run_until, args=(self.stop_event,), name="dispatcher", daemon=True
        )

    def run_due(self) -> int:
        """One round: make sure the standing tasks are booked, then run what is due.

        Booking every round means a standing task that failed is booked afresh
        instead of ending its chain.
        """
        self.book_standing_tasks()
        return run_due_tasks(self.session_factory, self.clock(), settings=self.settings)

    def book_standing_tasks(self) -> None:
        with self.session_factory.begin() as session:
            purge = session.scalar(select(ScheduledTask).where(ScheduledTask.key == PURGE_KEY))
            if purge is None or purge.status != TaskStatus.PENDING:
                book_purge(
                    session,
                    now=self.clock(),
                    zone=self.settings.timezone,
                    retention_days=self.retention_days,
                )
            if self.mystery_shop is not None:
                book_invitation(session, now=self.clock(), plan=self.mystery_shop)

    def start(self) -> None:
        self.run_due()  # catch up at once on anything that fell due while we were down
        self.scheduler.start()
        self._dispatch_thread.start()
        log.info("scheduler started")

    def stop(self) -> None:
        self.stop_event.set()
        self.scheduler.shutdown(wait=False)
        self._dispatch_thread.join(timeout=10)
        for channel in self.dispatcher.channels.values():
            channel.close()
