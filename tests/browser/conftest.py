"""A live server and a real headless Chromium (Debian's), driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium. Where
Chromium is not installed the browser tests skip and say why.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTEFACTS = Path(__file__).parents[2] / "test-artifacts"
QUIET_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_url(app: Flask, database_url: str) -> Iterator[str]:
    if not database_url.startswith("sqlite"):
        pytest.skip("the browser walks run once, on SQLite")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(live_url: str) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET_CHROMIUM)
        context = browser.new_context(base_url=live_url, viewport={"width": 1024, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


NPM_FOLDER = Path(__file__).parent
AXE_SCRIPT = NPM_FOLDER / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core from npm, installed from the lock file on first use, so one test command
    sets up everything the accessibility checks need."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed (apt-get install npm): axe-core checks skipped")
        subprocess.run(
            [npm, "ci", "--prefix", str(NPM_FOLDER), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return AXE_SCRIPT


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[object]:
    """One Chromium for a whole test module; each test opens its own context in it."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=QUIET_CHROMIUM)
        yield browser
        browser.close()
