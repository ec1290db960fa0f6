"""The app in a real browser: Debian's Chromium, headless, driven by Playwright, at 1400 and 400 px wide.

Type a question, see the answer with its timestamps and the timeline, click a table row; what a person
sees: "Second half:" outside the list above it, table headers on one line, the clicked-row panel cleared
by a new answer, the sidebar not covering the chat on a phone, the stop button ending a hung answer at
once. Screenshots are kept under ``artifacts/`` (ignored by git) for a person to look at; docs/images/
holds copies of them.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from fake_openai import FakeOpenAI, Reply
from test_app import app_url, free_port  # noqa: F401 (the launched app, shared with the gradio_client tests)

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
HEIGHT_AND_LINE = "h => [h.getBoundingClientRect().height, parseFloat(getComputedStyle(h).lineHeight) || 20]"

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


def open_page(browser, url: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    return page


@pytest.fixture(params=[1400, 400], ids=["1400px", "400px"])
def page(request, browser, app_url: str):  # noqa: F811
    page = open_page(browser, app_url, request.param)
    yield page
    page.close()


def ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")


def last_reply(page):
    return page.locator(".message.bot, [data-testid='bot']").last


def test_question_answer_timeline_and_row_click(page) -> None:
    width = page.viewport_size["width"]
    ask(page, "All the goals")
    reply = last_reply(page)
    reply.get_by_text("occurs at").first.wait_for()
    assert INTERVAL.search(reply.inner_text()), reply.inner_text()[:300]
    assert reply.locator("li", has_text="Second half").count() == 0  # a heading after a list, not inside it
    reply.get_by_text("Second half:").wait_for()

    timeline = page.locator("#timeline")
    timeline.get_by_text(re.compile(r"ground truth: \d+ of \d+ found")).wait_for()
    assert timeline.locator(".scatterlayer .point").count() > 0  # the markers are drawn

    headers = page.locator("#intervals th")
    for i in range(headers.count()):
        box, line = headers.nth(i).evaluate(HEIGHT_AND_LINE)
        assert box < 2.5 * line, f"header {headers.nth(i).inner_text()!r} wraps ({box:.0f} px)"

    first_start = page.locator("#intervals [data-testid='cell-0-2']").inner_text()
    assert re.fullmatch(r"\d\d:\d\d", first_start.strip())
    page.locator("#intervals [data-testid='cell-0-0']").click()
    moment = page.locator("#moment")
    moment.get_by_text("confidence").wait_for()
    assert f"({first_start.strip()}, " in moment.inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"app-{width}.png"), full_page=True)
    assert (ARTIFACTS / f"app-{width}.png").stat().st_size > 10_000

    ask(page, "and the corners?")  # a new answer: the panel no longer shows the goal picked above
    moment.get_by_text("Click a row").wait_for()
    assert "confidence" not in moment.inner_text()


def test_at_phone_width_the_sidebar_leaves_the_chat_free(browser, app_url: str) -> None:  # noqa: F811
    page = open_page(browser, app_url, 400)
    try:
        page.wait_for_function("() => document.querySelector('.sidebar') && !document.querySelector('.sidebar.open')")
        box = page.locator("#question textarea").bounding_box()
        free = "([x, y]) => document.elementFromPoint(x, y)?.closest('#question') !== null"
        center = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
        page.wait_for_function(free, arg=center, timeout=5_000)  # the sidebar slides away
        assert page.evaluate(free, center), "something covers the question box"
    finally:
        page.close()


def test_empty_question_shows_a_message_not_a_traceback(page) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    message = page.get_by_text("type a question first").filter(visible=True).first
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:  # on a loaded machine an Enter can come before the page binds its handlers, or be lost: ask again
        ask(page, "")
        try:
            message.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise
    assert "Traceback" not in page.content()


def test_the_stop_button_ends_a_hung_answer_at_once(browser) -> None:
    """An endpoint that never answers: stop, then the same visitor (held to one question at a time on a
    public server) asks again and is answered offline at once, not after the 30-s deadline."""
    from dataclasses import replace

    from agent import Assistant
    from index.corpus import SAMPLE_ROOT, load_corpus
    from ui.access import EndpointPolicy
    from ui.app import build_app, launch
    from ui.limits import PUBLIC

    corpus = load_corpus(SAMPLE_ROOT)
    with FakeOpenAI(responder=lambda request: Reply(hang=True)) as hung:
        limits = replace(PUBLIC, requests_per_minute=None)
        demo = build_app(corpus, Assistant(corpus), limits, EndpointPolicy(public=True, endpoints=(hung.base_url,)))
        port = free_port()
        launch(demo.queue(), "127.0.0.1", port, limits, prevent_thread_lock=True, quiet=True)
        page = open_page(browser, f"http://127.0.0.1:{port}/", 1400)
        try:
            page.get_by_text("Settings").click()
            page.locator("label:has-text('vLLM server')").click()
            page.get_by_label("Endpoint URL").fill(hung.base_url)
            ask(page, "All the goals")
            stop = page.locator("#question button.stop-button")
            stop.wait_for()
            waited = time.monotonic()
            while not hung.chat_requests() and time.monotonic() - waited < 20:
                time.sleep(0.1)
            assert hung.chat_requests(), "the question went to the endpoint"
            stopped = time.monotonic()
            stop.click()
            stop.wait_for(state="hidden")  # the box is ready again: what a person waits for before asking
            page.locator("label:has-text('Embedded')").click()
            ask(page, "All the goals")
            last_reply(page).get_by_text("occurs at").first.wait_for(timeout=20_000)
            assert time.monotonic() - stopped < 15  # not held until the hung request's deadline
        finally:
            page.close()
            demo.close()
