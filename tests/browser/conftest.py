"""Browser tests: Debian's chromium, headless, driven by Playwright against this worker's local stack.

Each test works in a company of its own (a fresh tenant): the pages get their users' tokens put in
``sessionStorage`` the way the dev login page leaves them. Screenshots go to
``test-artifacts/browser/``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from truckroll_local.responses import HttpResponse
from truckroll_local.stack import LocalStack

CHROMIUM = "/usr/bin/chromium"  # Debian's package; `make test` installs it when missing
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
UI_TIMEOUT_MS = 15_000  # the board reads the change feed every 2 s

expect.set_options(timeout=UI_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@dataclass
class Company:
    """A tenant of its own on the local stack, and browser sessions of its users."""

    stack: LocalStack
    browser: Browser
    tenant: str
    zone: timezone
    contexts: list[BrowserContext]

    @property
    def today(self) -> date:
        return datetime.now(self.zone).date()

    def headers(self, username: str) -> dict[str, str]:
        return self.stack.auth_headers(username, tenant_id=self.tenant)

    def call(self, method: str, path: str, body: Any = None, username: str = "dispatcher@demo") -> Any:
        response: HttpResponse = self.stack.request(method, path, self.headers(username), body)
        assert 200 <= response.status < 300, f"{method} {path}: {response.status} {response.text}"
        self.stack.drain()
        return response.json()

    def page_for(self, username: str | None, **options: Any) -> Page:
        """A new browser context (its own session storage), signed in as ``username``."""
        context = self.browser.new_context(timezone_id=_zone_name(self.zone), **options)
        self.contexts.append(context)
        if username is not None:
            user = self.stack.issuer.user(username).to_json() | {"tenant_id": self.tenant}
            token = self.stack.token(username, tenant_id=self.tenant)
            context.add_init_script(
                f"sessionStorage.setItem('truckroll.token', {json.dumps(token)});"
                f"sessionStorage.setItem('truckroll.user', {json.dumps(json.dumps(user))});"
            )
        return context.new_page()

    def url(self, path: str) -> str:
        return f"{self.stack.base_url}{path}"


def _zone_name(zone: timezone) -> str:
    """The IANA name of a whole-hour UTC offset (``Etc/GMT-5`` is UTC+5)."""
    offset = zone.utcoffset(None)
    hours = int(offset.total_seconds() // 3600)
    return "Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


@pytest.fixture
def company(local_stack: LocalStack, browser: Browser, request: pytest.FixtureRequest) -> Iterator[Company]:
    """Its clock's zone puts now around local noon, so today's work fits in one local day."""
    now = datetime.now(UTC)
    zone = timezone(timedelta(hours=12 - now.hour))
    made = Company(local_stack, browser, f"web-{uuid.uuid4().hex[:10]}", zone, [])
    yield made
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for index, context in enumerate(made.contexts):
        for number, page in enumerate(context.pages):
            page.screenshot(path=ARTIFACTS / f"{request.node.name}-{index}-{number}-end.png", full_page=True)
        context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Any:
    """``shot(page, "what")`` keeps a screenshot named after the test."""

    def take(page: Page, what: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}-{what}.png", full_page=True)

    return take
