"""The sending window, time zone and inspection settings, read from the environment and
refused by name."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest

from doorstep.config import Config, ConfigError
from doorstep.wiring import build_channels, build_dispatcher, engine_settings, mystery_shop_plan

LONDON, DUBLIN = ZoneInfo("Europe/London"), ZoneInfo("Europe/Dublin")


def test_the_sending_window_and_inspection_days_come_from_the_settings() -> None:
    config = Config.from_env(
        {
            "SENDING_WINDOW_START": "8:30",
            "SENDING_WINDOW_END": "19",
            "SEND_ON_BANK_HOLIDAYS": "yes",
            "INSPECTION_NOTICE_DAYS": "10",
            "INSPECTION_REMINDER_DAYS": "2",
            "TIMEZONE": "Europe/Dublin",
        }
    )
    window = config.sending_window
    assert (window.opens, window.closes, window.zone) == (time(8, 30), time(19), DUBLIN)
    assert window.on_bank_holidays
    assert (config.inspection_notice_days, config.inspection_reminder_days) == (10, 2)
    assert engine_settings(config).sending_window == window


def test_the_defaults_are_nine_to_eight_in_london_and_not_on_bank_holidays() -> None:
    config = Config.from_env({})
    window = config.sending_window
    assert (window.opens, window.closes, window.zone) == (time(9), time(20), LONDON)
    assert not window.on_bank_holidays
    assert (config.inspection_notice_days, config.inspection_reminder_days) == (7, 1)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SENDING_WINDOW_START": "nine"}, "SENDING_WINDOW_START"),
        ({"SENDING_WINDOW_END": "24:00"}, "SENDING_WINDOW_END"),
        ({"SENDING_WINDOW_START": "21", "SENDING_WINDOW_END": "9"}, "SENDING_WINDOW_START"),
        ({"SEND_ON_BANK_HOLIDAYS": "sometimes"}, "SEND_ON_BANK_HOLIDAYS"),
        ({"INSPECTION_NOTICE_DAYS": "-3"}, "INSPECTION_NOTICE_DAYS"),
        ({"INSPECTION_REMINDER_DAYS": "1.5"}, "INSPECTION_REMINDER_DAYS"),
        ({"SMS_SEGMENT_PRICE": "-0.04"}, "SMS_SEGMENT_PRICE"),
        ({"SMS_SEGMENT_PRICE": "4p"}, "SMS_SEGMENT_PRICE"),
        ({"TIMEZONE": "Mars/Olympus_Mons"}, "TIMEZONE"),
        ({"TIMEZONE": "europe/london"}, "TIMEZONE"),
        ({"TIMEZONE": "Europe"}, "TIMEZONE"),
        ({"TIMEZONE": "/etc/passwd"}, "TIMEZONE"),
        ({"TIMEZONE": "../../etc/passwd"}, "TIMEZONE"),
        ({"TIMEZONE": "Europe/London\x00"}, "TIMEZONE"),
        ({"CALL_ATTEMPTS": "0"}, "CALL_ATTEMPTS"),
        ({"CALL_ATTEMPTS": "2.5"}, "CALL_ATTEMPTS"),
        ({"CALL_ATTEMPTS": "lots"}, "CALL_ATTEMPTS"),
        ({"CALL_TRANSFER_NUMBER": "the office"}, "CALL_TRANSFER_NUMBER"),
    ],
)
def test_a_malformed_setting_is_refused_by_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Config.from_env(env)


def test_the_price_of_an_sms_segment_defaults_to_four_pence_and_comes_from_the_settings() -> None:
    assert Config.from_env({}).sms_segment_price == 0.04
    assert Config.from_env({"SMS_SEGMENT_PRICE": "0.035"}).sms_segment_price == 0.035


def test_calls_are_placed_one_a_second_unless_the_settings_say_otherwise() -> None:
    assert Config.from_env({}).call_rate_per_second == 1
    config = Config.from_env({"CALL_RATE_PER_SECOND": "3"})
    dispatcher = build_dispatcher(
        config, session_factory=None, clock=None, channels=build_channels(config)
    )
    assert dispatcher.rates["voice"] == 3


def test_unanswered_calls_are_tried_3_times_and_nobody_is_put_through_unless_set() -> None:
    assert (Config.from_env({}).call_attempts, Config.from_env({}).call_transfer_number) == (3, "")
    config = Config.from_env({"CALL_ATTEMPTS": "5", "CALL_TRANSFER_NUMBER": "01314960999"})
    assert (config.call_attempts, config.call_transfer_number) == (5, "0131 496 0999")


def test_the_time_zone_is_built_once_and_every_part_keeps_the_same_one() -> None:
    config = Config.from_env({"TIMEZONE": " Europe/Dublin "})
    assert config.timezone == DUBLIN
    assert engine_settings(config).timezone is config.timezone
    assert config.sending_window.zone is config.timezone
    assert mystery_shop_plan(config).zone is config.timezone
    assert Config.from_env({}).timezone == LONDON


def test_files_tenants_send_are_kept_up_to_5_mb_unless_the_settings_say_otherwise() -> None:
    assert Config.from_env({}).media_max_bytes == 5 * 1024 * 1024
    assert Config.from_env({"MEDIA_MAX_BYTES": "1048576"}).media_max_bytes == 1048576
    for refused in ("5MB", "-1", "1000", str(51 * 1024 * 1024), "5e6"):
        with pytest.raises(ConfigError, match="MEDIA_MAX_BYTES"):
            Config.from_env({"MEDIA_MAX_BYTES": refused})
