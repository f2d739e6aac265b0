"""Sending to Telegram: the real dispatcher and the real ``TelegramBot`` against the fake Bot API.

What matters is what a chat gets and what the outbox then says: each message once,
nothing more to a chat that blocked the bot, a rate limit waited out rather than
hammered, a refused message failed rather than retried forever.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy.orm import Session

from models.messages import FIRST_RETRY_DELAY, OutboundRecord, OutboxStatus
from models.tenants import Identity, Tenant, find_identity
from scheduler.dispatcher import Dispatcher
from tests.factories import create_outbound, create_tenant
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import Clock, TelegramChat

MENU_LABELS = ["Send us a message", "Change language", "Help"]
Row = TypeVar("Row", OutboundRecord, Identity)


# -- helpers -------------------------------------------------------------------------------


def fresh(db: Session, row: Row) -> Row:
    """The row as stored now (and no read left open to hold SQLite's lock)."""
    db.expire_all()
    db.refresh(row)
    db.commit()
    return row


def telegram_tenant(db: Session) -> Tenant:
    tenant = create_tenant(db, channels=("sms", "telegram"))
    db.commit()
    return tenant


def chat_id(tenant: Tenant) -> int:
    return int(next(i.address for i in tenant.identities if i.channel == "telegram"))


def identity(db: Session, tenant: Tenant) -> Identity:
    found = find_identity(db, "telegram", str(chat_id(tenant)))
    assert found is not None
    return fresh(db, found)


def queue(db: Session, tenant: Tenant, body: str | None = None, **choices: Any) -> OutboundRecord:
    """An outbox row to the tenant's chat, due now; ``choices`` as the outbox stores them."""
    row = create_outbound(db, tenant=tenant, channel="telegram", body=body)
    if choices:
        row.choices = choices
    db.commit()
    return row


def sends(bot_api: FakeBotApi, tenant: Tenant) -> list[dict[str, Any]]:
    """Every sendMessage call to the tenant's chat, refused or not."""
    return bot_api.sent_messages(chat_id(tenant))


# -- sending -------------------------------------------------------------------------------


def test_a_queued_message_is_sent_once_and_recorded_with_telegrams_message_id(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi, clock: Clock
) -> None:
    tenant = telegram_tenant(db)
    row = queue(db, tenant, "The lifts at Raith Court are serviced on Monday.")

    assert dispatcher.run_once() == 1

    [sent] = sends(bot_api, tenant)
    assert sent["text"] == row.body and "reply_markup" not in sent
    fresh(db, row)
    assert row.status == OutboxStatus.SENT and row.sent_at == clock()
    assert row.provider_id is not None and row.provider_id.isdigit()
    clock.advance(minutes=10)
    assert dispatcher.run_once() == 0
    assert len(sends(bot_api, tenant)) == 1


def test_text_is_sent_plain_so_markup_characters_arrive_as_typed(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi
) -> None:
    tenant = telegram_tenant(db)
    body = "Rent & repairs <b>2026</b>: *not bold*, _not italic_ [link](x) 🏠 שלום"
    row = queue(db, tenant, body)

    dispatcher.run_once()

    [sent] = sends(bot_api, tenant)
    assert sent["text"] == body and "parse_mode" not in sent
    assert fresh(db, row).status == OutboxStatus.SENT


def test_a_menu_is_sent_with_its_options_as_inline_buttons_answering_1_2_3(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi
) -> None:
    tenant = telegram_tenant(db)
    queue(db, tenant, "What would you like to do?", options=MENU_LABELS, contact_button=None)

    dispatcher.run_once()

    [sent] = sends(bot_api, tenant)
    assert sent["text"] == "What would you like to do?"
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [{"text": label, "callback_data": str(n)}] for n, label in enumerate(MENU_LABELS, 1)
        ]
    }


def test_a_request_for_the_number_is_sent_as_a_share_contact_button(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi
) -> None:
    tenant = telegram_tenant(db)
    queue(db, tenant, "Tap the button.", options=[], contact_button="Share my number")

    dispatcher.run_once()

    [sent] = sends(bot_api, tenant)
    assert sent["reply_markup"]["keyboard"] == [
        [{"text": "Share my number", "request_contact": True}]
    ]


# -- a chat that blocked the bot -----------------------------------------------------------


def test_a_blocked_chat_is_marked_unreachable_and_later_messages_are_held_without_a_call(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi, clock: Clock
) -> None:
    tenant, neighbour = telegram_tenant(db), telegram_tenant(db)
    first = queue(db, tenant)
    to_neighbour = queue(db, neighbour)
    bot_api.block(chat_id(tenant))

    assert dispatcher.run_once() == 2

    fresh(db, first)
    assert first.status == OutboxStatus.UNREACHABLE and first.error_code == "403"
    assert identity(db, tenant).reachable is False
    assert fresh(db, to_neighbour).status == OutboxStatus.SENT  # nobody else held up

    later = queue(db, tenant, "Residents' meeting on Thursday.")
    clock.advance(hours=1)
    dispatcher.run_once()

    assert fresh(db, later).status == OutboxStatus.UNREACHABLE
    assert len(sends(bot_api, tenant)) == 1  # only the first, refused, call


def test_a_chat_that_blocked_the_bot_and_then_writes_again_gets_its_answer(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi, chat: TelegramChat
) -> None:
    tenant = create_tenant(db, channels=("sms",))
    tenant.identities.append(
        Identity(channel="telegram", address=str(chat.chat_id), reachable=False)
    )  # as the dispatcher leaves it after a 403
    db.commit()

    assert chat.say("HELP").status_code == 200  # so the tenant has unblocked the bot
    dispatcher.run_once()

    assert len(bot_api.sent_messages(chat.chat_id)) == 1


# -- rate limits and failures --------------------------------------------------------------


def test_a_rate_limit_requeues_the_row_until_retry_after_has_passed(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi, clock: Clock
) -> None:
    tenant = telegram_tenant(db)
    row = queue(db, tenant)
    bot_api.rate_limit_next(1, retry_after=30)

    dispatcher.run_once()

    fresh(db, row)
    assert row.status == OutboxStatus.QUEUED
    assert row.next_attempt_at == clock() + timedelta(seconds=30)
    assert row.attempts == 0  # waiting our turn is not a failure
    assert dispatcher.run_once() == 0
    clock.advance(seconds=29)
    assert dispatcher.run_once() == 0
    assert len(sends(bot_api, tenant)) == 1

    clock.advance(seconds=2)
    assert dispatcher.run_once() == 1

    assert fresh(db, row).status == OutboxStatus.SENT
    assert [m["text"] for m in sends(bot_api, tenant)] == [row.body, row.body]


def test_a_rate_limit_holds_the_rest_of_the_batch_without_calling_telegram(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi, clock: Clock
) -> None:
    tenants = [telegram_tenant(db) for _ in range(3)]
    rows = [queue(db, tenant) for tenant in tenants]
    bot_api.rate_limit_next(1, retry_after=30)

    dispatcher.run_once()

    assert len(bot_api.calls_to("sendMessage")) == 1
    for row in rows:
        fresh(db, row)
        assert row.status == OutboxStatus.QUEUED
        assert row.next_attempt_at == clock() + timedelta(seconds=30)

    clock.advance(seconds=31)
    assert dispatcher.run_once() == 3
    assert [fresh(db, row).status for row in rows] == [OutboxStatus.SENT] * 3
    assert all(len(sends(bot_api, tenant)) >= 1 for tenant in tenants)


def test_a_message_telegram_refuses_with_400_is_failed_and_not_retried(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi, clock: Clock
) -> None:
    tenant = telegram_tenant(db)
    row = queue(db, tenant)
    bot_api.fail_chat(chat_id(tenant), 400, "Bad Request: chat not found")

    dispatcher.run_once()

    fresh(db, row)
    assert row.status == OutboxStatus.FAILED and row.error_code == "400"
    assert identity(db, tenant).reachable is True  # a bad request is not a block
    clock.advance(hours=2)
    assert dispatcher.run_once() == 0
    assert len(sends(bot_api, tenant)) == 1


@pytest.mark.parametrize(("status", "description"), [(500, "Internal Server Error"),
                                                      (502, "Bad Gateway")])  # fmt: skip
def test_a_telegram_server_error_is_retried_after_a_backoff_and_then_sent(
    db: Session,
    dispatcher: Dispatcher,
    bot_api: FakeBotApi,
    clock: Clock,
    status: int,
    description: str,
) -> None:
    tenant = telegram_tenant(db)
    row = queue(db, tenant)
    bot_api.fail_next(1, status=status, description=description)

    dispatcher.run_once()

    fresh(db, row)
    assert row.status == OutboxStatus.QUEUED
    assert row.next_attempt_at == clock() + FIRST_RETRY_DELAY
    assert dispatcher.run_once() == 0
    assert len(sends(bot_api, tenant)) == 1

    clock.advance(seconds=FIRST_RETRY_DELAY.total_seconds() + 1)
    assert dispatcher.run_once() == 1

    assert fresh(db, row).status == OutboxStatus.SENT
    assert len(sends(bot_api, tenant)) == 2


def test_repeated_server_errors_back_off_longer_each_time(
    db: Session, dispatcher: Dispatcher, bot_api: FakeBotApi, clock: Clock
) -> None:
    tenant = telegram_tenant(db)
    row = queue(db, tenant)
    bot_api.fail_next(3, status=500)

    waits = []
    for _ in range(3):
        dispatcher.run_once()
        fresh(db, row)
        assert row.status == OutboxStatus.QUEUED
        waits.append(row.next_attempt_at - clock())
        clock.advance(seconds=waits[-1].total_seconds())
    dispatcher.run_once()

    assert waits == [FIRST_RETRY_DELAY, FIRST_RETRY_DELAY * 2, FIRST_RETRY_DELAY * 4]
    assert fresh(db, row).status == OutboxStatus.SENT
    assert len(sends(bot_api, tenant)) == 4
