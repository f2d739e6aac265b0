"""create_app: defaults, then settings, then blueprints. Nothing is read at import time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from importlib.metadata import version
from typing import Any

from apiflask import APIFlask, HTTPError
from apiflask.types import ResponseReturnValueType
from apispec import APISpec
from apispec.ext.marshmallow.common import make_schema_key, resolve_schema_instance
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
from staff.errors import error_page, is_console_page
from webhooks import health, simulator, telegram, twilio, twilio_voice
from webhooks.receiving import Receiver

LARGEST_REQUEST = 1024 * 1024  # a webhook is a few kB; anything near this is not one
LONGEST_FIELD_NAME = 40  # an unknown field's name is the sender's: quote only its start
API = "/api/"  # its refusals are always its JSON envelope, whoever asks


class DoorstepFlask(APIFlask):
    """APIFlask, with two faults of its 3.1 document generator worked around.

    Both override private methods: check them when APIFlask changes, and drop
    each once APIFlask fixes it (tests/staff/test_api_openapi.py notices).
    """

    def _collect_security_info(self) -> Any:
        """Plain Flask blueprints (console, webhooks, the API's root) are not in the document.

        APIFlask leaves a blueprint without ``enable_openapi`` out, but reads that
        flag unguarded on any blueprint with a before_request, and fails.
        """
        for blueprint in self.blueprints.values():
            if not hasattr(blueprint, "enable_openapi"):
                blueprint.enable_openapi = False  # type: ignore[attr-defined]
        return super()._collect_security_info()

    def _register_schema_and_get_ref(
        self, spec: APISpec, registered_schema_classes: dict[int, str], schema_obj: Any
    ) -> dict[str, str]:
        """A schema a page nests (``Area`` in ``AreaPage``) is named once, not ``Area1`` after.

        apispec registers a nested schema itself; APIFlask does not look there
        before registering it again under a new name.
        """
        key = make_schema_key(resolve_schema_instance(schema_obj))
        nested_already = self._ma_plugin.converter.refs.get(key)  # type: ignore[union-attr]
        if nested_already is not None:
            return {"$ref": f"#/components/schemas/{nested_already}"}
        return super()._register_schema_and_get_ref(spec, registered_schema_classes, schema_obj)


def create_app(config: Config | None = None, *, clock: Callable[[], datetime] = utcnow) -> Flask:
    config = config or Config.from_env()
    quiet_logging()
    app = DoorstepFlask(
        __name__,
        title="doorstep staff API",
        version=version("doorstep"),
        spec_path="/api/v1/openapi.json",
        docs_path="/api/v1/docs",
        docs_oauth2_redirect_path=None,  # tokens are bearer tokens: no OAuth2 sign-in to return to
        json_errors=False,  # the console keeps its HTML error pages: see _explain
        instance_path=str(config.instance_path),
    )
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
        CALL_ATTEMPTS=config.call_attempts,
        CALL_TRANSFER_NUMBER=config.call_transfer_number,
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
    # APIFlask's error processor, set directly: @app.error_processor would also take
    # werkzeug's errors (abort) away from _explain
    app.error_callback = _explain_invalid
    app.add_url_rule("/", "home", lambda: redirect(url_for("dashboard.home")))
    return app


def _explain(error: HTTPException) -> ResponseReturnValue:
    """Errors as JSON for machines (the API always), with the reason, and as a page for
    people: the console's own pages in its layout, a short page elsewhere."""
    status = error.code or 500
    if is_console_page(request.path):
        return error_page(error)
    wants_page = request.accept_mimetypes.best == "text/html" and request.method == "GET"
    if wants_page and not request.path.startswith(API):
        return f"<h1>{status} {escape(error.name)}</h1><p>{escape(error.description)}</p>", status
    return {"error": error.description, "status": status}, status


def _explain_invalid(error: HTTPError) -> ResponseReturnValueType:
    """Input a schema refused, in the API's envelope, the reason naming the first field.

    webargs puts the messages under where the input was: ``{"json": {"homes": [...]}}``.
    """
    wheres = error.detail.values() if isinstance(error.detail, Mapping) else []
    reason = next((_reason(messages) for messages in wheres), None) or error.message
    return {"error": reason, "status": error.status_code}, error.status_code, error.headers


def _reason(messages: object, field: str = "") -> str | None:
    """``{"homes": ["must be ..."]}`` -> ``"homes: must be ..."``; the first message only.

    Below a field come the positions in its list (``postcode_prefixes.0``);
    ``_schema`` is the body as a whole (``send a JSON object``).
    """
    if isinstance(messages, str):
        return f"{field}: {messages}" if field else messages
    if isinstance(messages, list) and messages:
        return _reason(messages[0], field)
    if isinstance(messages, Mapping) and messages:
        key, below = next(iter(messages.items()))
        if key == "_schema":
            return _reason(below, field)
        name = str(key)[:LONGEST_FIELD_NAME]
        return _reason(below, f"{field}.{name}" if field else name)
    return None
