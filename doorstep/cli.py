"""The ``doorstep`` command: serve, scheduler, demo, migrations, imports, staff accounts."""

from __future__ import annotations

import errno
import json
import signal
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, routes_command, with_appcontext
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import run_simple

from bot.catalogue import languages
from channels.telegram import TelegramBot
from doorstep.app import create_app
from doorstep.config import Config, ConfigError
from doorstep.demo import demo_settings, load_demo
from doorstep.wiring import (
    build_channels,
    build_dispatcher,
    engine_settings,
    mystery_shop_plan,
)
from models.audit import AuditAction, Via, record
from models.base import utcnow
from models.console import live_token_counts, staff_members
from models.data_rights import UnknownTenant, erase_tenant, tenant_record
from models.migrate import upgrade
from models.staff import (
    StaffAccountError,
    StaffRole,
    StaffUser,
    checked_email,
    find_staff,
    is_locked,
)
from models.tenant_import import BadImportFile, import_tenants
from scheduler.media_fetch import MediaFetcher
from scheduler.process import SchedulerProcess
from staff import accounts
from staff.accounts import Actor, new_password

DEMO_HOST = "127.0.0.1"  # the demo answers on this machine only
FIRST_ADMIN = "doorstep staff add you@landlord.org --role admin"


def _config() -> Config:
    return current_app.config["DOORSTEP"]  # type: ignore[no-any-return]


def _sessions() -> sessionmaker[Session]:
    return current_app.extensions["doorstep.receiver"].session_factory  # type: ignore[no-any-return]


def _audit(session: Session, action: AuditAction, **line: Any) -> None:
    """An audit line for the operator at the command line, who has no staff account here."""
    operator = _operator()
    record(session, action, at=operator.at, via=operator.via, staff_id=None, **line)


class DoorstepGroup(click.Group):
    """doorstep's own commands and options only: none of Flask's (run, shell, --app, --env-file).

    Each run carries a ScriptInfo that builds the app from the settings when a command
    first needs it, so ``doorstep --help`` answers even while a setting is wrong.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        extra.setdefault("obj", ScriptInfo(create_app=_app_from_settings, set_debug_flag=False))
        return super().make_context(info_name, args, parent=parent, **extra)


def _app_from_settings() -> Flask:
    """The app; a setting that is wrong is one line naming it, not a traceback."""
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(cls=DoorstepGroup)
@click.version_option(package_name="doorstep", message="doorstep %(version)s")
def main() -> None:
    """doorstep: tenant participation by SMS and Telegram."""


main.add_command(routes_command)


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
        media=MediaFetcher(sessions, dispatcher.channels, utcnow, max_bytes=config.media_max_bytes),
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
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def demo(port: int) -> None:
    """Everything in one process on SQLite: schema, demo data, web, scheduler, simulator."""
    _stop_unless_free(port)
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    config = app.config["DOORSTEP"] = demo_settings(_config())
    app.extensions["doorstep.settings"] = engine_settings(config)  # its repairs line
    upgrade(config.database_url)
    with _sessions().begin() as session:
        report = load_demo(session)
    click.echo(f"demo data: {report.summary}")
    process = _scheduler_process(app)
    process.start()
    address = f"http://{DEMO_HOST}:{port}"
    click.echo(f"Open the staff console: {address}/staff/ (first add yourself: {FIRST_ADMIN})")
    if config.simulator_enabled:
        click.echo(f"Open the phone simulator: {address}/simulator/")
    try:
        run_simple(DEMO_HOST, port, app, threaded=True)
    finally:
        process.stop()


def _stop_unless_free(port: int) -> None:
    """A port another program holds is named, with how to pick another, before anything starts."""
    try:
        socket.create_server((DEMO_HOST, port)).close()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            problem = "is in use by another program: stop it (another doorstep demo?), or"
        else:
            problem = f"cannot be used here ({exc.strerror}):"
        other = port + 1 if port < 65535 else 5000
        raise click.ClickException(
            f"Port {port} {problem} pick another port, for example doorstep demo --port {other}"
        ) from exc


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
            _audit(session, AuditAction.TENANTS_IMPORTED, detail=report.summary)
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
        with _sessions().begin() as session:
            held = tenant_record(session, tenant_id)
            _audit(session, AuditAction.TENANT_EXPORTED, tenant_id=tenant_id)
    except UnknownTenant as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(held, indent=2, ensure_ascii=False))


@tenants.command("erase")
@click.argument("tenant_id", type=click.IntRange(min=1))
@click.confirmation_option(prompt="Erase this tenant for good? Their answers stay as figures.")
@with_appcontext
def tenants_erase(tenant_id: int) -> None:
    """Erase one tenant on request; survey answers stay as anonymous figures."""
    try:
        with _sessions().begin() as session:
            erasure = erase_tenant(session, tenant_id, now=_now())
            _audit(session, AuditAction.TENANT_ERASED, tenant_id=tenant_id)
    except UnknownTenant as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"erased tenant {tenant_id}: deleted {erasure.deleted}")
    click.echo(f"kept as anonymous figures: {erasure.kept_anonymous}")


@main.group()
def staff() -> None:
    """Staff accounts."""


def _now() -> datetime:
    """The app's clock, as the console's pages read it (a test's own, in the tests)."""
    return current_app.extensions["doorstep.clock"]()  # type: ignore[no-any-return]


def _operator() -> Actor:
    """The person at the command line: no staff account, so no id in the audit log."""
    return Actor(Via.COMMAND, _now())


def _account(session: Session, email: str) -> StaffUser:
    user = find_staff(session, email)
    if user is None:
        raise click.ClickException(f"there is no staff account for {email.strip()}")
    return user


Changed = TypeVar("Changed")


def _change(email: str, change: Callable[[Session, Actor, StaffUser], Changed]) -> Changed:
    """Do one thing to one account, in one transaction with its audit line."""
    with _sessions().begin() as session:
        return change(session, _operator(), _account(session, email))


def _free_email(typed: str) -> str:
    """Checked before a password is asked for, so a typing slip costs nothing."""
    try:
        email = checked_email(typed)
    except StaffAccountError as exc:
        raise click.ClickException(str(exc)) from exc
    with _sessions()() as session:
        if find_staff(session, email) is not None:
            raise click.ClickException(f"{email} already has an account")
    return email


@staff.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in StaffRole]), required=True)
@click.option("--generate-password", is_flag=True, help="make a password instead of asking")
@with_appcontext
def staff_add(email: str, role: str, generate_password: bool) -> None:
    """Add a staff member; prints their new API token once."""
    email = _free_email(email)
    password = (
        new_password()
        if generate_password
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        with _sessions().begin() as session:
            operator = _operator()
            user = accounts.add_account(
                session,
                operator,
                email=email,
                role=role,
                password=password,
                landlord=_config().landlord_name,
            )
            token = accounts.give_token(session, operator, user)
    except StaffAccountError as exc:
        raise click.ClickException(str(exc)) from exc
    if generate_password:
        click.echo(f"password: {password}")
    click.echo(f"API token (shown once): {token}")


@staff.command("list")
@with_appcontext
def staff_list() -> None:
    """Every staff account: role, whether it can sign in, two-factor and live API tokens."""
    now, zone = _now(), _config().timezone
    with _sessions()() as session:
        tokens, members = live_token_counts(session), staff_members(session)
        width = max((len(user.email) for user in members), default=0)
        for user in members:
            two_factor = "two-factor set up" if user.two_factor_enrolled else "no two-factor"
            live = tokens.get(user.id, 0)
            click.echo(
                f"{user.email:<{width}}  {user.role:<7}  {_sign_in_state(user, now, zone):<19}  "
                f"{two_factor:<17}  {live} API token{'' if live == 1 else 's'}"
            )


def _sign_in_state(user: StaffUser, now: datetime, zone: ZoneInfo) -> str:
    if not user.active:
        return "deactivated"
    if user.locked_until is not None and is_locked(user, now):
        return f"locked until {user.locked_until.astimezone(zone):%H:%M}"
    return "can sign in"


@staff.command("unlock")
@click.argument("email")
@with_appcontext
def staff_unlock(email: str) -> None:
    """Lift a lock after too many wrong tries, before its fifteen minutes are up."""
    _change(email, accounts.unlock_account)
    click.echo(f"{email} can sign in again now")


@staff.command("reset-password")
@click.argument("email")
@with_appcontext
def staff_reset_password(email: str) -> None:
    """Make a new password for a staff member (and lift any lock); it is printed once."""
    password = _change(email, accounts.reset_password)
    click.echo(f"new password for {email} (shown once): {password}")


@staff.command("reset-two-factor")
@click.argument("email")
@with_appcontext
def staff_reset_two_factor(email: str) -> None:
    """Forget a staff member's authenticator app: they set it up again at their next sign-in."""
    _change(email, accounts.restart_two_factor)
    click.echo(f"{email} sets up two-factor sign-in again at their next sign-in")


@staff.command("deactivate")
@click.argument("email")
@with_appcontext
def staff_deactivate(email: str) -> None:
    """Stop a staff member signing in and using the API (their account and history stay)."""
    _change(email, partial(accounts.set_active, active=False))
    click.echo(f"{email} can no longer sign in or use the API")


@staff.command("reactivate")
@click.argument("email")
@with_appcontext
def staff_reactivate(email: str) -> None:
    """Let a deactivated staff member sign in and use the API again."""
    _change(email, partial(accounts.set_active, active=True))
    click.echo(f"{email} can sign in again")


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
