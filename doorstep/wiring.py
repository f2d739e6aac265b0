"""Building the long-lived parts from settings: engine settings, channels, the dispatcher."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from twilio.http import HttpClient

from bot.flow import Settings
from channels.base import Channel
from channels.simulator import SimulatorSms
from channels.telegram import TelegramBot
from channels.twilio_sms import TwilioSms
from doorstep.config import Config
from scheduler.dispatcher import Dispatcher
from scheduler.mystery_shop_tasks import MysteryShopPlan


def engine_settings(config: Config) -> Settings:
    return Settings(
        landlord=config.landlord_name,
        contact=config.contact_phone,
        conversation_timeout=config.conversation_timeout,
        timezone=config.timezone,
        sending_window=config.sending_window,
    )


def build_channels(
    config: Config, *, twilio_http_client: HttpClient | None = None
) -> dict[str, Channel]:
    """Twilio when configured, else the simulator; Telegram when it has a token."""
    channels: dict[str, Channel] = {}
    if config.twilio_configured:
        channels["sms"] = TwilioSms(
            account_sid=config.twilio_account_sid,
            auth_token=config.twilio_auth_token,
            from_number=config.twilio_from_number or None,
            messaging_service_sid=config.twilio_messaging_service_sid or None,
            status_callback=f"{config.public_url}/webhooks/twilio/status",
            http_client=twilio_http_client,
        )
    else:
        channels["sms"] = SimulatorSms()
    if config.telegram_bot_token:
        channels["telegram"] = TelegramBot(
            config.telegram_bot_token, api_url=config.telegram_api_url or None
        )
    return channels


def build_dispatcher(
    config: Config,
    session_factory: sessionmaker[Session],
    clock: Callable[[], datetime],
    channels: dict[str, Channel],
) -> Dispatcher:
    return Dispatcher(
        session_factory=session_factory,
        channels=channels,
        clock=clock,
        rates={"sms": config.sms_rate_per_second, "telegram": config.telegram_rate_per_second},
    )


def mystery_shop_plan(config: Config) -> MysteryShopPlan:
    """When the monthly mystery shop invitations go, from the settings."""
    return MysteryShopPlan(
        day=config.mystery_shop_day,
        at=config.mystery_shop_time,
        reminder_days=config.mystery_shop_reminder_days,
        zone=config.timezone,
        landlord=config.landlord_name,
    )


def instance_secret(config: Config) -> str:
    """SECRET_KEY, or for a demo a random one kept in the instance folder across restarts."""
    if config.secret_key:
        return config.secret_key
    path = config.instance_path / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()
