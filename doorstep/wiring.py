"""Building the long-lived parts from settings: engine settings, channels, the dispatcher."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from datetime import datetime

import requests
from sqlalchemy.orm import Session, sessionmaker
from telegram.error import TelegramError
from twilio.http import HttpClient

from bot.flow import Settings
from channels.base import Channel, TemporaryFailure
from channels.simulator import SimulatorSms
from channels.telegram import TelegramBot
from channels.twilio_sms import TwilioSms
from channels.twilio_voice import SPOKEN_LANGUAGES, SimulatorVoice, TwilioVoice
from doorstep.config import Config
from scheduler.dispatcher import Dispatcher
from scheduler.mystery_shop_tasks import MysteryShopPlan


def engine_settings(config: Config) -> Settings:
    return Settings(
        landlord=config.landlord_name,
        contact=config.contact_phone,
        repairs=config.repairs_phone or config.contact_phone,
        conversation_timeout=config.conversation_timeout,
        timezone=config.timezone,
        sending_window=config.sending_window,
        spoken_languages=SPOKEN_LANGUAGES,
    )


def build_channels(
    config: Config,
    *,
    twilio_http_client: HttpClient | None = None,
    twilio_media: requests.Session | None = None,
) -> dict[str, Channel]:
    """Twilio when configured, else the simulator; Telegram when it has a token.

    ``twilio_media`` fetches the files of an MMS (a test's offline stand-in, else its own).
    """
    channels: dict[str, Channel] = {}
    if config.twilio_configured:
        channels["sms"] = TwilioSms(
            account_sid=config.twilio_account_sid,
            auth_token=config.twilio_auth_token,
            from_number=config.twilio_from_number or None,
            messaging_service_sid=config.twilio_messaging_service_sid or None,
            status_callback=f"{config.public_url}/webhooks/twilio/status",
            http_client=twilio_http_client,
            media_session=twilio_media,
        )
    else:
        channels["sms"] = SimulatorSms()
    if config.twilio_configured and config.twilio_from_number:  # calls need a number to ring from
        channels["voice"] = TwilioVoice(
            account_sid=config.twilio_account_sid,
            auth_token=config.twilio_auth_token,
            from_number=config.twilio_from_number,
            answer_url=f"{config.public_url}/webhooks/twilio/voice",
            status_callback=f"{config.public_url}/webhooks/twilio/status",
            http_client=twilio_http_client,
        )
    else:
        channels["voice"] = SimulatorVoice()
    if config.telegram_bot_token:
        channels["telegram"] = TelegramBot(
            config.telegram_bot_token, api_url=config.telegram_api_url or None
        )
    return channels


class StaffTelegram:
    """The Telegram channel for staff pages (tenants' photos), built on first use.

    Building it starts a thread and asks Telegram who the bot is, so a web worker does
    that only when a member of staff first opens a photo, and never without a token.
    """

    def __init__(self, config: Config) -> None:
        self._token, self._api_url = config.telegram_bot_token, config.telegram_api_url
        self._lock = threading.Lock()
        self._bot: TelegramBot | None = None

    def __call__(self) -> TelegramBot | None:
        if not self._token:
            return None
        with self._lock:
            if self._bot is None:
                try:
                    self._bot = TelegramBot(self._token, api_url=self._api_url or None)
                except (TelegramError, TimeoutError) as exc:
                    raise TemporaryFailure(
                        "Telegram did not answer", code=type(exc).__name__
                    ) from exc
            return self._bot

    def close(self) -> None:
        with self._lock:
            if self._bot is not None:
                self._bot.close()
            self._bot = None


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
        rates={
            "sms": config.sms_rate_per_second,
            "telegram": config.telegram_rate_per_second,
            "voice": config.call_rate_per_second,
        },
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
