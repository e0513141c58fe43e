"""A public demo shows strangers' text: a file name, a list's words and symbols, a typed word, a model file's
metadata. Fed hostile text through every such place, the rendered page has no link, image or math made from it,
and the browser fetches nothing it names."""

from __future__ import annotations

import pytest
from browserutil import open_view, page_title, screenshot
from journeys import go, main, settle, text, upload, wait_caption

from bigram import CountModel
from bigram.modelfile import ModelFile, to_safetensors

pytestmark = pytest.mark.browser

EVIL = "evil.example"
LINK = f"[Click to verify your account](https://{EVIL}/login)"
IMAGE = f"![](https://{EVIL}/pixel.png)"
MATH = "$E=mc^2$"
# Words a real list can hold (product codes, handles) and words written to break Markdown, LaTeX and code spans.
WORDS = ["snake_case", "50%", "c#", "a`b", "x$y$z", "\u202eabc", "<b>bold</b>", "emma", f"www.{EVIL}", "a\\b{c}"]
FILE_NAME = f"{LINK} {IMAGE} {MATH} .txt"


def hostile_model() -> bytes:
    model = CountModel.from_words(["emma", "ava"])
    meta = {"note": f"{LINK} {IMAGE} {MATH}", f"{IMAGE}": "<script>alert(1)</script>"}
    return to_safetensors(ModelFile(kind="counts", tensor=model.N, vocab=model.vocab, meta=meta))


def nothing_made_from_it(page, requests: list[str]) -> None:
    for where in ("stMain", "stSidebar"):
        root = page.get_by_test_id(where)
        assert root.locator(f'a[href*="{EVIL}"]').count() == 0, f"a live link in {where}"
        assert root.locator(f'img[src*="{EVIL}"]').count() == 0, f"an image in {where}"
        assert root.locator("script").count() == 0
        assert root.locator("b").filter(has_text="bold").count() == 0, f"HTML from a word in {where}"
        # The pages' own formulas are math; nothing of the hostile text may be: $E=mc^2$ and x$y$z stay text.
        formulas = [f.replace("\n", "") for f in root.locator(".katex").all_inner_texts()]
        assert not [f for f in formulas if "mc" in f or f.strip() == "y"], f"math from user text in {where}: {formulas}"
    assert not [u for u in requests if EVIL in u], requests


def test_hostile_text_is_shown_as_plain_text_everywhere(server, page, tmp_path):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    own = tmp_path / "hostile.txt"
    own.write_text("\n".join(WORDS) + "\n", encoding="utf-8")

    open_view(page, server.url, "/Data", page_title("pages/1_Data.py"))
    upload(page, {"name": FILE_NAME, "mimeType": "text/plain", "buffer": own.read_bytes()})
    wait_caption(page, f"{len(WORDS)} words")
    settle(page)
    nothing_made_from_it(page, requests)
    assert "Click to verify your account" in main(page).inner_text()  # the name is shown, as text
    screenshot(page, "hostile-Data")

    go(page, "Home", "app.py")  # the chain rule of the first word, in LaTeX: math is the page's, the word is text
    nothing_made_from_it(page, requests)
    formula = main(page).locator(".katex").first.inner_text()
    assert "snake_case" in formula.replace("\n", ""), formula  # the underscore is a character, not a subscript

    go(page, "Smoothing", "pages/3_Smoothing.py")
    text(page, "Word", f"{IMAGE}")  # symbols outside the list: the error echoes the word
    nothing_made_from_it(page, requests)
    text(page, "Word", "snake_case")
    nothing_made_from_it(page, requests)

    go(page, "Sample", "pages/5_Sample.py")
    nothing_made_from_it(page, requests)

    go(page, "More exercises", "pages/7_Exercises.py")
    main(page).get_by_role("tab", name="Keep and share a model").click()
    model_input = main(page).get_by_test_id("stFileUploaderDropzoneInput")
    model_input.set_input_files(
        {"name": f"{LINK}.safetensors", "mimeType": "application/octet-stream", "buffer": hostile_model()}
    )
    main(page).get_by_text("Recorded with it").first.wait_for(timeout=60_000)
    settle(page)
    nothing_made_from_it(page, requests)
    screenshot(page, "hostile-Exercises")
