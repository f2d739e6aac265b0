"""The ``doorstep`` command: serve, scheduler, demo, migrations, imports, staff accounts."""

from __future__ import annotations

import json
import secrets
import signal
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.security import generate_password_hash
from werkzeug.serving import run_simple

from bot.catalogue import languages
from channels.telegram import TelegramBot
from doorstep.app import create_app
from doorstep.config import Config
from doorstep.demo import load_demo
from doorstep.wiring import (
    build_channels,
    build_dispatcher,
    engine_settings,
    mystery_shop_plan,
)
from models.base import utcnow
from models.data_rights import UnknownTenant, erase_tenant, tenant_record
from models.migrate import upgrade
from models.staff import StaffRole, StaffUser, issue_token
from models.tenant_import import BadImportFile, import_tenants
from scheduler.process import SchedulerProcess


def _config() -> Config:
    return current_app.config["DOORSTEP"]  # type: ignore[no-any-return]


def _sessions() -> sessionmaker[Session]:
    return current_app.extensions["doorstep.receiver"].session_factory  # type: ignore[no-any-return]


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """doorstep: tenant participation by SMS and Telegram."""


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Bring the database up to the newest schema."""
    upgrade(_config().database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="gunicorn sync workers")
def serve(host: str, port: int, workers: int) -> None:
    """Run the web app under gunicorn (webhooks, simulator, health)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "sync")

        def load(self) -> Flask:
            return create_app()

    Server().run()


def _scheduler_process(app: Flask) -> SchedulerProcess:
    config: Config = app.config["DOORSTEP"]
    sessions = app.extensions["doorstep.receiver"].session_factory
    dispatcher = build_dispatcher(config, sessions, utcnow, build_channels(config))
    return SchedulerProcess(
        sessions,
        dispatcher,
        utcnow,
        settings=engine_settings(config),
        retention_days=config.message_retention.days,
        mystery_shop=mystery_shop_plan(config),
    )


def _until_signalled() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


@main.command()
@with_appcontext
def scheduler() -> None:
    """Run the one scheduler process: due tasks and the outbox dispatcher."""
    process = _scheduler_process(current_app._get_current_object())  # type: ignore[attr-defined]
    process.start()
    click.echo("scheduler running; Ctrl+C to stop")
    _until_signalled()
    process.stop()


@main.command()
@with_appcontext
def dispatcher() -> None:
    """Run one more outbox dispatcher (PostgreSQL: run as many as you like)."""
    config = _config()
    worker = build_dispatcher(config, _sessions(), utcnow, build_channels(config))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    worker.run_until(stop)


@main.command()
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def demo(port: int) -> None:
    """Everything in one process on SQLite: schema, demo data, web, scheduler, simulator."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    config = _config()
    upgrade(config.database_url)
    with _sessions().begin() as session:
        report = load_demo(session)
    click.echo(f"demo data: {report.summary}")
    process = _scheduler_process(app)
    process.start()
    click.echo(f"Open the phone simulator: http://127.0.0.1:{port}/simulator/")
    try:
        run_simple("127.0.0.1", port, app, threaded=True)
    finally:
        process.stop()


@main.group()
def tenants() -> None:
    """Tenants."""


@tenants.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def tenants_import(csv_file: Path) -> None:
    """Import or update tenants from the housing system's CSV export."""
    try:
        with _sessions().begin() as session:
            report = import_tenants(session, csv_file.read_bytes(), languages=languages())
    except BadImportFile as exc:
        raise click.ClickException(str(exc)) from exc
    for line, reason in report.rejected:
        click.echo(f"line {line}: {reason}", err=True)
    click.echo(report.summary)


@tenants.command("export")
@click.argument("tenant_id", type=click.IntRange(min=1))
@with_appcontext
def tenants_export(tenant_id: int) -> None:
    """Print everything held about one tenant, as JSON (a subject access request)."""
    try:
        with _sessions()() as session:
            record = tenant_record(session, tenant_id)
    except UnknownTenant as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(record, indent=2, ensure_ascii=False))


@tenants.command("erase")
@click.argument("tenant_id", type=click.IntRange(min=1))
@click.confirmation_option(prompt="Erase this tenant for good? Their answers stay as figures.")
@with_appcontext
def tenants_erase(tenant_id: int) -> None:
    """Erase one tenant on request; survey answers stay as anonymous figures."""
    try:
        with _sessions().begin() as session:
            erasure = erase_tenant(session, tenant_id)
    except UnknownTenant as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"erased tenant {tenant_id}: deleted {erasure.deleted}")
    click.echo(f"kept as anonymous figures: {erasure.kept_anonymous}")


@main.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in StaffRole]), required=True)
@click.option("--generate-password", is_flag=True, help="make a password instead of asking")
@with_appcontext
def staff_add(email: str, role: str, generate_password: bool) -> None:
    """Add a staff member; prints their new API token once."""
    password = (
        secrets.token_urlsafe(12)
        if generate_password
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    if len(password) < 10:
        raise click.ClickException("use a password of at least 10 characters")
    with _sessions().begin() as session:
        if session.query(StaffUser).filter_by(email=email.lower()).first() is not None:
            raise click.ClickException(f"{email} already has an account")
        user = StaffUser(
            email=email.lower(), password_hash=generate_password_hash(password), role=role
        )
        session.add(user)
        session.flush()
        token = issue_token(session, user)
    if generate_password:
        click.echo(f"password: {password}")
    click.echo(f"API token (shown once): {token}")


@main.group()
def telegram() -> None:
    """The Telegram bot."""


@telegram.command("set-webhook")
@with_appcontext
def telegram_set_webhook() -> None:
    """Point Telegram at PUBLIC_URL/webhooks/telegram with the secret token."""
    config = _config()
    if not (config.telegram_bot_token and config.telegram_webhook_secret):
        raise click.ClickException("set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first")
    channel = TelegramBot(config.telegram_bot_token, api_url=config.telegram_api_url or None)
    try:
        channel.set_webhook(
            f"{config.public_url}/webhooks/telegram", config.telegram_webhook_secret
        )
    finally:
        channel.close()
    click.echo("Telegram webhook set")
