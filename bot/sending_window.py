"""The hours unasked messages may go: 09:00-20:00 UK time, not on Scottish bank holidays.

Notices, reminders and invitations are queued with the first moment inside the
window, so one caught up by the scheduler at 3 in the morning waits for 9 instead
of waking the tenant. Replies to a tenant's own message never wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

LONGEST_SEARCH = 30  # days: no calendar closes for longer
# The landlord's clock unless the TIMEZONE setting names another: the one place it is written.
UK_TIME = ZoneInfo("Europe/London")


@cache
def _scottish_bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="SCT", years=year))


def is_scottish_bank_holiday(day: date) -> bool:
    return day in _scottish_bank_holidays(day.year)


@dataclass(frozen=True)
class SendingWindow:
    opens: time = time(9, 0)
    closes: time = time(20, 0)
    zone: ZoneInfo = UK_TIME
    on_bank_holidays: bool = False

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("the sending window must open before it closes")

    def first_moment(self, now: datetime) -> datetime:
        """``now`` if a notice may go now, else when the window next opens (in UTC terms)."""
        local = now.astimezone(self.zone)
        for offset in range(LONGEST_SEARCH):
            day = local.date() + timedelta(days=offset)
            if not self.on_bank_holidays and is_scottish_bank_holiday(day):
                continue
            opening = datetime.combine(day, self.opens, tzinfo=self.zone)
            closing = datetime.combine(day, self.closes, tzinfo=self.zone)
            if now < opening:
                return opening.astimezone(now.tzinfo)
            if now < closing:
                return now
        return now  # never reached with a real calendar; sending beats losing the message

    def describe(self) -> str:
        days = "every day" if self.on_bank_holidays else "not on Scottish bank holidays"
        return f"{self.opens:%H:%M}-{self.closes:%H:%M} {self.zone}, {days}"
