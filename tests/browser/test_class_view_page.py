"""The class view page in a real browser (headless Chromium): the grid, who needs help first,
and a screenshot kept in docs/screens/ for the README and docs/instructors.md."""

import os
import datetime
import html.parser
from pathlib import Path

import pytest

from runner.classview.feed import ClassFeed
from runner.classview.web import ViewServer
from tests.browser import chromium
from tests.instructor import classplay

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "screens" / "class-view.png"
BROWSER = chromium.find()
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no chromium on PATH: apt-get install -y chromium (.ci/run does)")


class _Grid(html.parser.HTMLParser):
    """Rows of the page's table as the browser built them: participant, help, cell states."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._td, self._text = [], None, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-participant" in attrs:
            self._row = {"participant": attrs["data-participant"], "class": attrs.get("class"),
                         "states": [], "texts": []}
            self.rows.append(self._row)
        elif tag == "td" and self._row is not None:
            self._td, self._text = attrs, []
            if "data-state" in attrs:
                self._row["states"].append(attrs["data-state"])

    def handle_data(self, data):
        if self._td is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._row is not None:
            self._row["texts"].append("".join(self._text))
            self._td = None
        elif tag == "tr":
            self._row = None


@pytest.fixture
def page(k8s_api):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    classplay.ClassPlay(k8s_api, now).play(classplay.class_of_30())
    feed = ClassFeed(k8s_api.connect(), classplay.LAB, key=classplay.KEY).start()
    assert feed.wait_synced(15), feed.error
    server = ViewServer(feed, "127.0.0.1", 0).start()
    yield server
    server.close()
    feed.close()


def test_the_page_shows_the_grid_in_a_browser(page):
    dom = chromium.dump_dom(BROWSER, page.url)
    grid = _Grid()
    grid.feed(dom)
    assert len(grid.rows) == 30
    helped = [row["participant"] for row in grid.rows if row["class"] == "help"]
    assert sorted(helped) == ["p21", "p22", "p23", "p24", "p25", "p26", "p27", "p28"]
    assert [row["participant"] for row in grid.rows[:8]] == helped  # needing help first
    by_name = {row["participant"]: row for row in grid.rows}
    assert by_name["p01"]["states"] == ["verified"] * 5
    assert by_name["p24"]["states"][:2] == ["verified", "answered"]
    assert "4 wrong answers on oom-killed" in by_name["p24"]["texts"][1]
    assert by_name["p30"]["texts"][-1] == "tampered"
    assert "most stuck: oom-killed (5)" in dom and "<b>30</b> participants" in dom


def test_a_screenshot_of_the_page_is_kept_for_the_docs(page, tmp_path):
    shot = tmp_path / "class-view.png"
    chromium.screenshot(BROWSER, page.url, shot, size="1500,1150")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    if os.environ.get("CRASHLAB_UPDATE_SCREENS"):   # refresh the docs' copy only when asked
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(data)
