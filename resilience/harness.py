"""What every scenario needs: a throwaway database, local fake providers, processes it can kill.

Everything listens on 127.0.0.1 only. Every process started here runs in its own
process group and is stopped by that group's id, never by name.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from bot.catalogue import languages  # noqa: F401 - the catalogues load before any timing
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from tests.fakes.telegram_api import ApiError, FakeBotApi, _Handler
from tests.fakes.twilio_api import FakeTwilio

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_SERVER = os.environ.get(
    "DOORSTEP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "resilience-twilio-token"  # noqa: S105 - offline fakes only
TWILIO_FROM = "+447700900000"
TELEGRAM_TOKEN = "123456:RESILIENCE-TOKEN"  # noqa: S105
TELEGRAM_SECRET = "resilience-telegram-secret"  # noqa: S105
# Ofcom's drama ranges: numbers that can never reach a real person.
FICTIONAL_PREFIXES = (
    "+447700900", "+441632960", "+441134960", "+441144960", "+441154960", "+441164960",
    "+441174960", "+441184960", "+441214960", "+441314960", "+441414960", "+441514960",
    "+441614960", "+442079460",
)  # fmt: skip


def fictional_number(n: int) -> str:
    prefix, rest = divmod(n, 1000)
    return f"{FICTIONAL_PREFIXES[prefix]}{rest:03d}"


# -- results ---------------------------------------------------------------------


@dataclass
class Result:
    name: str
    load: str = ""
    faults: str = ""
    bad_inputs: str = "-"
    lost: int | str = "-"
    duplicated: int | str = "-"
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""

    @property
    def passed(self) -> bool:
        return not self.skipped and not self.problems

    def check(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)


# -- the clock -------------------------------------------------------------------


@dataclass(frozen=True)
class FastClock:
    """Wall time run ``speed`` times faster from ``start``: the same in every process."""

    start: float
    speed: float = 1.0

    def seconds(self) -> float:
        return self.start + (time.time() - self.start) * self.speed

    def __call__(self) -> datetime:
        return datetime.fromtimestamp(self.seconds(), UTC)

    def as_arg(self) -> str:
        return f"{self.start}:{self.speed}"

    @classmethod
    def parse(cls, arg: str) -> FastClock:
        start, speed = arg.split(":")
        return cls(float(start), float(speed))


# -- the database ----------------------------------------------------------------


def postgres_answers() -> bool:
    try:
        with psycopg.connect(POSTGRES_SERVER, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def admin(sql: str) -> None:
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as connection:
        connection.execute(sql.encode())


@dataclass
class Database:
    name: str
    url: str
    sessions: sessionmaker[Session]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.sessions() as session:
            return session.execute(text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.sessions() as session:
            return list(session.execute(text(sql), params).all())

    def execute(self, sql: str, **params: Any) -> None:
        with self.sessions.begin() as session:
            session.execute(text(sql), params)


@contextlib.contextmanager
def throwaway_database() -> Iterator[Database]:
    """A new PostgreSQL database at the newest schema, dropped afterwards whatever happens."""
    name = f"doorstep_resilience_{uuid.uuid4().hex[:8]}"
    admin(f'CREATE DATABASE "{name}"')
    url = POSTGRES_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    url += f"/{name}"
    engine = None
    try:
        upgrade(url)
        engine = make_engine(url)
        yield Database(name, url, make_session_factory(engine))
    finally:
        if engine is not None:
            engine.dispose()
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_binaries() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl`` (PATH first), or None."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for directory in candidates:
        if all(os.access(directory / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of our own, so a scenario can stop and start the real server."""

    bin: Path
    home: Path
    port: int
    db: Database

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def log(self) -> Path:
        return self.home / "postgres.log"

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        """``pg_ctl`` as the cluster's owner; its output goes to the cluster's log directory."""
        with (self.home / "pg_ctl.log").open("ab") as out:
            subprocess.run(  # noqa: S603 - our own command line
                _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), *args]),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.home,
                timeout=timeout,
                check=True,
                start_new_session=True,
            )

    def start(self) -> None:
        self.pg_ctl("start", "-w", "-t", "60", "-l", str(self.log))

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-w", "-t", "60", "-m", mode)

    def restart(self, down: float = 3.0) -> float:
        """``pg_ctl stop -m fast``, ``down`` seconds with no server, ``pg_ctl start``.

        Returns how long the server was away, from the stop beginning to it answering again.
        """
        began = time.monotonic()
        self.stop("fast")
        time.sleep(down)
        self.start()
        return time.monotonic() - began

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


def _as_postgres(args: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: as root, run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A throwaway cluster (initdb, pg_ctl start) on a free loopback port, one database at
    the newest schema in it; stopped and its directory removed afterwards whatever happens.

    Its unix socket and its logs stay in that temporary directory, never on stdout; the
    server logs no statements or key values, so no number or body reaches them.
    """
    binaries = postgres_binaries()
    if binaries is None:
        raise RuntimeError("initdb and pg_ctl not found")
    home = Path(tempfile.mkdtemp(prefix="doorstep-pg-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    port = free_port()
    name = f"doorstep_resilience_{uuid.uuid4().hex[:8]}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/{name}"
    server = PrivatePostgres(binaries, home, port, Database(name, url, sessionmaker()))
    engine = None
    try:
        try:
            _initdb(server)
            server.start()
            admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"'.encode())
        except (subprocess.SubprocessError, OSError, psycopg.Error) as exc:
            tails = [
                f"{log.name}: {log.read_text(errors='replace')[-600:]}"
                for log in sorted(home.glob("*.log"))
            ]
            raise RuntimeError(f"private PostgreSQL did not start ({exc}): {tails}") from exc
        upgrade(url)
        engine = make_engine(url)
        server.db.sessions = make_session_factory(engine)
        yield server
    finally:
        if engine is not None:
            engine.dispose()
        _stop_for_good(server)
        shutil.rmtree(home, ignore_errors=True)


def _initdb(server: PrivatePostgres) -> None:
    with (server.home / "initdb.log").open("wb") as out:
        subprocess.run(  # noqa: S603 - our own command line
            _as_postgres(
                [str(server.bin / "initdb"), "-D", str(server.data), "-A", "trust",
                 "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"]
            ),
            cwd=server.home,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=True,
        )  # fmt: skip
    with (server.data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"\nport = {server.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{server.home}'\nmax_connections = 50\n"
            "fsync = off\nfull_page_writes = off\n"
            "log_error_verbosity = terse\nlog_min_error_statement = panic\n"
        )


def _stop_for_good(server: PrivatePostgres) -> None:
    """pg_ctl stop -m immediate; if a postmaster of ours is still there, SIGKILL it by pid."""
    with contextlib.suppress(subprocess.SubprocessError, OSError):
        server.stop("immediate")
    pid = server.postmaster_pid()
    if pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10, 0.1)


# -- processes -------------------------------------------------------------------


@dataclass
class Child:
    """A process in its own group, its output in a log file the scenarios scan afterwards."""

    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group: no clean-up code of the child runs."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, grace: float = 10) -> None:
        """SIGTERM the group, then SIGKILL what is left after ``grace`` seconds."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # stray grandchildren


LOG_DIR = Path(
    os.environ.get("RESILIENCE_LOGS")
    or f"/tmp/doorstep-resilience-logs/{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"  # noqa: S108
)


def start(args: list[str], env: dict[str, str], label: str) -> Child:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / f"{label}-{uuid.uuid4().hex[:6]}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own commands
            args,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Child(process, log)


def doorstep_command(*args: str) -> list[str]:
    """The installed ``doorstep`` command beside this Python (the venv's)."""
    candidate = Path(sys.executable).parent / "doorstep"
    return [str(candidate) if candidate.exists() else "doorstep", *args]


def app_env(db: Database, **extra: str) -> dict[str, str]:
    """Settings for a doorstep process on this database; nothing sent goes off this machine."""
    instance = LOG_DIR / f"instance-{db.name}"
    return {
        "DATABASE_URL": db.url,
        "SECRET_KEY": "resilience-secret-key",
        "DOORSTEP_INSTANCE": str(instance),
        "PUBLIC_URL": "http://127.0.0.1:5000",
        "SMS_RATE_PER_SECOND": "0",
        "TELEGRAM_RATE_PER_SECOND": "0",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


# -- fake providers with faults -----------------------------------------------------


@dataclass
class Attempt:
    """One send a fake provider saw: when (on the scenario's clock), to whom, and its answer."""

    at: float
    to: str
    outcome: str  # "ok", "500", "429", "refused"
    retry_after: float = 0.0
    text: str = ""


class Hold:
    """Keeps the Nth accepted send from being answered for a while, so a kill lands mid-call."""

    def __init__(self) -> None:
        self.at = 0
        self.accepted = 0
        self.reached = threading.Event()
        self.lock = threading.Lock()

    def after_accepting(self, delay: float) -> None:
        with self.lock:
            self.accepted += 1
            holding = self.accepted == self.at
        if holding:
            self.reached.set()
            time.sleep(3)
        elif delay:
            time.sleep(delay)


class FaultPlan:
    """Which answer a send gets: a fixed refusal for some recipients, random faults for all."""

    def __init__(
        self,
        *,
        error_share: float = 0.0,
        limit_share: float = 0.0,
        retry_after: int = 1,
        seed: int = 7,
    ) -> None:
        self.error_share = error_share
        self.limit_share = limit_share
        self.retry_after = retry_after
        self.random = random.Random(seed)  # noqa: S311 - repeatable faults, not secrets
        self.lock = threading.Lock()

    def roll(self) -> str:
        with self.lock:
            draw = self.random.random()
        if draw < self.error_share:
            return "500"
        if draw < self.error_share + self.limit_share:
            return "429"
        return "ok"


class TwilioServer:
    """FakeTwilio's Messages API behind a real socket, so a SIGKILL can cut a request."""

    def __init__(self, clock: FastClock, plan: FaultPlan | None = None, delay: float = 0.0):
        self.fake = FakeTwilio(now=clock)
        self.clock = clock
        self.plan = plan or FaultPlan()
        self.delay = delay
        self.attempts: list[Attempt] = []
        self.lock = threading.Lock()
        self.hold = Hold()
        handler = type("_Bound", (_TwilioHandler,), {"server_side": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> TwilioServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(
        self, method: str, path: str, query: dict[str, object], form: dict[str, object]
    ) -> tuple[int, str | dict[str, Any]]:
        to = str(form.get("To", ""))
        creating = method == "POST" and path.endswith("/Messages.json")
        if creating:
            outcome = self.plan.roll()
            with self.lock:
                self.attempts.append(Attempt(self.clock.seconds(), to, outcome))
            if outcome == "500":
                return 500, {"code": 20500, "message": "Internal Server Error", "status": 500}
            if outcome == "429":
                return 429, {"code": 20429, "message": "Too Many Requests", "status": 429}
        response = self.fake.request(method, "https://api.twilio.com" + path, query, form)
        if creating and response.status_code >= 400:
            with self.lock:
                self.attempts[-1] = Attempt(self.attempts[-1].at, to, "refused")
        if creating and response.status_code < 300:
            self.hold.after_accepting(self.delay)
        return response.status_code, response.text

    def delivered(self) -> dict[str, list[str]]:
        """Bodies accepted per number."""
        found: dict[str, list[str]] = {}
        for message in list(self.fake.messages):
            found.setdefault(message["to"], []).append(message["body"])
        return found


class _TwilioHandler(BaseHTTPRequestHandler):
    server_side: TwilioServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each answer waits out a delayed ACK

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _handle(self, method: str) -> None:
        import json

        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        form: dict[str, object] = dict(parse_qsl(body, keep_blank_values=True))
        query: dict[str, object] = dict(parse_qsl(parts.query, keep_blank_values=True))
        status, payload = self.server_side.answer(method, parts.path, query, form)
        raw = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        self._handle("POST")

    def do_GET(self) -> None:
        self._handle("GET")


class BotApi(FakeBotApi):
    """FakeBotApi with random 500s and 429s (retry_after), each send recorded with its time."""

    def __init__(self, clock: FastClock, plan: FaultPlan | None = None, delay: float = 0.0) -> None:
        super().__init__()
        self.clock = clock
        self.plan = plan or FaultPlan()
        self.delay = delay
        self.hold = Hold()
        self.attempts: list[Attempt] = []

    def start(self) -> BotApi:
        """As FakeBotApi.start, without Nagle's delay on every answer."""
        handler = type("_BoundHandler", (_Handler,), {"api": self, "disable_nagle_algorithm": True})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def handle(self, token: str, method: str, params: dict[str, Any]) -> Any:
        if method != "sendMessage":
            return super().handle(token, method, params)
        to = str(params.get("chat_id"))
        outcome = self.plan.roll()
        at = self.clock.seconds()
        if outcome == "500":
            self._record(Attempt(at, to, "500"))
            raise ApiError(500, "Internal Server Error")
        if outcome == "429":
            wait = self.plan.retry_after
            self._record(Attempt(at, to, "429", wait))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        try:
            result = super().handle(token, method, params)
        except ApiError:
            self._record(Attempt(at, to, "refused"))
            raise
        self._record(Attempt(at, to, "ok", text=str(params.get("text"))))
        self.hold.after_accepting(self.delay)
        return result

    def _record(self, attempt: Attempt) -> None:
        with self._lock:
            self.attempts.append(attempt)

    def delivered(self) -> dict[str, list[str]]:
        """Texts accepted per chat."""
        found: dict[str, list[str]] = {}
        with self._lock:
            for attempt in self.attempts:
                if attempt.outcome == "ok":
                    found.setdefault(attempt.to, []).append(attempt.text)
        return found


def honoured_retry_after(attempts: list[Attempt], default_wait: float) -> list[str]:
    """Sends to a recipient that came before the wait it was told to keep had passed."""
    early = []
    last_limit: dict[str, tuple[float, float]] = {}
    for attempt in sorted(attempts, key=lambda a: a.at):
        told = last_limit.get(attempt.to)
        if told is not None and attempt.at < told[0] + told[1] - 0.05:
            early.append(f"{attempt.to}: {attempt.at - told[0]:.2f}s after a 429")
        if attempt.outcome == "429":
            last_limit[attempt.to] = (attempt.at, attempt.retry_after or default_wait)
        else:
            last_limit.pop(attempt.to, None)
    return early
