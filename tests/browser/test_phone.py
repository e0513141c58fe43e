"""At phone width (390 px): every page renders, nothing pushes the page sideways, heatmap cells carry no
overlapping labels (hover or tap a cell instead), and a screenshot of each page is kept to look at."""

from __future__ import annotations

import pytest
from browserutil import SCREENSHOTS, open_view, page_title

from ui.sidebar import PAGES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 1800}


@pytest.fixture
def phone(browser):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    ctx.set_default_timeout(30_000)
    yield ctx.new_page()
    ctx.close()


@pytest.mark.parametrize("info", PAGES, ids=[p.label for p in PAGES])
def test_every_page_fits_a_phone(server, phone, info):
    open_view(phone, server.url, "/" + info.url_path, page_title(info.file))
    overflow = phone.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollWidth")
    assert overflow <= PHONE["width"] + 1, f"{info.label} is {overflow} px wide on a {PHONE['width']} px screen"
    shown_labels = phone.evaluate(
        "() => [...document.querySelectorAll('.heatmap-label')].filter(e => getComputedStyle(e).display !== 'none')"
        ".length"
    )
    assert shown_labels == 0, f"{info.label}: {shown_labels} heatmap cell labels drawn on a phone"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / f"phone-{info.url_path or 'Home'}.png"), full_page=True)
