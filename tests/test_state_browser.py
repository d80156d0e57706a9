"""One analysis across the app, in Chromium (issue 15): a user's journey between pages, an
upload, a shared link opened in a fresh browser context, and the same numbers after re-upload."""

from __future__ import annotations

import pytest

from tests.test_app_state import counts_csv
from tests.test_browser import READY, VIEWPORT, browser, level_text, server, settle  # noqa: F401

pytestmark = pytest.mark.browser


def nav(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    page.wait_for_timeout(300)
    settle(page)


def wait_metric(page) -> str:
    page.locator("[data-testid='stMetric']").filter(has_text="Level change at").first.wait_for(
        timeout=90_000
    )
    settle(page)
    return level_text(page)


def robustness_numbers(page) -> list[str]:
    """The Robustness page's first numbers: the sweep's sentences and the break tests' metrics."""
    page.get_by_text("Where does the data itself break?").wait_for(timeout=120_000)
    page.locator("[data-testid='stMetricValue']").first.wait_for(timeout=120_000)
    settle(page)
    body = page.inner_text("body")
    lines = [x for x in body.splitlines() if "significant at" in x or "best-fitting" in x]
    metrics = page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return lines + metrics[:3]


def upload(page, name: str, data: bytes) -> None:
    page.get_by_text("Upload a file", exact=True).first.click()
    settle(page)
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )
    page.wait_for_timeout(500)
    settle(page)


def test_an_upload_link_opened_elsewhere_asks_for_the_file_and_gives_the_same_numbers(
    server,  # noqa: F811 - the fixtures of tests/test_browser.py
    browser,  # noqa: F811
):
    data = counts_csv()
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(f"{server}/explore")
    wait_metric(page)
    upload(page, "deaths.csv", data)
    first = wait_metric(page)
    # Explore -> Robustness -> Explore keeps the upload and the numbers.
    nav(page, "Robustness")
    rob = robustness_numbers(page)
    assert len(rob) >= 4, rob
    assert "went wrong" not in page.inner_text("body")
    nav(page, "Explore")
    assert wait_metric(page) == first
    link = page.url
    assert "upsha=" in link and "up=deaths.csv" in link and "uprows=36" in link
    page.screenshot(path="tests/artifacts/state_upload_first.png")
    ctx.close()

    other = browser.new_context(viewport=VIEWPORT)  # a colleague's browser: no upload there
    page = other.new_page()
    page.goto(link)
    page.wait_for_selector(READY, timeout=60_000)
    settle(page)
    body = page.inner_text("body")
    assert "This analysis used an uploaded file deaths.csv (36 rows, sha256" in body, body[:2000]
    assert "upload it to continue" in body
    assert "went wrong" not in body
    upload(page, "deaths.csv", data)
    assert wait_metric(page) == first
    page.screenshot(path="tests/artifacts/state_upload_reopened.png")
    nav(page, "Robustness")
    assert robustness_numbers(page) == rob  # the same numbers in the colleague's browser
    assert "went wrong" not in page.inner_text("body")
    other.close()
