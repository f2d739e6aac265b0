"""Twilio's delivery reports, for texts and for the calls that carry a notice, read as one.

A call's status says whether a landline answered; it is mapped to what an SMS's
status would say, so the outbox keeps one life cycle for both.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.messages import DeliveryReport
from channels.twilio_sms import LONGEST_SID, OPTED_OUT_CODES

# What a call's status report means for the message it carried.
CALL_OUTCOMES: Mapping[str, str] = {
    "completed": "delivered",
    "busy": "undelivered",
    "no-answer": "undelivered",
    "canceled": "failed",
    "failed": "failed",
}


class NotAReport(ValueError):
    """The form lacks what a delivery report carries: the message's id and its status."""


def parse_status(form: Mapping[str, str]) -> DeliveryReport:
    sid = form.get("MessageSid") or form.get("CallSid") or ""
    status = form.get("MessageStatus") or form.get("SmsStatus") or ""
    error_code = form.get("ErrorCode") or None
    call_status = form.get("CallStatus", "")
    if call_status in CALL_OUTCOMES:  # a notice phoned to a landline: answered, or not
        status = CALL_OUTCOMES[call_status]
        error_code = error_code or (None if call_status == "completed" else call_status)
    if not sid or not status or len(sid) > LONGEST_SID:
        raise NotAReport("MessageSid and MessageStatus are required")
    opted_out = (
        error_code is not None and error_code.isdigit() and int(error_code) in OPTED_OUT_CODES
    )
    return DeliveryReport(sid, status, error_code, opted_out=opted_out)
