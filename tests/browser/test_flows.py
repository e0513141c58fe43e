"""What a person does with the app, in a real browser: upload a list, move the smoothing slider with the
keyboard, train the net, sample words and download them."""

import csv
import io
import re

import pytest
from browserutil import (
    SMOOTHING_SLIDER,
    assert_no_exception,
    metric,
    nll_metric,
    open_view,
    page_title,
    screenshot,
    sidebar_caption,
    wait_charts,
    wait_idle,
    wait_text,
)

pytestmark = pytest.mark.browser


def test_upload_a_list_and_see_its_numbers(server, page, tmp_path):
    words = ["Anna", "bob", "zoë", "anna", "", "ève"]
    path = tmp_path / "mine.txt"
    path.write_text("\n".join(words) + "\n", encoding="utf-8")  # 5 words after cleaning, 4 distinct (anna twice)
    open_view(page, server.url, "/Data", page_title("pages/1_Data.py"))
    assert "29,910" in sidebar_caption(page)

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Upload your own list").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_text(page, lambda: sidebar_caption(page), lambda t: t.startswith("5 words"), "the sidebar to count the upload")
    wait_idle(page)
    wait_charts(page)
    assert_no_exception(page)

    # anna bob zoë anna ève: bigrams = sum of (length + 1) = 5+4+4+5+4; symbols a b e è ë n o v z + the boundary
    assert sidebar_caption(page) == "5 words · 22 bigrams · 10 symbols"
    assert metric(page, "Words") == "5"
    assert metric(page, "Distinct words") == "4"
    assert "mine.txt" in page.get_by_test_id("stMain").inner_text()
    # The upload cannot travel in a link, and the sidebar says so.
    sidebar.get_by_text("Link to this view").click()
    assert sidebar.get_by_text(re.compile("uploaded list cannot travel in a link")).count() >= 1
    screenshot(page, "Data-upload")


def test_smoothing_slider_moves_with_the_keyboard(server, page):
    open_view(page, server.url, "/Smoothing", page_title("pages/3_Smoothing.py"))
    label, value = nll_metric(page)
    assert label == "NLL at k = 1", label  # the default: add-one smoothing
    slider = page.get_by_role("slider", name=SMOOTHING_SLIDER)

    slider.focus()
    page.keyboard.press("ArrowRight")  # the next stop: k = 2
    label2, value2 = wait_text(
        page, lambda: nll_metric(page), lambda m: m[0] == "NLL at k = 2", "k = 2 in the NLL metric"
    )
    wait_idle(page)
    assert float(value2) > float(value), (value, value2)  # more fake counts: a worse fit of the list itself
    assert "k=2" in page.url  # the address bar carries the setting

    slider.focus()
    page.keyboard.press("ArrowLeft")  # back to k = 1: the value it had
    assert wait_text(page, lambda: nll_metric(page), lambda m: m[0] == "NLL at k = 1", "k = 1 again") == (label, value)
    wait_idle(page)
    wait_charts(page)
    assert_no_exception(page)
    assert slider.get_attribute("aria-valuetext") == "1"
    screenshot(page, "Smoothing-slider")


def test_train_the_net_and_see_its_loss(server, page):
    open_view(page, server.url, "/Neural_net", page_title("pages/4_Neural_net.py"))
    main = page.get_by_test_id("stMain")
    assert main.get_by_test_id("stPlotlyChart").count() == 0 or "Press Train" in main.inner_text()
    main.get_by_role("button", name="Train", exact=True).click()
    page.get_by_test_id("stMetricLabel").get_by_text("Loss (NLL + reg)", exact=True).wait_for(timeout=120_000)
    wait_idle(page, 120_000)
    wait_charts(page, at_least=1)
    assert_no_exception(page)

    assert metric(page, "Steps") == "100"  # the default number of steps
    loss = float(metric(page, "Loss (NLL + reg)"))
    nll = float(metric(page, "NLL"))
    target = float(metric(page, "Counting model NLL, k = 0"))
    assert target <= nll <= loss < 3.5, (
        target,
        nll,
        loss,
    )  # a random W starts near 3.8; 100 steps of SGD at lr 50 get well below
    curve = main.get_by_test_id("stPlotlyChart").first
    assert curve.locator(".scatterlayer .trace").count() >= 1, "the loss curve has no line"
    assert "Training loss" in curve.inner_text()
    screenshot(page, "Neural_net-trained")


def test_sample_words_and_download_them(server, page):
    open_view(page, server.url, "/Sample", page_title("pages/5_Sample.py"))
    n = int(metric(page, "Words drawn"))
    table = page.get_by_test_id("stMain").get_by_test_id("stDataFrame").first
    table.locator('[data-testid="glide-cell-1-0"]').wait_for(state="attached")  # the grid draws after the script ends
    shown = table.locator('[data-testid^="glide-cell-1-"]').all_inner_texts()  # the rows the grid has drawn
    assert shown, "no sampled words are shown"

    with page.expect_download() as download:
        page.get_by_test_id("stMain").get_by_test_id("stDownloadButton").get_by_role("button").click()
    d = download.value
    assert d.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(open(d.path(), encoding="utf-8").read())))
    assert len(rows) == n
    assert [r["word"] for r in rows[: len(shown)]] == shown  # the file holds the words on screen, in order
    assert all(int(r["length"]) >= 1 for r in rows)
    screenshot(page, "Sample")


def test_a_file_over_the_upload_limit_is_refused_and_the_list_stays(server, page, tmp_path):
    path = tmp_path / "huge.txt"
    line = b"abcdefghij\n"
    path.write_bytes(line * (26 * 1024 * 1024 // len(line) + 1))  # just over the 25 MB limit of .streamlit/config.toml
    open_view(page, server.url, "/Data", page_title("pages/1_Data.py"))
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Upload your own list").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    refusal = sidebar.get_by_text(re.compile(r"File must be 25(\.0)?\s?MB or smaller"))
    refusal.first.wait_for(timeout=30_000)
    wait_idle(page)
    assert_no_exception(page)
    assert "29,910" in sidebar_caption(page)  # the list in use is still the built-in one
    screenshot(page, "Data-upload-too-large")
