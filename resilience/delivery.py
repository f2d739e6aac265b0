"""Scenarios 1-4: the outbox under a killed scheduler, many dispatchers, faults and a poison row.

Each seeds tenants and queues one notice per recipient with bot/notices.py
queue_notice (urgent, so the sending window does not hold it), lets real
dispatcher processes send it to the local fake providers, and then counts, per
recipient, what the fake provider accepted.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.notices import queue_notice
from doorstep.config import Config
from doorstep.wiring import engine_settings
from models.tenants import Identity, Tenant
from resilience.harness import (
    TELEGRAM_TOKEN,
    BotApi,
    Child,
    Database,
    FastClock,
    FaultPlan,
    Hold,
    Result,
    TwilioServer,
    app_env,
    doorstep_command,
    fictional_number,
    honoured_retry_after,
    start,
    throwaway_database,
    wait_until,
)

OPEN_STATUSES = ("queued", "sending")
FIRST_CHAT = 800_000_000


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str


def seed(
    db: Database, clock: FastClock, *, sms: int, telegram: int, text: str, offset: int = 0
) -> list[Recipient]:
    """Tenants with one identity each, and one urgent notice queued to every one of them."""
    settings = engine_settings(Config(database_url=db.url))
    recipients = [Recipient("sms", fictional_number(offset + n)) for n in range(sms)]
    recipients += [Recipient("telegram", str(FIRST_CHAT + offset + n)) for n in range(telegram)]
    with db.sessions.begin() as session:
        tenants = []
        for who in recipients:
            tenant = Tenant(
                name="Resilience tenant",
                phone=who.address if who.channel == "sms" else None,
                registered=True,
            )
            tenant.identities.append(Identity(channel=who.channel, address=who.address))
            tenants.append(tenant)
        session.add_all(tenants)
        session.flush()
        now = clock()
        for tenant in tenants:
            identity = tenant.identities[0]
            queue_notice(
                session,
                tenant=tenant,
                identity=identity,
                text=text,
                topic="inspections",
                now=now,
                settings=settings,
                urgent=True,
            )
    return recipients


def queue_again(db: Database, clock: FastClock, text: str) -> int:
    """One more notice to every tenant already seeded."""
    settings = engine_settings(Config(database_url=db.url))
    with db.sessions.begin() as session:
        tenants = session.query(Tenant).all()
        for tenant in tenants:
            queue_notice(
                session,
                tenant=tenant,
                identity=tenant.identities[0],
                text=text,
                topic="inspections",
                now=clock(),
                settings=settings,
                urgent=True,
            )
        return len(tenants)


def tally(
    recipients: list[Recipient],
    delivered: dict[str, list[str]],
    text_marker: str,
) -> tuple[int, int, dict[str, int]]:
    """(lost, duplicated, extra copies per address) of the notice carrying ``text_marker``."""
    lost = duplicated = 0
    extra: dict[str, int] = {}
    for who in recipients:
        copies = sum(text_marker in body for body in delivered.get(who.address, []))
        if copies == 0:
            lost += 1
        elif copies > 1:
            duplicated += copies - 1
            extra[who.address] = copies - 1
    return lost, duplicated, extra


def open_rows(db: Database) -> int:
    return int(
        db.scalar("SELECT count(*) FROM outbound_messages WHERE status IN ('queued', 'sending')")
    )


def statuses(db: Database) -> dict[str, int]:
    rows = db.rows("SELECT status, count(*) FROM outbound_messages GROUP BY status")
    return {str(status): int(count) for status, count in rows}


@contextlib.contextmanager
def providers(
    clock: FastClock, plan: FaultPlan | None = None, delay: float = 0.0
) -> Iterator[tuple[TwilioServer, BotApi]]:
    bot_api = BotApi(clock, plan, delay).start()
    try:
        with TwilioServer(clock, plan, delay) as twilio:
            yield twilio, bot_api
    finally:
        bot_api.stop()


def child_dispatcher(
    db: Database,
    twilio: TwilioServer,
    bot_api: BotApi,
    clock: FastClock,
    *,
    label: str,
    scheduler: bool = False,
) -> Child:
    args = [
        "-m", "resilience.dispatcher_child",
        "--database-url", db.url,
        "--twilio-url", twilio.url,
        "--telegram-url", bot_api.root_url,
        "--clock", clock.as_arg(),
        "--name", label,
    ]  # fmt: skip
    if scheduler:
        args.append("--scheduler")
    import sys

    return start([sys.executable, *args], app_env(db), label)


def _stop_all(children: list[Child]) -> None:
    for child in children:
        child.stop()


def _drain(db: Database, children: list[Child], timeout: float) -> bool:
    return (
        wait_until(
            lambda: open_rows(db) == 0 or not any(c.alive() for c in children), timeout, every=0.5
        )
        and open_rows(db) == 0
    )


# -- 1. the scheduler killed mid-send ----------------------------------------------------


def kill_mid_send(quick: bool) -> Result:
    count = 500 if quick else 5000
    result = Result(
        "1 scheduler SIGKILLed mid-send",
        load=f"{count} SMS + {count} Telegram notices",
        faults="SIGKILL at ~40% sent, once per channel; restart",
    )
    telegram = _kill_telegram_scheduler(count, result)
    sms = _kill_sms_scheduler(count, result)
    result.lost = telegram[0] + sms[0]
    result.duplicated = telegram[1] + sms[1]
    result.check(sms[1] == 0, f"SMS sent twice after reconciling: {sms[1]}")
    result.check(telegram[1] <= 1, f"Telegram duplicates {telegram[1]} > the one in flight")
    result.check(result.lost == 0, f"{result.lost} recipients never got the notice")
    if telegram[1]:
        result.notes.append(f"Telegram: {telegram[1]} in-flight message sent twice (allowed)")
        result.duplicated = f"{sms[1]} SMS, {telegram[1]} TG (in flight, allowed)"
    return result


def _kill_telegram_scheduler(count: int, result: Result) -> tuple[int, int]:
    """The real ``doorstep scheduler`` process; Telegram through TELEGRAM_API_URL."""
    clock = FastClock(time.time())
    marker = "TGKILL"
    with throwaway_database() as db, providers(clock, delay=0.005) as (_twilio, bot_api):
        recipients = seed(db, clock, sms=0, telegram=count, text=f"{marker}: lifts off Monday")
        env = app_env(db, TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN, TELEGRAM_API_URL=bot_api.root_url)
        return _kill_and_restart(
            db,
            recipients,
            marker,
            result,
            lambda label: start(doorstep_command("scheduler"), env, label),
            bot_api.hold,
            bot_api.delivered,
            "telegram",
        )


def _kill_sms_scheduler(count: int, result: Result) -> tuple[int, int]:
    """SchedulerProcess wired as the CLI wires it, the twilio Client pointed at loopback."""
    clock = FastClock(time.time())
    marker = "SMSKILL"
    with throwaway_database() as db, providers(clock, delay=0.005) as (twilio, bot_api):
        recipients = seed(db, clock, sms=count, telegram=0, text=f"{marker}: lifts off Monday")
        return _kill_and_restart(
            db,
            recipients,
            marker,
            result,
            lambda label: child_dispatcher(db, twilio, bot_api, clock, label=label, scheduler=True),
            twilio.hold,
            twilio.delivered,
            "sms",
        )


def _kill_and_restart(
    db: Database,
    recipients: list[Recipient],
    marker: str,
    result: Result,
    launch: Callable[[str], Child],
    hold: Hold,
    delivered: Callable[[], dict[str, list[str]]],
    channel: str,
) -> tuple[int, int]:
    children: list[Child] = []
    try:
        hold.at = int(len(recipients) * 0.4) + 17  # this send is accepted, then not answered
        first = launch(f"s1-{channel}-first")
        children.append(first)
        if not wait_until(lambda: hold.reached.is_set() or not first.alive(), 180):
            result.problems.append(f"{channel}: the scheduler sent too slowly to kill mid-way")
        if not first.alive():
            result.problems.append(f"{channel}: the scheduler died by itself: see {first.log}")
        first.kill()
        at_kill = hold.accepted
        in_flight = int(db.scalar("SELECT count(*) FROM outbound_messages WHERE status='sending'"))
        result.notes.append(
            f"{channel}: killed while send {at_kill} was accepted but unanswered; "
            f"{in_flight} rows left 'sending'"
        )
        # The lease (2 minutes) is what lets a restarted dispatcher take over these rows;
        # rather than wait it out, age the claims, as if the restart came 3 minutes later.
        db.execute(
            "UPDATE outbound_messages SET claimed_at = claimed_at - interval '3 minutes' "
            "WHERE status = 'sending'"
        )
        db.execute(  # the rest of its batch: leased, still queued, due when the lease ends
            "UPDATE outbound_messages SET next_attempt_at = next_attempt_at - interval '3 minutes' "
            "WHERE status = 'queued' AND claimed_by IS NOT NULL"
        )
        second = launch(f"s1-{channel}-restart")
        children.append(second)
        drained = _drain(db, [second], 240)
        result.check(drained, f"{channel}: rows still open after restart: {statuses(db)}")
        settled = statuses(db)
        result.check(set(settled) <= {"sent", "delivered"}, f"{channel}: final statuses {settled}")
        resent = int(
            db.scalar("SELECT coalesce(sum(resent_unconfirmed), 0) FROM outbound_messages")
        )
        if resent:
            result.notes.append(f"{channel}: {resent} rows resent without confirmation (counted)")
    finally:
        _stop_all(children)
    lost, duplicated, _ = tally(recipients, delivered(), marker)
    return lost, duplicated


# -- 2. several dispatchers on one PostgreSQL ----------------------------------------------


def many_dispatchers(quick: bool) -> Result:
    count = 1500 if quick else 10000
    result = Result(
        "2 parallel dispatchers (PostgreSQL)",
        load=f"{count} Telegram rows x2 runs",
        faults="2, then 4 `doorstep dispatcher` processes",
    )
    clock = FastClock(time.time())
    lost = duplicated = 0
    with throwaway_database() as db, providers(clock) as (_twilio, bot_api):
        recipients = seed(db, clock, sms=0, telegram=count, text="RUN2: meeting on Thursday")
        for run, workers in ((2, 2), (4, 4)):
            if run == 4:
                queue_again(db, clock, "RUN4: meeting on Friday")
            env = app_env(db, TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN, TELEGRAM_API_URL=bot_api.root_url)
            children = []
            try:
                began = time.monotonic()
                children = [
                    start(doorstep_command("dispatcher"), env, f"s2-{workers}-{n}")
                    for n in range(workers)
                ]
                drained = _drain(db, children, 240)
                took = time.monotonic() - began
                result.check(drained, f"{workers} dispatchers: rows left open {statuses(db)}")
            finally:
                _stop_all(children)
            claimers = db.rows(
                "SELECT claimed_by, count(*) FROM outbound_messages "
                "WHERE body LIKE :marker GROUP BY claimed_by",
                marker=f"RUN{run}%",
            )
            result.notes.append(
                f"{workers} dispatchers: {count} rows in {took:.0f}s, "
                f"rows per dispatcher {sorted(n for _, n in claimers)}"
            )
            result.check(
                len(claimers) == workers, f"only {len(claimers)} of {workers} dispatchers sent"
            )
            run_lost, run_duplicated, _ = tally(recipients, bot_api.delivered(), f"RUN{run}:")
            lost += run_lost
            duplicated += run_duplicated
    result.lost, result.duplicated = lost, duplicated
    result.check(lost == 0, f"{lost} notices never sent")
    result.check(duplicated == 0, f"{duplicated} notices sent twice")
    return result


# -- 3. providers failing and throttling ----------------------------------------------------


def flaky_providers(quick: bool) -> Result:
    count = 150 if quick else 400
    speed = 10.0
    result = Result(
        "3 flaky providers (500 30%, 429 10%)",
        load=f"{count} SMS + {count} Telegram notices",
        faults="500 on 30% of sends, 429 retry_after=1s on 10%; clock x10",
    )
    clock = FastClock(time.time(), speed)
    plan = FaultPlan(error_share=0.30, limit_share=0.10, retry_after=1)
    marker = "FLAKY"
    children: list[Child] = []
    with throwaway_database() as db, providers(clock, plan) as (twilio, bot_api):
        recipients = seed(db, clock, sms=count, telegram=count, text=f"{marker}: survey open")
        try:
            children.append(child_dispatcher(db, twilio, bot_api, clock, label="s3"))
            drained = _drain(db, children, 240)
            result.check(drained, f"rows left open: {statuses(db)}")
        finally:
            _stop_all(children)
        delivered = {**twilio.delivered(), **bot_api.delivered()}
        attempts = twilio.attempts + bot_api.attempts
        faults = {kind: sum(a.outcome == kind for a in attempts) for kind in ("500", "429")}
        result.faults += f" ({faults['500']} x 500, {faults['429']} x 429 injected)"
        # Twilio's adapter waits 1 s after a 429 (Twilio sends no retry_after of its own).
        early = honoured_retry_after(twilio.attempts, 1.0) + honoured_retry_after(
            bot_api.attempts, 1.0
        )
        result.check(not early, f"sent before retry_after passed: {early[:3]} ({len(early)})")
        settled = statuses(db)
        result.check(set(settled) <= {"sent", "delivered"}, f"final statuses {settled}")
        lost, duplicated, _ = tally(recipients, delivered, marker)
        result.lost, result.duplicated = lost, duplicated
        result.check(lost == 0, f"{lost} notices never delivered")
        result.check(duplicated == 0, f"{duplicated} notices delivered twice")
    return result


# -- 4. one recipient that always fails ----------------------------------------------------


def poison_recipient(quick: bool) -> Result:
    count = 400 if quick else 2500
    result = Result(
        "4 one poison recipient per channel",
        load=f"{count} SMS + {count} Telegram notices",
        faults="SMS: Twilio 21610 to one number; Telegram: 400 chat not found to one chat",
    )
    clock = FastClock(time.time())
    marker = "POISON"
    children: list[Child] = []
    with throwaway_database() as db, providers(clock) as (twilio, bot_api):
        recipients = seed(db, clock, sms=count, telegram=count, text=f"{marker}: bins Tuesday")
        bad_number = recipients[count // 2].address
        bad_chat = recipients[count + count // 2].address
        twilio.fake.always_fail(bad_number)
        bot_api.fail_chat(int(bad_chat))
        try:
            children.append(child_dispatcher(db, twilio, bot_api, clock, label="s4"))
            drained = _drain(db, children, 240)
            result.check(drained, f"rows left open: {statuses(db)}")
        finally:
            _stop_all(children)
        final = dict(db.rows("SELECT address, status FROM outbound_messages"))
        result.check(
            final.get(bad_number) == "opted_out", f"21610 row ended {final.get(bad_number)}"
        )
        result.check(
            final.get(bad_chat) == "failed", f"chat-not-found row ended {final.get(bad_chat)}"
        )
        tries = [a for a in twilio.attempts + bot_api.attempts if a.to in (bad_number, bad_chat)]
        result.check(
            len(tries) == 2, f"poison recipients were tried {len(tries)} times, not once each"
        )
        good = [r for r in recipients if r.address not in (bad_number, bad_chat)]
        delivered = {**twilio.delivered(), **bot_api.delivered()}
        lost, duplicated, _ = tally(good, delivered, marker)
        result.lost, result.duplicated = lost, duplicated
        others = {s: n for s, n in statuses(db).items()}
        result.notes.append(f"statuses {others}; poison rows: opted_out (SMS), failed (Telegram)")
        result.check(lost == 0, f"{lost} of the other {len(good)} never got it")
        result.check(duplicated == 0, f"{duplicated} sent twice")
    return result
