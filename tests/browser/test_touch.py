"""Touch, don't just read: a click on a heatmap cell picks that bigram, and the views that depend on it answer."""

from __future__ import annotations

import pytest
from browserutil import open_view, page_title, screenshot
from journeys import go, main, query, settle

from ui import grid

pytestmark = pytest.mark.browser


def cell_centre(page, chart_index: int, r: int, c: int, n: int) -> tuple[float, float]:
    """Where cell (r, c) of the chart_index-th grid (n x n cells) is on screen: its centre, from the chart's box and
    the grid's fixed margins (``ui.grid.MARGIN``; a grid without a colour bar or row title has narrower ones)."""
    chart = main(page).get_by_test_id("stEChartsChart").nth(chart_index)
    chart.scroll_into_view_if_needed()
    canvas = chart.locator("canvas").first
    box = canvas.bounding_box()
    left, right = grid.MARGIN["left"], grid.MARGIN["right"]
    width = (box["width"] - left - right) / n
    height = (box["height"] - grid.MARGIN["top"] - grid.MARGIN["bottom"]) / n
    return box["x"] + left + (c + 0.5) * width, box["y"] + grid.MARGIN["top"] + (r + 0.5) * height


def click_cell(page, chart_index: int, r: int, c: int, n: int) -> None:
    """Click cell (r, c) of the chart_index-th grid (n x n cells), where a person would: its centre; then wait for
    the pick to reach the link (the end of the run the click started, however busy the machine) and the redraw."""
    before = query(page).get("pick")
    page.mouse.click(*cell_centre(page, chart_index, r, c, n))
    page.wait_for_function(
        "before => new URLSearchParams(location.search).get('pick') !== before", arg=before, timeout=60_000
    )
    settle(page)


def test_clicking_a_cell_picks_the_bigram_and_the_pick_travels(server, page):
    open_view(page, server.url, "/Smoothing", page_title("pages/3_Smoothing.py"))
    assert "Pick a bigram" in main(page).inner_text()
    click_cell(page, 0, 1, 14, 27)  # row a, column n of P at k = 0
    text = main(page).inner_text()
    assert "The bigram" in text and "5,090" in text  # N[a, n] in the US baby names
    assert query(page).get("pick") == "1,14"
    screenshot(page, "touch-pick-Smoothing")

    go(page, "Sample", "pages/5_Sample.py")  # away and back: the pick stays
    go(page, "Smoothing", "pages/3_Smoothing.py")
    assert "5,090" in main(page).inner_text()
    assert main(page).get_by_role("combobox", name="Next symbol of the bigram").input_value() == "'n'"

    # The keyboard way: choose the next symbol in its select box.
    box = main(page).get_by_role("combobox", name="Next symbol of the bigram")
    box.click()
    page.get_by_role("option", name="'b'", exact=True).click()
    settle(page)
    assert query(page).get("pick") == "1,2"
