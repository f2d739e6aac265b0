"""Logging that keeps tenants' phone numbers out of the logs, even by accident.

The code logs ids, never numbers or message bodies; this filter is the second
line: anything that looks like a phone number is masked before it is written.
"""

from __future__ import annotations

import logging
import re

PHONE_LIKE = re.compile(r"\+?\d[\d \-()]{8,}\d")


class MaskPhoneNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = PHONE_LIKE.sub("[number]", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def quiet_logging() -> None:
    """Mask numbers on every root handler, once; chatty libraries log warnings only."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
    for handler in root.handlers:
        if not any(isinstance(f, MaskPhoneNumbers) for f in handler.filters):
            handler.addFilter(MaskPhoneNumbers())
    for noisy in ("twilio.http_client", "httpx", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
