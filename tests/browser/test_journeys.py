"""Journeys: what people do, in the order they do it, in a real browser, each step checked on screen.

A feature test proves a part works; these prove the product does. The first journey is the most
used one: a person uploads their own list on whatever page they are on, then touches every kind of
widget on that page, switches pages and comes back. Their list must stay the one in use, the address
bar must say so, and training and sampling must use it.
"""

from __future__ import annotations

import pytest
from browserutil import metric, open_view, page_title, screenshot, sidebar_caption, wait_text
from journeys import choose, go, main, number, press, query, select_next, settle, slide, text, upload, wait_caption

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


def shared_link(page) -> str:
    """Open "Link to this view" in the sidebar and read the link it offers."""
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_test_id("stExpander").filter(has_text="Link to this view")
    code = box.get_by_test_id("stCode")
    if not code.is_visible():
        box.get_by_text("Link to this view").click()
    return code.inner_text().strip()


def test_a_teachers_link_opens_the_same_view_and_copies_the_same_link(server, new_page):
    student = new_page()  # a fresh browser: nothing but the link
    open_view(student, server.url, "/Smoothing?list=surnames&k=2&seed=42", page_title("pages/3_Smoothing.py"))
    assert sidebar_caption(student).startswith("88,799 words")
    slider = student.get_by_role("slider", name="Smoothing k: fake counts added to every cell of N")
    assert slider.get_attribute("aria-valuetext") == "2"

    go(student, "Sample", "pages/5_Sample.py")
    assert student.get_by_test_id("stMain").get_by_label("Seed", exact=True).input_value() == "42"
    assert sidebar_caption(student).startswith("88,799 words")
    go(student, "Counts", "pages/2_Counts.py")
    go(student, "Smoothing", "pages/3_Smoothing.py")
    assert slider.get_attribute("aria-valuetext") == "2"
    link = shared_link(student)
    assert link.startswith(server.url + "/Smoothing?"), link
    assert query_of(link) == {"list": "surnames", "k": "2", "seed": "42"}


def query_of(url: str) -> dict[str, str]:
    from urllib.parse import parse_qs, urlparse

    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_someone_elses_model_file_scores_samples_and_downloads(server, new_page, tmp_path):
    author = new_page()
    open_view(author, server.url, "/Exercises?list=prenoms_fr", page_title("pages/7_Exercises.py"))
    main(author).get_by_role("tab", name=MODEL_TAB).click()
    with author.expect_download() as made:
        main(author).get_by_role("button", name="Download counts as .safetensors").click()
    path = tmp_path / "prenoms_counts.safetensors"
    made.value.save_as(path)

    reader = new_page()  # another person, on the default list
    open_view(reader, server.url, "/Exercises", page_title("pages/7_Exercises.py"))
    main(reader).get_by_role("tab", name=MODEL_TAB).click()
    main(reader).get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    main(reader).get_by_text("Loaded prenoms_counts.safetensors: counts").wait_for(timeout=60_000)
    settle(reader)
    assert "Samples from it" in main(reader).inner_text()
    text(reader, "Score a word under it", "émile")
    assert "NLL of émile" in main(reader).inner_text()  # é is a symbol of the French list: a finite score
    assert sidebar_caption(reader).startswith("29,910 words")  # loading a model leaves the list in use alone
    choose(reader, "csv")
    with reader.expect_download() as again:
        main(reader).get_by_role("button", name="Download counts as .csv").click()
    assert again.value.suggested_filename == "names_counts.csv"
    screenshot(reader, "journey-model-file")


def test_bad_input_is_refused_in_one_line_and_the_list_in_use_stays(server, page, tmp_path):
    open_view(page, server.url, "/?list=../../etc/passwd&k=-3", "Bigram Lab")
    notice = main(page).get_by_test_id("stAlert").filter(has_text="Ignored invalid link settings")
    assert notice.count() == 1
    assert "passwd" not in page.url and "k=-3" not in page.url  # the bad values do not travel on in links
    assert sidebar_caption(page).startswith("29,910 words")

    png = tmp_path / "photo.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    upload(page, png)
    refusal = page.get_by_test_id("stSidebar").get_by_text("photo.txt: this file is a PNG image")
    refusal.first.wait_for(timeout=30_000)
    settle(page)
    assert sidebar_caption(page).startswith("29,910 words")

    go(page, "More exercises", "pages/7_Exercises.py")
    main(page).get_by_role("tab", name=MODEL_TAB).click()
    main(page).get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        {"name": "broken.safetensors", "mimeType": "application/octet-stream", "buffer": b"\xff" * 64}
    )
    main(page).get_by_text("broken.safetensors: ").first.wait_for(timeout=30_000)
    settle(page)
    assert sidebar_caption(page).startswith("29,910 words")
    go(page, "Sample", "pages/5_Sample.py")  # the app goes on working
    assert sidebar_caption(page).startswith("29,910 words")


def test_a_long_run_interrupted_by_a_page_switch_keeps_its_net_and_trains_again(server, page):
    open_view(page, server.url, "/Neural_net", page_title("pages/4_Neural_net.py"))
    choose(page, "one-hot @ W")  # the slowest of the three ways to the loss
    number(page, "Steps", 5000)  # the most a press allows
    main(page).get_by_role("button", name="Train", exact=True).click()
    main(page).get_by_test_id("stProgress").first.wait_for(timeout=60_000)  # it is running
    go(page, "Sample", "pages/5_Sample.py")  # the person leaves mid-run
    go(page, "Neural net", "pages/4_Neural_net.py")
    steps_kept = int(metric(page, "Steps").replace(",", ""))
    assert 1 <= steps_kept < 5000  # the interrupted run kept what it reached
    assert "interrupted" in main(page).inner_text()

    main(page).get_by_role("button", name="Train", exact=True).first.click()
    # The whole press is bounded in time by the server: it ends at 5,000 steps or says where it stopped.
    said = wait_text(
        page,
        lambda: (main(page).inner_text(), metric(page, "Steps")),
        lambda seen: "This run stopped after" in seen[0] or seen[1] == "5,000",
        "the run to end or say where it stopped",
        timeout=180_000,
    )
    settle(page)
    steps = int(metric(page, "Steps").replace(",", ""))
    assert 1 <= steps <= 5000 and (steps == 5000 or "This run stopped after" in said[0])
    screenshot(page, "journey-long-run")


SECOND_WORDS = ["zed", "zara", "quinn", "xavi"]  # symbols: a d e i n q r u v x z and the boundary
SECOND_CAPTION = "4 words · 20 bigrams · 12 symbols"


def list_box(page):
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Word list", exact=True)


def test_a_second_upload_replaces_the_first_in_the_list_box_the_numbers_and_the_link(server, page, tmp_path):
    """Upload A, then B in the same session: the list box, the numbers after a slider step and a Train are B's.

    The picker once kept A's label after B came; the browser sent that stale label back on the next touch,
    which switched to the built-in list and put ``list=Your upload: a.txt`` in the link (docs/bad-input.md).
    """
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("\n".join(OWN_WORDS) + "\n", encoding="utf-8")
    second.write_text("\n".join(SECOND_WORDS) + "\n", encoding="utf-8")
    open_view(page, server.url, "/Smoothing", page_title("pages/3_Smoothing.py"))
    upload(page, first)
    wait_caption(page, "5 words")
    settle(page)
    upload(page, second)
    wait_caption(page, "4 words")
    settle(page)

    def still_second() -> None:
        assert sidebar_caption(page) == SECOND_CAPTION, sidebar_caption(page)
        assert query(page).get("list") == "upload", page.url
        assert list_box(page).input_value() == "Your upload: b.txt", list_box(page).input_value()

    still_second()
    slide(page, "Smoothing k: fake counts added to every cell of N")
    still_second()
    go(page, "Neural net", "pages/4_Neural_net.py")
    still_second()
    press(page, "Train")
    still_second()
    model = CountModel.from_words(SECOND_WORDS)
    nll = score_counts(model.N, model.log_probabilities(0.0), model.vocab, model.words).nll
    assert metric(page, "Counting model NLL, k = 0") == f"{nll:.4f}"  # the net trained on B
    assert "Your upload" not in page.url
