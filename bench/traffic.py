"""What the load generator sends: signed Twilio forms and Telegram updates, as tenants would.

Each connection plays its own tenants, so no two requests from one tenant are in
flight at once (a person waits for the answer). The mix: new numbers signing up,
tenants mid-way through a conversation answering with digits, keywords (HELP,
MENU, SHOP, LANG) and, for one request in ten, a provider retry of an earlier message.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from tests.fakes import telegram_updates as updates

PUBLIC_URL = "http://doorstep.bench"
TWILIO_TOKEN = "bench-twilio-auth-token"  # noqa: S105 - a local stand-in's
TELEGRAM_SECRET = "bench-telegram-secret"  # noqa: S105 - a local stand-in's
AREA = ("Methil", "KY8 2,KY8 3")
RETRY_SHARE = 0.10
NEW_TENANT_SHARE = 0.12
REMEMBERED_FOR_RETRY = 200

# One tenant's life, in order; after the last line it goes round again from MENU.
SMS_SCRIPT = (
    "Hi", "Ann Smith", "KY8 3AB", "yes", "MENU", "1", "2", "HELP", "SHOP", "1",
    "MENU", "3", "The lift at block C is broken again", "LANG", "1",
)  # fmt: skip
TELEGRAM_SCRIPT = (
    "/start", "Ann Smith", "KY8 3AB", "press:1", "MENU", "press:1", "press:2", "/help",
    "SHOP", "press:1", "/menu", "press:3", "The bins at block C were not emptied",
)  # fmt: skip
LOOP_FROM = 4

_numbers = itertools.count(1)
_ids = itertools.count(1)


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Tenant:
    address: int
    step: int = 0

    def next_line(self, script: tuple[str, ...]) -> str:
        line = script[self.step]
        self.step = self.step + 1 if self.step + 1 < len(script) else LOOP_FROM
        return line


@dataclass
class Conversations:
    """One connection's tenants; ``next_request`` picks who speaks next."""

    rng: random.Random
    tenants: list[Tenant] = field(default_factory=list)
    sent: list[Request] = field(default_factory=list)

    def next_request(self) -> Request:
        roll = self.rng.random()
        if self.sent and roll < RETRY_SHARE:
            return self.rng.choice(self.sent)  # the provider sends the same thing again
        if not self.tenants or roll < RETRY_SHARE + NEW_TENANT_SHARE:
            self.tenants.append(Tenant(next(_numbers)))
        request = self.speak(self.rng.choice(self.tenants))
        self.sent = [*self.sent[-REMEMBERED_FOR_RETRY + 1 :], request]
        return request

    def speak(self, tenant: Tenant) -> Request:
        raise NotImplementedError


class SmsConversations(Conversations):
    validator = RequestValidator(TWILIO_TOKEN)

    def speak(self, tenant: Tenant) -> Request:
        return signed_sms(sms_number(tenant.address), tenant.next_line(SMS_SCRIPT), self.validator)


class TelegramConversations(Conversations):
    def speak(self, tenant: Tenant) -> Request:
        line = tenant.next_line(TELEGRAM_SCRIPT)
        chat_id, update_id = 700_000_000 + tenant.address, next(_ids)
        payload: dict[str, Any]
        if line.startswith("press:"):
            payload = updates.callback_update(
                update_id=update_id, chat_id=chat_id, data=line.removeprefix("press:")
            )
        elif line.startswith("/"):
            payload = updates.command_update(update_id=update_id, chat_id=chat_id, command=line)
        else:
            payload = updates.text_update(update_id=update_id, chat_id=chat_id, text=line)
        return Request(
            "/webhooks/telegram",
            json.dumps(payload).encode(),
            {
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
            },
        )


class BaselineSms(Conversations):
    """The baseline's requests: the same signed forms, every one a fresh message."""

    validator = RequestValidator(TWILIO_TOKEN)

    def next_request(self) -> Request:
        if not self.tenants or self.rng.random() < NEW_TENANT_SHARE:
            self.tenants.append(Tenant(next(_numbers)))
        tenant = self.rng.choice(self.tenants)
        return signed_sms(sms_number(tenant.address), tenant.next_line(SMS_SCRIPT), self.validator)


def sms_number(n: int) -> str:
    return f"+447911{n:06d}"


def signed_sms(number: str, body: str, validator: RequestValidator) -> Request:
    params = {
        "MessageSid": f"SM{next(_ids):032x}",
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": "+447700900000",
        "Body": body,
        "NumMedia": "0",
    }
    path = "/webhooks/twilio/sms"
    signature = validator.compute_signature(PUBLIC_URL + path, params)
    return Request(
        path,
        urlencode(params).encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
    )
