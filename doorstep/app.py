"""create_app: defaults, then settings, then blueprints. Nothing is read at import time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFProtect
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from doorstep.config import Config
from doorstep.logs import quiet_logging
from doorstep.wiring import StaffTelegram, engine_settings, instance_secret
from models.base import utcnow
from models.db import make_engine, make_session_factory
from staff import console
from webhooks import health, simulator, telegram, twilio, twilio_voice
from webhooks.receiving import Receiver

LARGEST_REQUEST = 1024 * 1024  # a webhook is a few kB; anything near this is not one


def create_app(config: Config | None = None, *, clock: Callable[[], datetime] = utcnow) -> Flask:
    config = config or Config.from_env()
    quiet_logging()
    app = Flask(__name__, instance_path=str(config.instance_path))
    app.config.update(
        SECRET_KEY=instance_secret(config),
        PUBLIC_URL=config.public_url,
        TWILIO_AUTH_TOKEN=config.twilio_auth_token,
        TELEGRAM_WEBHOOK_SECRET=config.telegram_webhook_secret,
        MAX_CONTENT_LENGTH=LARGEST_REQUEST,
        WTF_CSRF_TIME_LIMIT=None,  # a form's token lives as long as the signed-in session
        TIMEZONE=config.timezone,
        INSPECTION_NOTICE_DAYS=config.inspection_notice_days,
        INSPECTION_REMINDER_DAYS=config.inspection_reminder_days,
        SMS_SEGMENT_PRICE=config.sms_segment_price,
        DOORSTEP=config,
    )
    engine = make_engine(config.database_url)
    session_factory = make_session_factory(engine)
    settings = engine_settings(config)
    app.extensions.update(
        {
            "doorstep.engine": engine,
            "doorstep.sessions": session_factory,
            "doorstep.clock": clock,
            "doorstep.settings": settings,
            "doorstep.receiver": Receiver(session_factory, settings, clock),
            "doorstep.telegram": StaffTelegram(config),
        }
    )
    csrf = CSRFProtect(app)
    for blueprint in (twilio.blueprint, twilio_voice.blueprint, telegram.blueprint):
        csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
    app.register_blueprint(health.blueprint)
    console.init_app(app)
    if config.simulator_enabled:
        app.register_blueprint(simulator.blueprint)
    app.register_error_handler(HTTPException, _explain)
    app.add_url_rule("/", "home", lambda: redirect(url_for("dashboard.home")))
    return app


def _explain(error: HTTPException) -> ResponseReturnValue:
    """Errors as JSON for machines, with the reason, and as a short page for people."""
    status = error.code or 500
    wants_page = request.accept_mimetypes.best == "text/html" and request.method == "GET"
    if wants_page or request.path.startswith("/staff/"):
        return f"<h1>{status} {escape(error.name)}</h1><p>{escape(error.description)}</p>", status
    return {"error": error.description, "status": status}, status
