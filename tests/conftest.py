"""Fixtures: an app on each database, a clock the test controls, signed webhook helpers.

Every test that touches the database runs on SQLite and, when it answers, on
PostgreSQL (CI insists that it does). Each database is migrated once per run
with Alembic, and emptied after each test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import generate_password_hash

from channels.base import Channel
from doorstep.app import create_app
from doorstep.config import Config
from doorstep.wiring import build_channels
from models.all import metadata
from models.audit import APPEND_ONLY_TRIGGERS, DROP_APPEND_ONLY_TRIGGERS
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from models.staff import StaffUser, issue_token
from models.tenants import Area, Tenant
from scheduler.dispatcher import Dispatcher
from tests.factories import create_area, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.twilio_api import FakeTwilio
from tests.helpers import STAFF_TOTP_SECRET, Clock, Phone, StaffBrowser, TelegramChat

POSTGRES_SERVER = os.environ.get(
    "DOORSTEP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
PUBLIC_URL = "http://doorstep.test"
TWILIO_TOKEN = "test-twilio-auth-token"
TELEGRAM_SECRET = "test-telegram-secret"


def _postgres_answers() -> bool:
    try:
        with psycopg.connect(POSTGRES_SERVER, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def pytest_report_header() -> str:
    return (
        f"databases: sqlite, postgresql ({'answers' if _postgres_answers() else 'NOT answering'})"
    )


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'doorstep.db'}"
        upgrade(url)
        yield url
        return
    if not _postgres_answers():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must answer at {POSTGRES_SERVER} in CI")
        pytest.skip("PostgreSQL is not answering")
    name = f"doorstep_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = (
        POSTGRES_SERVER.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        + f"/{name}"
    )
    upgrade(url)
    yield url
    with psycopg.connect(POSTGRES_SERVER, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    return Config(
        database_url=database_url,
        public_url=PUBLIC_URL,
        secret_key="test-secret-key",
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_from_number="+447700900000",
        telegram_bot_token="123456:TEST-TOKEN",
        telegram_webhook_secret=TELEGRAM_SECRET,
        landlord_name="Fife Housing Group",
        contact_phone="0300 123 4567",
        conversation_timeout=timedelta(hours=24),
        instance_path=tmp_path / "instance",
    )


@pytest.fixture
def app(config: Config, clock: Clock) -> Iterator[Flask]:
    app = create_app(config, clock=clock)
    app.config.update(TESTING=True)
    yield app
    engine: Engine = app.extensions["doorstep.engine"]
    _empty(engine)
    engine.dispose()


def _empty(engine: Engine) -> None:
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(table.name for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:  # the audit log refuses deletes: lift its guard while emptying, then restore it
            for statement in DROP_APPEND_ONLY_TRIGGERS["sqlite"]:
                connection.execute(text(statement))
            for table in tables:
                connection.execute(table.delete())
            for statement in APPEND_ONLY_TRIGGERS["sqlite"]:
                connection.execute(text(statement))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sessions(app: Flask) -> sessionmaker[Session]:
    return app.extensions["doorstep.receiver"].session_factory  # type: ignore[no-any-return]


@pytest.fixture
def db(app: Flask, config: Config) -> Iterator[Session]:
    """A session for looking at what the app stored (and for arranging data).

    Every statement is its own transaction, so it holds no lock while the app
    answers requests and, after ``db.expire_all()``, sees what the app wrote.
    """
    engine = make_engine(config.database_url, autocommit=True)
    with make_session_factory(engine)() as session:
        yield session
    engine.dispose()


@pytest.fixture
def phone(client: FlaskClient) -> Phone:
    return Phone(client, "+447700900123", auth_token=TWILIO_TOKEN, public_url=PUBLIC_URL)


@pytest.fixture
def methil(db: Session) -> Area:
    """An estate, Methil, for tenants and walks and events."""
    area = create_area(db, name="Methil")
    db.commit()
    return area


@pytest.fixture
def tenant(db: Session, phone: Phone, methil: Area) -> Tenant:
    """Ann Smith of Methil, registered, texting from the ``phone`` fixture's number."""
    tenant = create_tenant(db, name="Ann Smith", phone=phone.number, area=methil)
    db.commit()
    return tenant


@pytest.fixture
def chat(client: FlaskClient) -> TelegramChat:
    return TelegramChat(client, chat_id=555001, secret=TELEGRAM_SECRET)


@pytest.fixture
def fake_twilio(clock: Clock) -> FakeTwilio:
    return FakeTwilio(now=clock)


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as api:
        yield api


@pytest.fixture
def channels(
    config: Config, fake_twilio: FakeTwilio, bot_api: FakeBotApi
) -> Iterator[dict[str, Channel]]:
    """The real Twilio and Telegram adapters, talking to the offline stand-ins."""
    built = build_channels(
        replace(config, telegram_api_url=bot_api.root_url),
        twilio_http_client=fake_twilio,
        twilio_media=fake_twilio.media.session,
    )
    yield built
    for channel in built.values():
        channel.close()


@pytest.fixture
def dispatcher(
    sessions: sessionmaker[Session], channels: dict[str, Channel], clock: Clock
) -> Dispatcher:
    return Dispatcher(
        session_factory=sessions, channels=channels, clock=clock, name="test-dispatcher"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests passed on each database, so CI's log shows both ran."""
    counts = {"sqlite": 0, "postgresql": 0}
    for report in terminalreporter.stats.get("passed", []):
        params = report.nodeid.rpartition("[")[2].rstrip("]").split("-")
        for name in counts:
            counts[name] += name in params
    terminalreporter.write_line(
        f"passed per database: sqlite {counts['sqlite']}, postgresql {counts['postgresql']}"
    )


STAFF_PASSWORD = "a long test password"
STAFF_PASSWORD_HASH = generate_password_hash(STAFF_PASSWORD)  # hashing is slow on purpose


def make_staff(
    sessions: sessionmaker[Session], email: str, role: str, *, two_factor: bool = True
) -> str:
    """A staff account and its API token; its authenticator app is set up (helpers'
    STAFF_TOTP_SECRET) unless ``two_factor`` is False."""
    with sessions.begin() as session:
        user = StaffUser(
            email=email,
            password_hash=STAFF_PASSWORD_HASH,
            role=role,
            totp_secret=STAFF_TOTP_SECRET if two_factor else None,
            two_factor_since=datetime(2026, 1, 5, 9, 0, tzinfo=UTC) if two_factor else None,
        )
        session.add(user)
        session.flush()
        return issue_token(session, user)


@pytest.fixture
def staff_as(app: Flask, sessions: sessionmaker[Session]) -> Callable[[str], StaffBrowser]:
    """A signed-in console session for a new staff member with this role."""

    def sign_in(role: str) -> StaffBrowser:
        email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
        make_staff(sessions, email, role)
        browser = StaffBrowser(app.test_client(), email, STAFF_PASSWORD)
        assert browser.sign_in().status_code == 302
        return browser

    return sign_in


@pytest.fixture
def api_token(sessions: sessionmaker[Session]) -> Callable[[str], dict[str, str]]:
    """Authorization headers for a new staff member with this role."""

    def headers(role: str) -> dict[str, str]:
        token = make_staff(sessions, f"api-{role}-{uuid.uuid4().hex[:6]}@example.org", role)
        return {"Authorization": f"Bearer {token}"}

    return headers
