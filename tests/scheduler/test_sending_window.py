"""The sending window: 09:00-20:00 London time, weekends included, not on Scottish bank holidays."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.sending_window import SendingWindow, is_scottish_bank_holiday

WINDOW = SendingWindow()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_moment_inside_the_window_is_the_moment_itself() -> None:
    assert WINDOW.first_moment(utc(2026, 3, 3, 10, 0)) == utc(2026, 3, 3, 10, 0)
    assert WINDOW.first_moment(utc(2026, 3, 3, 19, 59)) == utc(2026, 3, 3, 19, 59)


def test_before_nine_waits_for_nine_the_same_morning() -> None:
    assert WINDOW.first_moment(utc(2026, 3, 3, 3, 0)) == utc(2026, 3, 3, 9, 0)
    assert WINDOW.first_moment(utc(2026, 3, 3, 8, 59)) == utc(2026, 3, 3, 9, 0)


def test_from_eight_in_the_evening_waits_for_nine_the_next_morning() -> None:
    assert WINDOW.first_moment(utc(2026, 3, 3, 20, 0)) == utc(2026, 3, 4, 9, 0)
    assert WINDOW.first_moment(utc(2026, 3, 3, 23, 30)) == utc(2026, 3, 4, 9, 0)


def test_weekends_are_inside_the_window() -> None:
    saturday, sunday = utc(2026, 3, 7, 10, 0), utc(2026, 3, 8, 18, 0)
    assert WINDOW.first_moment(saturday) == saturday
    assert WINDOW.first_moment(sunday) == sunday


def test_st_andrews_day_is_skipped_unless_staff_allow_bank_holidays() -> None:
    st_andrews_day = utc(2026, 11, 30, 10, 0)  # a Monday
    assert is_scottish_bank_holiday(st_andrews_day.date())
    assert WINDOW.first_moment(st_andrews_day) == utc(2026, 12, 1, 9, 0)
    assert WINDOW.first_moment(utc(2026, 11, 29, 21, 0)) == utc(2026, 12, 1, 9, 0)
    every_day = SendingWindow(on_bank_holidays=True)
    assert every_day.first_moment(st_andrews_day) == st_andrews_day


def test_the_scottish_calendar_is_used_not_the_english_one() -> None:
    assert is_scottish_bank_holiday(datetime(2026, 1, 2).date())  # 2 January: Scotland only
    assert not is_scottish_bank_holiday(datetime(2026, 4, 6).date())  # Easter Monday: not here
    assert WINDOW.first_moment(utc(2026, 1, 2, 12, 0)) == utc(2026, 1, 3, 9, 0)


@pytest.mark.parametrize(
    ("now", "first"),
    [
        # 29 March 2026: the clocks go forward at 01:00 UTC; nine o'clock is 08:00 UTC
        (utc(2026, 3, 29, 7, 30), utc(2026, 3, 29, 8, 0)),
        (utc(2026, 3, 29, 8, 30), utc(2026, 3, 29, 8, 30)),
        (utc(2026, 3, 29, 19, 0), utc(2026, 3, 30, 8, 0)),  # 20:00 BST: closed
        # 25 October 2026: the clocks go back at 01:00 UTC; nine o'clock is 09:00 UTC again
        (utc(2026, 10, 24, 19, 30), utc(2026, 10, 25, 9, 0)),  # Saturday 20:30 BST
        (utc(2026, 10, 25, 8, 30), utc(2026, 10, 25, 9, 0)),  # 08:30 GMT
        (utc(2026, 10, 25, 19, 30), utc(2026, 10, 25, 19, 30)),  # 19:30 GMT: still open
    ],
)
def test_nine_and_eight_are_london_time_on_the_days_the_clocks_change(
    now: datetime, first: datetime
) -> None:
    assert WINDOW.first_moment(now) == first


def test_a_window_that_closes_before_it_opens_is_refused() -> None:
    with pytest.raises(ValueError, match="open before it closes"):
        SendingWindow(opens=time(20, 0), closes=time(9, 0))
