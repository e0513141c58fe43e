"""A link copied from one browser opens the same view in another: same list, smoothing, seed and page.

A teacher sets up a view, copies the link from "Link to this view" (or the address bar) and sends it
to a class; each student opens it in their own browser, a fresh Streamlit session. Here the second
person is a fresh browser context, with no cookies or state shared with the first.
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from browserutil import (
    SMOOTHING_SLIDER,
    assert_no_exception,
    nll_metric,
    open_view,
    page_title,
    screenshot,
    sidebar_caption,
    wait_charts,
    wait_idle,
    wait_text,
    wait_title,
)

pytestmark = pytest.mark.browser

SURNAMES = "US surnames (Census 1990)"


def go(page, label: str, file: str) -> None:
    """Follow the sidebar's menu entry ``label`` and wait for the page to be drawn."""
    page.get_by_test_id("stSidebar").get_by_test_id("stPageLink").filter(has_text=label).first.click()
    wait_title(page, page_title(file))
    wait_idle(page)
    wait_charts(page)
    assert_no_exception(page)


def shared_link(page) -> str:
    """The link shown in the sidebar's "Link to this view" expander."""
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_test_id("stExpander").filter(has_text="Link to this view")
    code = box.get_by_test_id("stCode")
    if not code.is_visible():
        box.get_by_text("Link to this view").click()
    return code.inner_text().strip()


def sampled_words(page) -> list[str]:
    table = page.get_by_test_id("stMain").get_by_test_id("stDataFrame").first
    table.locator('[data-testid="glide-cell-1-0"]').wait_for(state="attached")
    return table.locator('[data-testid^="glide-cell-1-"]').all_inner_texts()


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_copied_link_opens_the_same_view_in_a_fresh_browser(server, new_page):
    a = new_page()
    open_view(a, server.url, "/", page_title("app.py"))
    # The list: the sidebar's picker.
    a.get_by_test_id("stSidebar").get_by_role("combobox", name="Word list").click()
    a.get_by_role("option", name=SURNAMES).click()
    wait_text(a, lambda: sidebar_caption(a), lambda t: t.startswith("88,799 words"), "the surnames list")
    wait_idle(a)
    # Smoothing: one stop up the slider, k = 1 -> 2.
    go(a, "Smoothing", "pages/3_Smoothing.py")
    a.get_by_role("slider", name=SMOOTHING_SLIDER).focus()
    a.keyboard.press("ArrowRight")
    wait_text(a, lambda: nll_metric(a)[0], lambda t: t == "NLL at k = 2", "k = 2")
    wait_idle(a)
    nll_a = nll_metric(a)[1]
    # The seed, on the Sample page.
    go(a, "Sample", "pages/5_Sample.py")
    words_default_seed = sampled_words(a)
    seed = a.get_by_test_id("stMain").get_by_label("Seed", exact=True)
    seed.fill("42")
    seed.press("Enter")
    wait_text(a, lambda: a.get_by_test_id("stMain").inner_text(), lambda t: "seed=42)" in t, "seed 42 in use")
    # The table is redrawn by the same rerun: wait for its new words, not only for the run to end.
    words_a = wait_text(a, lambda: sampled_words(a), lambda w: w != words_default_seed, "the words drawn with seed 42")
    wait_idle(a)
    assert sampled_words(a) == words_a

    link = shared_link(a)
    assert urlsplit(link).path == "/Sample", link
    assert query(link) == {"list": "surnames", "k": "2", "seed": "42"}, link
    assert query(a.url) == query(link), (a.url, link)  # the address bar says the same
    screenshot(a, "link-source")

    # Someone else opens the link: a fresh browser context, a fresh session.
    b = new_page()
    open_view(b, "", link, page_title("pages/5_Sample.py"), timing="/Sample (from a link)")
    assert sidebar_caption(b).startswith("88,799 words"), sidebar_caption(b)
    assert b.get_by_test_id("stSidebar").get_by_role("combobox", name="Word list").input_value() == SURNAMES
    assert b.get_by_test_id("stMain").get_by_label("Seed", exact=True).input_value() == "42"
    assert "smoothing k = 2" in b.get_by_test_id("stMain").inner_text()
    assert sampled_words(b) == words_a, "the same settings should draw the same words"
    assert shared_link(b) == link
    go(b, "Smoothing", "pages/3_Smoothing.py")
    assert b.get_by_role("slider", name=SMOOTHING_SLIDER).get_attribute("aria-valuetext") == "2"
    assert nll_metric(b) == ("NLL at k = 2", nll_a)
    screenshot(b, "link-opened")


def test_an_uploaded_list_cannot_travel_and_the_link_says_so(server, new_page, tmp_path):
    path = tmp_path / "class.txt"
    path.write_text("ada\ngrace\nalan\n", encoding="utf-8")
    a = new_page()
    open_view(a, server.url, "/", page_title("app.py"))
    sidebar = a.get_by_test_id("stSidebar")
    sidebar.get_by_text("Upload your own list").click()
    a.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    wait_text(a, lambda: sidebar_caption(a), lambda t: t.startswith("3 words"), "the upload in use")
    wait_idle(a)

    link = shared_link(a)
    assert "list=" not in link, link  # the link leaves the upload out
    assert sidebar.get_by_text(re.compile("uploaded list cannot travel in a link")).count() >= 1
    assert query(a.url).get("list") == "upload", a.url  # the address bar marks it, so a copy of it can explain itself

    b = new_page()
    open_view(b, "", a.url, page_title("app.py"), timing="/ (from a link)")
    notice = b.get_by_test_id("stMain").get_by_test_id("stAlert").filter(has_text="cannot travel in a link")
    assert notice.count() == 1, b.get_by_test_id("stMain").inner_text()[:500]
    assert sidebar_caption(b).startswith("29,910 words")  # the default list instead
