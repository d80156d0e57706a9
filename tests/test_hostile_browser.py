"""Hostile links and uploads in Chromium: no live link, no fetched image, no request elsewhere.

The same hostile URL parameters as tests/test_hostile_text.py and an upload whose column and
group names are Markdown links and images; every request the page makes is recorded
(``page.route``) and anything not to the app's own origin is refused and fails the test.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from tests.test_browser import ARTIFACTS, READY, VIEWPORT, browser, server  # noqa: F401
from tests.test_hostile_text import EVERY, LABELS, LINK, hostile_long_csv

pytestmark = pytest.mark.browser

URLS = [
    ("", EVERY),  # the default page (landing) lives at "/"
    ("explore", LABELS),
    ("robustness", LABELS),
    ("data_sources", EVERY),
    ("methods", EVERY),
    ("ingest", EVERY),
]

HOSTILE_LINKS = """() => {
    const bad = [];
    for (const a of document.querySelectorAll('a[href]')) {
        const h = a.getAttribute('href');
        if (/evil|^mailto:/i.test(h) || /evil/i.test(a.innerText)) bad.push('a ' + h);
    }
    for (const i of document.querySelectorAll('img')) {
        const s = i.getAttribute('src') || '';
        if (/evil|^https?:/i.test(s) && !s.startsWith(location.origin)) bad.push('img ' + s);
    }
    return bad;
}"""


def settle(page) -> None:
    page.wait_for_selector(READY, timeout=60_000)
    page.wait_for_timeout(400)
    page.wait_for_selector(READY, timeout=60_000)


def test_hostile_links_and_uploads_render_no_link_image_or_foreign_request(server, browser):  # noqa: F811
    origin = urlsplit(server).netloc
    foreign: list[str] = []

    def route(r):
        url = r.request.url
        if urlsplit(url).netloc == origin:  # not even a favicon from elsewhere (app.py)
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.route("**/*", route)
    page = ctx.new_page()
    seen = []
    for path, params in URLS:
        page.goto(f"{server}/{path}?{urlencode(params)}")
        settle(page)
        assert page.locator("[data-testid='stException']").count() == 0, path
        text = page.inner_text("body")
        seen.append("evil" in text)
        assert page.evaluate(HOSTILE_LINKS) == [], (path, params)
    assert any(seen), "no hostile text was echoed anywhere"

    # An upload whose column and group names are links and images, with a hostile label.
    page.goto(f"{server}/explore?{urlencode({'iv': 'www.evil.example/login=2016-01'})}")
    settle(page)
    page.get_by_text("Upload a file").click()
    settle(page)
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        files=[
            {
                "name": "www.evil.example.csv",
                "mimeType": "text/csv",
                "buffer": hostile_long_csv(),
            }
        ]
    )
    page.wait_for_selector("[data-testid='stMetric']", timeout=90_000)
    settle(page)
    body = page.inner_text("body").replace("\u200d", "")
    assert f"Treated {LINK} www.evil.example/unit" in body  # shown as typed ...
    assert page.evaluate(HOSTILE_LINKS) == []  # ... and inert
    page.screenshot(path=str(ARTIFACTS / "hostile_upload.png"), full_page=True)
    ctx.close()
    assert foreign == [], foreign
