"""Every page, reached by its direct link, in a real browser.

On a freshly started server Streamlit's automatic ``pages/`` mode runs a page file without
``app.py`` the first time it is asked for: each page must set itself up and draw its own title,
not the home page's and not an exception. This is the test of that, so it gets a server nobody
has visited. It also measures the cold start: from ``streamlit run`` to the first page drawn.
"""

import os

import pytest
from browserutil import (
    ROOT,
    TIMINGS,
    assert_no_exception,
    open_view,
    page_title,
    screenshot,
    sidebar_caption,
    wait_title,
)

from ui.sidebar import PAGES

pytestmark = pytest.mark.browser

# Pages in other files first: the very first request of the fresh server is a direct link to a page
# that is not app.py, the case the pages/ trap is about.
DOCS = ROOT / "docs"
ORDER = [p for p in PAGES if p.url_path] + [p for p in PAGES if not p.url_path]


def test_every_page_by_direct_link_on_a_fresh_server(fresh_server, page):
    first = True
    for info in ORDER:
        path = "/" + info.url_path
        title = page_title(info.file)
        open_view(page, fresh_server.url, path, title, timing=f"cold {path}")
        if first:
            t0, m = fresh_server.started_at, TIMINGS.last
            TIMINGS.cold_start = {
                "health ok": fresh_server.healthy_at - t0,
                "first page's title shown": m["title"] - t0,
                "its script done": m["script done"] - t0,
                "its charts drawn": m["drawn"] - t0,
            }
            first = False
        assert page.title() == f"{info.label} · Bigram Lab", path
        assert page.locator("h1").first.inner_text().strip() == title, f"{path} shows another page's title"
        assert "29,910" in sidebar_caption(page), path  # the default list, set up by the page itself
        assert page.url.split("?")[0].rstrip("/") == (fresh_server.url + path).rstrip("/")
        screenshot(page, info.url_path or "Home")
    assert "Traceback" not in fresh_server.log(), fresh_server.log()[-3000:]


def test_every_page_renders_on_a_warm_server(server, page):
    """Each page by its direct link on a server that has run it before: the render times the README quotes
    (a visitor opening a shared link). ``BIGRAM_RENDER_ROUNDS=5`` goes round five times, for steadier medians."""
    for _ in range(int(os.environ.get("BIGRAM_RENDER_ROUNDS", "1"))):
        for info in ORDER:
            open_view(page, server.url, "/" + info.url_path, page_title(info.file))
            assert page.title() == f"{info.label} · Bigram Lab"


def test_sidebar_menu_reaches_every_page(server, page):
    """The sidebar draws its own menu (the automatic one is hidden); each entry opens its page in the same session."""
    open_view(page, server.url, "/", page_title("app.py"))
    nav = page.get_by_test_id("stSidebar").get_by_test_id("stPageLink")
    assert nav.count() >= len(PAGES)
    assert page.get_by_test_id("stSidebarNav").count() == 0, "the automatic page menu should be hidden"
    for info in PAGES[1:] + PAGES[:1]:
        page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text=info.label).first.click()
        wait_title(page, page_title(info.file))
        assert page.url.split("?")[0].rstrip("/") == (server.url + "/" + info.url_path).rstrip("/")
        assert_no_exception(page)


@pytest.mark.skipif(
    os.environ.get("BIGRAM_UPDATE_SCREENSHOT") != "1",
    reason="set BIGRAM_UPDATE_SCREENSHOT=1 to redraw docs/screenshot.png",
)
def test_readme_screenshot(server, browser):
    """Redraw the README's picture: the Counts page as a visitor first sees it, at a laptop-sized window."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, device_scale_factor=1)
    try:
        page = ctx.new_page()
        open_view(page, server.url, "/Counts", page_title("pages/2_Counts.py"))
        page.mouse.move(0, 0)  # no hover effects in the picture
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / "screenshot.png"))
    finally:
        ctx.close()


def test_the_script_check_runs_the_app_on_a_fresh_server(fresh_server, page):
    """The readiness probe the Dockerfile and deploy/replicas.py use: it runs app.py once and answers "ok", and the
    first visitor then finds the server warm (bench/browser_bench.py times the difference)."""
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from serve import warm_up

    assert warm_up(fresh_server.url) > 0  # raises unless the answer is 200 "ok"
    open_view(page, fresh_server.url, "/", "Bigram Lab")
    assert sidebar_caption(page).startswith("29,910 words")
