"""Settings, read once from the environment. Nothing else in doorstep reads os.environ."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from bot.sending_window import UK_TIME, SendingWindow
from scheduler.mystery_shop_tasks import FIRST_TUESDAY, MonthlyDay


class ConfigError(ValueError):
    """A setting that is missing or malformed: the message names it."""


# Staff sign in with a password and an authenticator app's code; "optional" lets the
# password alone do, for the demo.
TWO_FACTOR_RULES = ("required", "optional")
MEDIA_MAX_BYTES = 5 * 1024 * 1024  # Twilio's own limit for one message's files
SMALLEST_MEDIA_LIMIT, LARGEST_MEDIA_LIMIT = 100 * 1024, 50 * 1024 * 1024  # 0.1 MB to 50 MB


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc


def _monthly_day(env: Mapping[str, str], name: str, default: MonthlyDay) -> MonthlyDay:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return MonthlyDay.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from exc


def _time_of_day(env: Mapping[str, str], name: str, default: time) -> time:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        return time(int(raw)) if raw.isdigit() else datetime.strptime(raw, "%H:%M").time()
    except ValueError as exc:
        raise ConfigError(f"{name} must be an hour like 10 or 10:30, not {raw!r}") from exc


def _time_zone(env: Mapping[str, str]) -> ZoneInfo:
    """The landlord's clock, built once here: every part takes this one, never the name."""
    raw = (env.get("TIMEZONE") or "").strip()
    if not raw:
        return UK_TIME
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ConfigError(
            f"TIMEZONE must name a time zone of the tz database, such as Europe/Dublin, not {raw!r}"
        ) from exc


def _sending_window(env: Mapping[str, str], zone: ZoneInfo) -> SendingWindow:
    opens = _time_of_day(env, "SENDING_WINDOW_START", SendingWindow.opens)
    closes = _time_of_day(env, "SENDING_WINDOW_END", SendingWindow.closes)
    holidays = (env.get("SEND_ON_BANK_HOLIDAYS") or "no").strip().lower()
    if holidays not in {"yes", "no", "true", "false", "1", "0"}:
        raise ConfigError(f"SEND_ON_BANK_HOLIDAYS must be yes or no, not {holidays!r}")
    try:
        return SendingWindow(opens, closes, zone, on_bank_holidays=holidays in {"yes", "true", "1"})
    except ValueError as exc:
        raise ConfigError(f"SENDING_WINDOW_START and _END: {exc}") from exc


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    days = _number(env, name, default)
    if days < 0 or days != int(days):
        raise ConfigError(f"{name} must be a whole number of days, not {env.get(name)!r}")
    return int(days)


def _price(env: Mapping[str, str], name: str, default: float) -> float:
    price = _number(env, name, default)
    if not 0 <= price < 100:
        raise ConfigError(f"{name} must be a price in pounds such as 0.04, not {env.get(name)!r}")
    return price


def _phone_number(env: Mapping[str, str], name: str) -> str:
    """A UK number tenants can dial, written the usual way ("0131 496 0000"); "" when unset."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return ""
    refused = ConfigError(f"{name} must be a phone number such as 0131 496 0000, not {raw!r}")
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException as exc:
        raise refused from exc
    if not phonenumbers.is_valid_number(number):
        raise refused
    style = phonenumbers.PhoneNumberFormat
    uk = phonenumbers.region_code_for_number(number) == "GB"
    return phonenumbers.format_number(number, style.NATIONAL if uk else style.INTERNATIONAL)


def _call_attempts(env: Mapping[str, str]) -> int:
    """Calls to a landline nobody answers: tried this often in all, at least once."""
    attempts = _number(env, "CALL_ATTEMPTS", 3)
    if not 1 <= attempts <= 10 or attempts != int(attempts):
        raw = env.get("CALL_ATTEMPTS")
        raise ConfigError(f"CALL_ATTEMPTS must be a whole number from 1 to 10, not {raw!r}")
    return int(attempts)


def _media_max_bytes(env: Mapping[str, str]) -> int:
    """The largest file a tenant may send that we keep: held in the database, so bounded."""
    raw = (env.get("MEDIA_MAX_BYTES") or "").strip()
    if not raw:
        return MEDIA_MAX_BYTES
    if not raw.isdigit() or not SMALLEST_MEDIA_LIMIT <= int(raw) <= LARGEST_MEDIA_LIMIT:
        raise ConfigError(
            f"MEDIA_MAX_BYTES must be a whole number of bytes from {SMALLEST_MEDIA_LIMIT} to "
            f"{LARGEST_MEDIA_LIMIT} (50 MB), such as {MEDIA_MAX_BYTES} for 5 MB, not {raw!r}"
        )
    return int(raw)


def _two_factor(env: Mapping[str, str]) -> str:
    rule = (env.get("STAFF_TWO_FACTOR") or "required").strip().lower()
    if rule not in TWO_FACTOR_RULES:
        raise ConfigError(f"STAFF_TWO_FACTOR must be required or optional, not {rule!r}")
    return rule


@dataclass(frozen=True)
class Config:
    database_url: str
    public_url: str = "http://localhost:5000"
    secret_key: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_messaging_service_sid: str = ""
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_url: str = ""
    timezone: ZoneInfo = UK_TIME
    landlord_name: str = "Fife Housing Group"
    contact_phone: str = "your housing officer"
    repairs_phone: str = ""  # the repairs line for danger; unset: CONTACT_PHONE
    conversation_timeout: timedelta = timedelta(hours=24)
    message_retention: timedelta = timedelta(days=365)
    sms_rate_per_second: float = 10.0
    telegram_rate_per_second: float = 25.0
    call_rate_per_second: float = 1.0  # Twilio places 1 call a second unless asked for more
    call_attempts: int = 3  # how often an unanswered or busy notice call is tried in all
    call_transfer_number: str = ""  # where 9 on a call puts the caller through to a person
    mystery_shop_day: MonthlyDay = FIRST_TUESDAY
    mystery_shop_time: time = time(10, 0)
    mystery_shop_reminder_days: int = 5
    sending_window: SendingWindow = field(default_factory=SendingWindow)
    inspection_notice_days: int = 7
    inspection_reminder_days: int = 1
    sms_segment_price: float = 0.04  # GBP per SMS segment, for the cost staff see before sending
    staff_two_factor: str = "required"
    media_max_bytes: int = MEDIA_MAX_BYTES  # the largest file a tenant sends that is kept
    instance_path: Path = field(default_factory=lambda: Path("instance"))

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def simulator_enabled(self) -> bool:
        """The simulator is for demos and training, never on a public https site."""
        return not self.public_url.startswith("https://")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        instance = Path(env.get("DOORSTEP_INSTANCE", "instance")).resolve()
        zone = _time_zone(env)
        return cls(
            database_url=env.get("DATABASE_URL") or f"sqlite:///{instance / 'doorstep.db'}",
            public_url=(env.get("PUBLIC_URL") or cls.public_url).rstrip("/"),
            secret_key=env.get("SECRET_KEY", ""),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            twilio_from_number=env.get("TWILIO_FROM_NUMBER", ""),
            twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID", ""),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN", ""),
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET", ""),
            telegram_api_url=env.get("TELEGRAM_API_URL", ""),
            timezone=zone,
            landlord_name=env.get("LANDLORD_NAME") or cls.landlord_name,
            contact_phone=env.get("CONTACT_PHONE") or cls.contact_phone,
            repairs_phone=_phone_number(env, "REPAIRS_PHONE"),
            conversation_timeout=timedelta(hours=_number(env, "CONVERSATION_TIMEOUT_HOURS", 24)),
            message_retention=timedelta(days=_number(env, "MESSAGE_RETENTION_DAYS", 365)),
            sms_rate_per_second=_number(env, "SMS_RATE_PER_SECOND", 10),
            telegram_rate_per_second=_number(env, "TELEGRAM_RATE_PER_SECOND", 25),
            call_rate_per_second=_number(env, "CALL_RATE_PER_SECOND", 1),
            call_attempts=_call_attempts(env),
            call_transfer_number=_phone_number(env, "CALL_TRANSFER_NUMBER"),
            mystery_shop_day=_monthly_day(env, "MYSTERY_SHOP_DAY", cls.mystery_shop_day),
            mystery_shop_time=_time_of_day(env, "MYSTERY_SHOP_HOUR", cls.mystery_shop_time),
            mystery_shop_reminder_days=_days(env, "MYSTERY_SHOP_REMINDER_DAYS", 5),
            sending_window=_sending_window(env, zone),
            inspection_notice_days=_days(env, "INSPECTION_NOTICE_DAYS", 7),
            inspection_reminder_days=_days(env, "INSPECTION_REMINDER_DAYS", 1),
            sms_segment_price=_price(env, "SMS_SEGMENT_PRICE", 0.04),
            staff_two_factor=_two_factor(env),
            media_max_bytes=_media_max_bytes(env),
            instance_path=instance,
        )
