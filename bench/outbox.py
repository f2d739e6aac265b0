"""The big notice: tenants seeded, the notice queued, and part of it dispatched.

Each step runs as a process of its own (``python -m bench.outbox STEP ...``) and
prints one JSON object, so each process's peak memory is its own: ``notice`` is
the scheduler's work (queue a notice to every tenant in one transaction, then
dispatch), measured against the bare Core equivalents.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

import models.all  # noqa: F401 - every table known, so foreign keys resolve
from bench.fake_providers import LocalTwilio
from bench.processes import peak_rss_mb
from bench.traffic import PUBLIC_URL, TWILIO_TOKEN
from bot.flow import Settings
from bot.messages import OutboundMessage as Message
from bot.notices import queue_notices
from channels.base import Channel
from doorstep.config import Config
from doorstep.wiring import build_channels, engine_settings
from models.base import utcnow
from models.consent import Topic
from models.db import make_engine, make_session_factory
from models.inspections import audience, audience_in_chunks
from models.messages import OutboundKind, OutboundRecord, OutboxStatus
from models.tenants import Area, Identity, Tenant
from scheduler.dispatcher import Dispatcher

AREA_NAME = "Buckhaven"
TELEGRAM_SHARE = 4  # one tenant in four is reached by Telegram
NOTICE = {
    "en": "Estate inspection in Buckhaven on Tue 3 Dec, 10:30. Meet at the community hall. "
    "Reply COMING if you will walk with us, or REPORT to tell us about a problem.",
    "pl": "Przegląd osiedla Buckhaven: wt. 3.12, 10:30. Zbiórka przy świetlicy. "
    "Odpisz COMING, jeśli przyjdziesz, lub REPORT, aby zgłosić problem.",
}
PROFILE_ROWS = 10_000
PROFILE_LINES = 25


def seed(engine: Engine, tenants: int) -> dict[str, Any]:
    """Tenants and their identities in one bulk insert each, all in one area."""
    started = time.perf_counter()
    with engine.begin() as connection:
        area_id = connection.execute(
            insert(Area).values(name=AREA_NAME, postcode_prefixes="KY8 1").returning(Area.id)
        ).scalar_one()
        first = (connection.execute(select(func.max(Tenant.id))).scalar() or 0) + 1
        ids = range(first, first + tenants)
        connection.execute(
            insert(Tenant),
            [
                {
                    "id": n,
                    "name": f"Tenant {n}",
                    "phone": f"+4474{n:08d}",
                    "language": "pl" if n % 10 == 0 else "en",
                    "area_id": area_id,
                    "registered": True,
                    "verified": True,
                }
                for n in ids
            ],
        )
        connection.execute(
            insert(Identity),
            [
                {"tenant_id": n, "channel": "telegram", "address": str(800_000_000 + n)}
                if n % TELEGRAM_SHARE == 0
                else {"tenant_id": n, "channel": "sms", "address": f"+4474{n:08d}"}
                for n in ids
            ],
        )
    return {"area_id": area_id, "seconds": time.perf_counter() - started}


def bare_enqueue(engine: Engine, area_id: int) -> dict[str, Any]:
    """The least it can take: one Core select of the addresses, one executemany."""
    now = utcnow()
    started = time.perf_counter()
    with engine.begin() as connection:
        people = connection.execute(
            select(Identity.tenant_id, Identity.channel, Identity.address, Tenant.language)
            .join(Tenant, Tenant.id == Identity.tenant_id)
            .where(Tenant.area_id == area_id)
            .order_by(Identity.tenant_id)
        ).all()
        connection.execute(
            insert(OutboundRecord),
            [
                {
                    "tenant_id": tenant_id,
                    "channel": channel,
                    "address": address,
                    "body": NOTICE[language],
                    "choices": {},
                    "kind": OutboundKind.NOTICE,
                    "topic": Topic.INSPECTIONS,
                    "status": OutboxStatus.QUEUED,
                    "segments": 1,
                    "attempts": 0,
                    "resent_unconfirmed": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for tenant_id, channel, address, language in people
            ],
        )
    seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(delete(OutboundRecord).where(OutboundRecord.kind == "notice"))
    return {"rows": len(people), "seconds": seconds, "rss_mb": peak_rss_mb_self()}


def queue_to_area(session: Session, area_id: int, settings: Settings, limit: int | None) -> int:
    """doorstep's path, as send_notice takes it: audience_in_chunks, queue_notices per page."""
    now = utcnow()
    queued = 0
    for page in audience_in_chunks(session, area_id):
        queued += queue_notices(
            session,
            page,
            NOTICE.__getitem__,
            topic=Topic.INSPECTIONS,
            now=now,
            settings=settings,
        )
        if limit is not None and queued >= limit:
            break
    return queued


def notice(args: argparse.Namespace) -> dict[str, Any]:
    engine = make_engine(args.url)
    sessions = make_session_factory(engine)
    config = bench_config(args)
    settings = engine_settings(config)
    figures: dict[str, Any] = {}
    if args.profile:
        figures["profile"] = profile_enqueue(sessions, args.area_id, settings)
    started = time.perf_counter()
    with sessions.begin() as session:
        figures["rows"] = queue_to_area(session, args.area_id, settings, None)
    figures["seconds"] = time.perf_counter() - started
    figures["rss_after_enqueue_mb"] = peak_rss_mb_self()
    if args.audience:
        started = time.perf_counter()
        with sessions() as session:
            figures["audience_rows"] = len(audience(session, args.area_id))
        figures["audience_seconds"] = time.perf_counter() - started
    channels = build_channels(config, twilio_http_client=LocalTwilio(args.twilio))
    try:
        figures["dispatch"] = dispatch(sessions, channels, args)
    finally:
        for channel in channels.values():
            channel.close()
    figures["rss_mb"] = peak_rss_mb_self()
    return figures


def profile_enqueue(sessions: sessionmaker[Session], area_id: int, settings: Settings) -> str:
    """cProfile of the queueing of PROFILE_ROWS notices, flushed then rolled back."""
    profiler = cProfile.Profile()
    with sessions() as session:
        profiler.enable()
        queue_to_area(session, area_id, settings, PROFILE_ROWS)
        session.flush()
        profiler.disable()
        session.rollback()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(PROFILE_LINES)
    return out.getvalue()


def dispatch(
    sessions: sessionmaker[Session], channels: dict[str, Channel], args: argparse.Namespace
) -> dict[str, Any]:
    """The same rows sent by a bare loop, then by the Dispatcher; then more, rate-limited."""
    with sessions() as session:
        last_due = session.scalar(select(func.max(OutboundRecord.next_attempt_at)))
    ahead = max((last_due or utcnow()) - utcnow(), timedelta()) + timedelta(seconds=1)

    def clock() -> datetime:  # as if the sending window had opened: every notice is due
        return utcnow() + ahead

    figures: dict[str, Any] = {"bare": bare_sends(sessions, channels, args.dispatch)}
    unlimited = Dispatcher(sessions, channels, clock, rates={}, name="bench-unlimited")
    figures["doorstep"] = run_dispatcher(unlimited, sessions, args.dispatch)
    rates = {name: args.rate for name in channels}
    limited = Dispatcher(sessions, channels, clock, rates=rates, name="bench-limited")
    figures["limited"] = run_dispatcher(limited, sessions, args.rate_rows)
    figures["limited"]["rate"] = args.rate
    with sessions() as session:
        statuses = select(OutboundRecord.status, func.count()).group_by(OutboundRecord.status)
        figures["statuses"] = dict(session.execute(statuses).all())
    return figures


def bare_sends(
    sessions: sessionmaker[Session], channels: dict[str, Channel], rows: int
) -> dict[str, Any]:
    """The same HTTP calls through the same clients, with no bookkeeping at all."""
    with sessions() as session:
        due = session.execute(
            select(
                OutboundRecord.id,
                OutboundRecord.channel,
                OutboundRecord.address,
                OutboundRecord.body,
            )
            .where(OutboundRecord.status == OutboxStatus.QUEUED)
            .order_by(OutboundRecord.next_attempt_at, OutboundRecord.id)
            .limit(rows)
        ).all()
    started = time.perf_counter()
    for row_id, channel, address, body in due:
        channels[channel].send(Message(channel, address, body, reference=str(row_id)))
    return {"rows": len(due), "seconds": time.perf_counter() - started}


def run_dispatcher(
    dispatcher: Dispatcher, sessions: sessionmaker[Session], rows: int
) -> dict[str, Any]:
    """Rounds of the real Dispatcher until ``rows`` are handled; what it sent, per channel."""
    started = time.perf_counter()
    handled = 0
    while handled < rows:
        claimed = dispatcher.run_once()
        if not claimed:
            break
        handled += claimed
    seconds = time.perf_counter() - started
    with sessions() as session:
        per_channel = session.execute(
            select(OutboundRecord.channel, func.count())
            .where(OutboundRecord.claimed_by == dispatcher.name)
            .group_by(OutboundRecord.channel)
        ).all()
    return {"rows": handled, "seconds": seconds, "per_channel": dict(per_channel)}


def bench_config(args: argparse.Namespace) -> Config:
    return Config(
        database_url=args.url,
        public_url=PUBLIC_URL,
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_from_number="+447700900000",
        telegram_bot_token="123456:BENCH-TOKEN",  # noqa: S106 - the fake Bot API's
        telegram_api_url=args.telegram,
        sms_rate_per_second=0,
        telegram_rate_per_second=0,
    )


def peak_rss_mb_self() -> float:
    return peak_rss_mb(os.getpid())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox")
    parser.add_argument("step", choices=["seed", "bare-enqueue", "notice"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--tenants", type=int, default=100_000)
    parser.add_argument("--area-id", type=int, default=0)
    parser.add_argument("--dispatch", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--rate-rows", type=int, default=1000)
    parser.add_argument("--twilio", default="")
    parser.add_argument("--telegram", default="")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--audience", action="store_true")
    args = parser.parse_args()
    if args.step == "notice":
        result = notice(args)
    else:
        engine = make_engine(args.url)
        result = (
            seed(engine, args.tenants)
            if args.step == "seed"
            else bare_enqueue(engine, args.area_id)
        )
        engine.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
