"""Journeys: what people do, in the order they do it, in a real browser, each step checked on screen.

A feature test proves a part works; these prove the product does. The first journey is the most
used one: a person uploads their own list on whatever page they are on, then touches every kind of
widget on that page, switches pages and comes back. Their list must stay the one in use, the address
bar must say so, and training and sampling must use it.
"""

from __future__ import annotations

import pytest
from browserutil import metric, open_view, page_title, screenshot, sidebar_caption
from journeys import choose, go, number, press, query, select_next, settle, slide, text, upload, wait_caption

from bigram import CountModel
from bigram.counting import score_counts

pytestmark = pytest.mark.browser

OWN_WORDS = ["emma", "olivia", "ava", "isabella", "sophia"]
# bigrams: sum of (length + 1) = 5 + 7 + 4 + 9 + 7; symbols: a b e h i l m o p s v and the boundary
OWN_CAPTION = "5 words · 32 bigrams · 12 symbols"
OWN_SYMBOLS = set("".join(OWN_WORDS))
MODEL_TAB = "Keep and share a model"


def own_list_k0_nll() -> str:
    """The counting model's NLL of the upload at k = 0, as the Neural net page prints it (4 decimals)."""
    model = CountModel.from_words(OWN_WORDS)
    return f"{score_counts(model.N, model.log_probabilities(0.0), model.vocab, model.words).nll:.4f}"


def still_mine(page) -> None:
    """The upload is the list in use, and the address bar says so."""
    assert sidebar_caption(page) == OWN_CAPTION, sidebar_caption(page)
    assert query(page).get("list") == "upload", page.url


def touch_home(page):
    box = page.get_by_test_id("stMain").get_by_role("combobox", name="Word from the list")
    assert box.input_value() == "isabella"  # the page's default word, found in the upload
    select_next(page, "Word from the list")
    still_mine(page)
    assert box.input_value() == "sophia"  # the word after it in the upload: the upload's words are offered


def touch_data(page):
    still_mine(page)
    assert metric(page, "Words") == "5"


def touch_counts(page):
    choose(page, "probabilities")
    still_mine(page)
    select_next(page, "Previous symbol")
    still_mine(page)


def touch_smoothing(page):
    slide(page, "Smoothing k: fake counts added to every cell of N")
    still_mine(page)
    number(page, "Exact k", 3)
    still_mine(page)
    select_next(page, "Previous symbol")
    still_mine(page)
    text(page, "Word", "sophia")
    still_mine(page)


def touch_neural_net(page):
    number(page, "Steps", 50)
    still_mine(page)
    choose(page, "Adam")
    still_mine(page)
    choose(page, "SGD (the lecture's)")
    still_mine(page)
    press(page, "Train")
    still_mine(page)
    assert metric(page, "Steps") == "50"
    # The net trained on the upload: its target is the upload's own k = 0 NLL, not the default list's.
    assert metric(page, "Counting model NLL, k = 0") == own_list_k0_nll()


def touch_sample(page):
    number(page, "Seed", 7)
    still_mine(page)
    number(page, "How many words", 5)
    still_mine(page)
    choose(page, "Batched")
    still_mine(page)
    press(page, "As in the lecture")
    still_mine(page)
    table = page.get_by_test_id("stMain").get_by_test_id("stDataFrame").first
    table.locator('[data-testid="glide-cell-1-0"]').wait_for(state="attached")
    drawn = table.locator('[data-testid^="glide-cell-1-"]').all_inner_texts()
    assert drawn and set("".join(drawn)) <= OWN_SYMBOLS, drawn  # drawn from the upload's model, not the names'


def touch_contexts(page):
    choose(page, "single")
    still_mine(page)
    number(page, "Split seed", 3)
    still_mine(page)


def touch_exercises(page):
    select_next(page, "Compare with")
    still_mine(page)
    page.get_by_test_id("stMain").get_by_role("tab", name=MODEL_TAB).click()
    choose(page, "csv")
    still_mine(page)


JOURNEYS = [
    ("Home", "app.py", "/", touch_home),
    ("Data", "pages/1_Data.py", "/Data", touch_data),
    ("Counts", "pages/2_Counts.py", "/Counts", touch_counts),
    ("Smoothing", "pages/3_Smoothing.py", "/Smoothing", touch_smoothing),
    ("Neural net", "pages/4_Neural_net.py", "/Neural_net", touch_neural_net),
    ("Sample", "pages/5_Sample.py", "/Sample", touch_sample),
    ("Longer contexts", "pages/6_Contexts.py", "/Contexts", touch_contexts),
    ("More exercises", "pages/7_Exercises.py", "/Exercises", touch_exercises),
]


@pytest.mark.parametrize("label,file,path,touch", JOURNEYS, ids=[j[0] for j in JOURNEYS])
def test_own_list_stays_in_use_through_every_widget_and_page_switch(server, page, tmp_path, label, file, path, touch):
    own = tmp_path / "mine.txt"
    own.write_text("\n".join(OWN_WORDS) + "\n", encoding="utf-8")
    open_view(page, server.url, path, page_title(file))
    assert sidebar_caption(page).startswith("29,910 words")

    upload(page, own)
    wait_caption(page, "5 words")
    settle(page)
    still_mine(page)

    touch(page)
    screenshot(page, f"journey-own-list-{path.strip('/') or 'Home'}")

    # Switch to another page and come back: still the upload, everywhere.
    other = ("Sample", "pages/5_Sample.py") if label != "Sample" else ("Counts", "pages/2_Counts.py")
    go(page, *other)
    still_mine(page)
    go(page, label, file)
    still_mine(page)
