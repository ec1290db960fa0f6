"""The app in a real browser: Debian's Chromium, headless, driven by Playwright.

Type a question, see the answer with its timestamps and the timeline, click a table row, and keep a
screenshot under ``artifacts/`` (ignored by git) for a person to look at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from test_app import app_url  # noqa: F401 (the launched app, shared with the gradio_client tests)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = REPO / "artifacts"
INTERVAL = re.compile(r"\(\d\d:\d\d, \d\d:\d\d\)")
TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.is_file() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run does it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package (test extra) is missing")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, app_url: str):  # noqa: F811
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(app_url)
    page.wait_for_selector("#question textarea")
    yield page
    page.close()


def ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")


def test_question_answer_timeline_and_row_click(page) -> None:
    ask(page, "All the goals")
    reply = page.locator(".message.bot, [data-testid='bot']").last
    reply.get_by_text("occurs at").first.wait_for()
    assert INTERVAL.search(reply.inner_text()), reply.inner_text()[:300]

    timeline = page.locator("#timeline")
    timeline.get_by_text(re.compile(r"ground truth: \d+ of \d+ found")).wait_for()
    assert timeline.locator(".scatterlayer .point").count() > 0  # the markers are drawn

    first_start = page.locator("#intervals [data-testid='cell-0-2']").inner_text()
    assert re.fullmatch(r"\d\d:\d\d", first_start.strip())
    page.locator("#intervals [data-testid='cell-0-0']").click()
    moment = page.locator("#moment")
    moment.get_by_text("confidence").wait_for()
    assert f"({first_start.strip()}, " in moment.inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app_browser.png"), full_page=True)
    assert (ARTIFACTS / "app_browser.png").stat().st_size > 10_000


def test_empty_question_shows_a_message_not_a_traceback(page) -> None:
    ask(page, "")
    page.get_by_text("type a question first").first.wait_for()
    assert "Traceback" not in page.content()
