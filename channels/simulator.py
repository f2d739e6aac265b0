"""The SMS stand-in for demos, training and tests: the outbox row is the phone's screen."""

from __future__ import annotations

import uuid
from datetime import datetime

from bot.messages import OutboundMessage, SendReceipt
from bot.sms import count_segments
from channels.base import Channel
from channels.presentations import SMS


class SimulatorSms(Channel):
    name = SMS

    def _send(self, message: OutboundMessage) -> SendReceipt:
        segments = count_segments(message.text).segments
        return SendReceipt(f"SIM{uuid.uuid4().hex}", segments, delivered=True)

    def find_sent(self, message: OutboundMessage, since: datetime) -> str | None:
        return None  # nothing left the building: sending again is safe
