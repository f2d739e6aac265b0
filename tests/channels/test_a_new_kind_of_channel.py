"""A kind of channel the engine has never heard of, added from here without touching bot/ or
models/: a pager that shows everything in capitals on one 120-character screen.

It registers how it looks, an adapter sends for it, and a tenant on it gets the menu,
a notice and an officer's reply, each shown its way; and outside channels/ and the
wiring no module names a kind of channel, so the next kind needs no edit there either.
"""

from __future__ import annotations

import ast
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import presentation
from bot.messages import InboundMessage, OutboundMessage, Reply, SendReceipt
from bot.notices import queue_notice
from bot.presentation import Presentation, Rendered, Trait
from channels.base import Channel
from models.messages import InboundRecord
from models.tenants import Identity
from scheduler.dispatcher import Dispatcher
from tests.factories import SETTINGS, create_tenant
from tests.helpers import Clock, StaffBrowser

PAGER = "pager"
SCREEN = 120
ROOT = Path(__file__).resolve().parents[2]


class PagerScreen(Presentation):
    traits = frozenset({Trait.TYPES, Trait.ACCOUNT})
    label = "Pager"

    def reply(self, language: str, reply: Reply) -> Rendered:
        keys = " ".join(f"[{n}] {label}" for n, label in enumerate(reply.options, start=1))
        return Rendered(" ".join(filter(None, (reply.text, keys))).upper()[:SCREEN])

    def fits(self, rendered: Rendered) -> bool:
        return len(rendered.body) <= SCREEN

    def refusal(self, body: str) -> str | None:
        return None if len(body) <= SCREEN else f"a pager shows {SCREEN} characters"


class Pager(Channel):
    name = PAGER

    def __init__(self) -> None:
        self.screens: list[str] = []

    def _send(self, message: OutboundMessage) -> SendReceipt:
        self.screens.append(message.text)
        return SendReceipt(f"PAGE{len(self.screens)}", delivered=True)


@pytest.fixture
def pager(monkeypatch: pytest.MonkeyPatch) -> Iterator[Pager]:
    monkeypatch.setitem(presentation._registered, PAGER, PagerScreen())
    yield Pager()


def _page(app: Flask, db: Session, tenant_id: int, text: str) -> int:
    """The tenant types ``text`` on their pager; the id it is kept under."""
    address = db.get_one(Identity, _pager_identity(db, tenant_id)).address
    sent_as = f"page-{uuid.uuid4().hex}"
    message = InboundMessage(channel=PAGER, address=address, provider_id=sent_as, text=text)
    app.extensions["doorstep.receiver"].receive(message)
    db.commit()
    return db.scalars(select(InboundRecord.id).where(InboundRecord.provider_id == sent_as)).one()


def _pager_identity(db: Session, tenant_id: int) -> int:
    return next(
        identity.id for identity in db.query(Identity).filter_by(tenant_id=tenant_id, channel=PAGER)
    )


def test_a_kind_of_channel_added_outside_the_engine_shows_menus_notices_and_replies_its_way(
    app: Flask,
    db: Session,
    sessions: sessionmaker[Session],
    clock: Clock,
    pager: Pager,
    staff_as: Callable[[str], StaffBrowser],
) -> None:
    tenant = create_tenant(db, name="Ann Smith", channels=(PAGER,))
    tenant_id = tenant.id
    db.commit()
    sending = Dispatcher(sessions, {PAGER: pager}, clock, name="pager-dispatcher")

    item = _page(app, db, tenant_id, "The bins were not emptied")
    sending.run_once()
    officer = staff_as("officer")
    too_long = officer.submit("/staff/inbox/", f"/staff/inbox/{item}/reply", {"text": "x" * 200})
    assert too_long.status_code == 422
    assert f"a pager shows {SCREEN} characters" in too_long.get_data(as_text=True)
    officer.submit("/staff/inbox/", f"/staff/inbox/{item}/reply", {"text": "Bins go Monday."})
    sending.run_once()
    assert pager.screens[-1] == "BINS GO MONDAY."

    _page(app, db, tenant_id, "MENU")
    sending.run_once()
    menu = pager.screens[-1]
    assert menu.startswith("WHAT WOULD YOU LIKE TO DO?") and "[1] " in menu, menu
    assert len(menu) <= SCREEN and "REPLY 1" not in menu  # no SMS reply line on a pager

    queue_notice(
        db,
        tenant=db.get_one(type(tenant), tenant_id),
        identity=db.get_one(Identity, _pager_identity(db, tenant_id)),
        text="The lifts at Swan Court are fixed.",
        topic="news",
        now=clock(),
        settings=SETTINGS,
        urgent=True,
    )
    db.commit()
    sending.run_once()
    assert pager.screens[-1] == "THE LIFTS AT SWAN COURT ARE FIXED."


# --- no module outside channels/ and the wiring names a kind of channel -------------------

KINDS = frozenset({"sms", "telegram", "voice"})
# models/ is not read: it keeps the stored kinds (which identity is a phone number, who is
# rung on a landline) as the tables' own vocabulary, below channels/ in the layers.
PACKAGES = ("bot", "participation", "scheduler", "staff", "webhooks", "doorstep")


def _kind_names(path: Path) -> Iterator[str]:
    """Where a module compares with, keys by or passes a channel kind by its name."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for operand in operands:
                yield from _constants_in(operand, path, node.lineno)
        elif isinstance(node, ast.keyword) and node.arg in {"channel", "channels", "needs"}:
            yield from _constants_in(node.value, path, node.value.lineno)
        elif isinstance(node, ast.Subscript):
            yield from _constants_in(node.slice, path, node.lineno)
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    yield from _constants_in(key, path, node.lineno)


def _constants_in(node: ast.AST, path: Path, line: int) -> Iterator[str]:
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and inner.value in KINDS:
            yield f"{path.name}:{line} {inner.value!r}"
        if (
            isinstance(inner, ast.Attribute)
            and isinstance(inner.value, ast.Name)
            and inner.value.id == "Channel"
            and inner.attr.lower() in KINDS
        ):
            yield f"{path.name}:{line} Channel.{inner.attr}"


def test_the_engine_services_and_edges_name_no_kind_of_channel() -> None:
    named = [
        where
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "doorstep" / "wiring.py"
        for where in _kind_names(path)
    ]
    assert named == []


def test_the_scan_finds_a_kind_named_in_a_comparison_a_keyword_or_a_key(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(turn, rates):\n"
        '    if turn.channel == "sms":\n'
        '        return Flow(needs=frozenset({"voice"}))\n'
        '    return rates["telegram"], Channel.SMS\n'
    )
    assert sorted(_kind_names(sample)) == [
        "sample.py:2 'sms'",
        "sample.py:3 'voice'",
        "sample.py:4 'telegram'",
    ]
