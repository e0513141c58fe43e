"""Touch, don't just read: a click on a heatmap cell picks that bigram, and the views that depend on it answer."""

from __future__ import annotations

import pytest
from browserutil import open_view, page_title, screenshot
from journeys import go, main, query, settle

pytestmark = pytest.mark.browser


def click_cell(page, chart_index: int, r: int, c: int, n: int) -> None:
    """Click cell (r, c) of the chart_index-th heatmap (n x n cells), where a person would: its centre."""
    chart = main(page).get_by_test_id("stPlotlyChart").nth(chart_index)
    cell = chart.locator(".scatterlayer .trace").last.locator("path.point").nth(r * n + c)
    box = cell.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
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
