"""A dispatcher process wired as ``doorstep scheduler`` wires it, but with Twilio on loopback.

doorstep has no setting that points the twilio Client at another host (there is
TELEGRAM_API_URL, but no TWILIO_API_URL), so this child builds the same channels
with ``build_channels(..., twilio_http_client=...)``: the real twilio Client and
a real HTTP connection, its base URL rewritten to the local fake. Run with
``--scheduler`` it is the whole SchedulerProcess (tasks + dispatcher thread).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response

from doorstep import cli
from doorstep.app import create_app
from doorstep.config import Config
from doorstep.logs import quiet_logging
from doorstep.wiring import build_channels, build_dispatcher
from models.base import utcnow
from models.db import make_engine, make_session_factory
from resilience.harness import (
    TELEGRAM_TOKEN,
    TWILIO_FROM,
    TWILIO_SID,
    TWILIO_TOKEN,
    FastClock,
)

TWILIO_API = "https://api.twilio.com"


class LoopbackTwilio(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's own HTTP client, sending to ``base`` instead of api.twilio.com."""

    def __init__(self, base: str) -> None:
        super().__init__(timeout=30)
        self.base = base.rstrip("/")

    def request(self, method: str, url: str, *args: object, **kwargs: object) -> Response:
        return super().request(method, url.replace(TWILIO_API, self.base), *args, **kwargs)


def run_scheduler(config: Config, twilio_client: LoopbackTwilio, stop: threading.Event) -> None:
    """Exactly the CLI's scheduler process, its channels built with the loopback client."""
    loopback = partial(build_channels, twilio_http_client=twilio_client)
    cli.build_channels = loopback  # type: ignore[attr-defined]
    process = cli._scheduler_process(create_app(config))
    process.start()
    print("scheduler running", flush=True)
    stop.wait()
    process.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--twilio-url", required=True)
    parser.add_argument("--telegram-url", required=True)
    parser.add_argument("--clock", default="0:1")
    parser.add_argument("--name", default="")
    parser.add_argument("--scheduler", action="store_true")
    args = parser.parse_args()

    quiet_logging()
    config = Config(
        database_url=args.database_url,
        secret_key="resilience-secret-key",  # noqa: S106 - a throwaway database
        instance_path=Path(os.environ.get("DOORSTEP_INSTANCE", "instance")),
        public_url="http://127.0.0.1:5000",
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=TWILIO_TOKEN,
        twilio_from_number=TWILIO_FROM,
        telegram_bot_token=TELEGRAM_TOKEN,
        telegram_api_url=args.telegram_url,
        sms_rate_per_second=0,
        telegram_rate_per_second=0,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if args.scheduler:
        run_scheduler(config, LoopbackTwilio(args.twilio_url), stop)
        return
    now = FastClock.parse(args.clock) if args.clock != "0:1" else utcnow
    sessions = make_session_factory(make_engine(config.database_url))
    channels = build_channels(config, twilio_http_client=LoopbackTwilio(args.twilio_url))
    dispatcher = build_dispatcher(config, sessions, now, channels)
    if args.name:
        dispatcher.name = args.name
    print("dispatcher running", flush=True)
    dispatcher.run_until(stop, idle_wait=0.1)
    for channel in channels.values():
        channel.close()


if __name__ == "__main__":
    main()
