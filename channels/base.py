"""What every channel adapter is, and the errors it may raise.

    ChannelError
     ├── TemporaryFailure          try again later (provider 5xx)
     │    ├── RateLimited          try again after ``retry_after`` seconds
     │    └── OutcomeUnknown       the line dropped: the provider may have taken it
     └── PermanentFailure          this message will never go (bad request, bad number)
          ├── RecipientOptedOut    the provider refuses: the person opted out at its end
          └── RecipientUnreachable the person blocked us, or the chat is gone
    CannotReconcile                the provider cannot be asked whether it took a message

Vendor errors are translated at the edge (``raise RateLimited(...) from exc``), so
the dispatcher deals in these alone. The base class does the timing and logging;
an adapter only makes the call.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from datetime import datetime

from bot.messages import OutboundMessage, SendReceipt

log = logging.getLogger(__name__)


class ChannelError(Exception):
    code: str | None = None

    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason)
        self.code = code


class TemporaryFailure(ChannelError):
    pass


class RateLimited(TemporaryFailure):
    def __init__(self, reason: str, *, retry_after: float, code: str | None = None) -> None:
        super().__init__(reason, code=code)
        self.retry_after = retry_after


class OutcomeUnknown(TemporaryFailure):
    """The request may have reached the provider: ask it before sending again."""


class PermanentFailure(ChannelError):
    pass


class RecipientOptedOut(PermanentFailure):
    pass


class RecipientUnreachable(PermanentFailure):
    pass


class CannotReconcile(Exception):
    """This provider cannot say whether it accepted a message we may have sent."""


class Channel(ABC):
    name: str

    def send(self, message: OutboundMessage) -> SendReceipt:
        started = time.perf_counter()
        try:
            receipt = self._send(message)
        except ChannelError as exc:
            log.warning(
                "%s send failed ref=%s error=%s code=%s",
                self.name,
                message.reference,
                type(exc).__name__,
                exc.code,
            )
            raise
        log.info(
            "%s sent ref=%s in %.0f ms",
            self.name,
            message.reference,
            (time.perf_counter() - started) * 1000,
        )
        return receipt

    @abstractmethod
    def _send(self, message: OutboundMessage) -> SendReceipt: ...

    def find_sent(self, message: OutboundMessage, since: datetime) -> str | None:
        """The provider's id for this message if it took it after ``since``, else None."""
        raise CannotReconcile(self.name)

    def close(self) -> None:  # noqa: B027 - most channels hold nothing to release
        """Release connections and threads; the default has none."""
