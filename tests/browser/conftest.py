"""Browser fixtures: the test app on a live server, Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def read_whole(app: WSGIApplication) -> WSGIApplication:
    """``app`` with each response read and closed before the server sends it.

    When a browser drops a connection mid-response, Werkzeug's development server stops before
    it closes the response, and a static file left open warns (a ``ResourceWarning``) when it is
    collected, which fails whichever test is running then. A page is small: reading it first
    costs nothing here.
    """

    def whole(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()

    return whole


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test app on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, stopped as soon as they are done.

    Between sync calls Playwright leaves its event loop marked as running in the main thread,
    so ``asyncio.run()`` and friends fail while it is alive; package scope keeps that away from
    the rest of the suite.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def context_options() -> dict:
    """Extra ``new_context`` options; a test overrides it with ``parametrize``."""
    return {}


@pytest.fixture
def page(browser: Browser, live_server: str, context_options: dict) -> Iterator[Page]:
    """A page in a fresh context whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, **context_options)
    yield context.new_page()
    context.close()
