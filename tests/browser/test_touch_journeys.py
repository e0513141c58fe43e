"""Touch, don't just read, as a person does it: pick on one page and read on another, step a word to its end, scrub
a finished run, read the baselines on the loss chart.

Every expected number comes from ``bigram.lecture`` (the lecture's own code, float64 where it sums), not from the
app's functions.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch
from browserutil import open_view, page_title, screenshot
from journeys import go, main, number, press, query, select, settle, shown
from test_touch import cell_centre, click_cell

from bigram import lecture
from bigram.defaults import LECTURE_K, NET_SEED, SAMPLE_SEED

pytestmark = pytest.mark.browser
WORDS = (Path(__file__).resolve().parents[2] / "data" / "names.txt").read_text().split()
STOI, ITOS = lecture.vocabulary(WORDS)
N = lecture.count_matrix(WORDS, STOI)


def test_a_cell_picked_on_smoothing_is_read_on_counts(server, page):
    open_view(page, server.url, "/Smoothing", page_title("pages/3_Smoothing.py"))
    e, m = STOI["e"], STOI["m"]
    chart = main(page).get_by_test_id("stEChartsChart").nth(1)  # the second grid: P at the link's k
    page.mouse.move(*cell_centre(page, 1, e, m, 27))  # hover first: the formula, filled in
    P = lecture.probabilities(N, k=LECTURE_K, dtype=torch.float64)
    row_sum = int(N[e].sum())
    filled = f"= ({int(N[e, m]):,} + {LECTURE_K:g}) / ({row_sum:,} + 27·{LECTURE_K:g}) = {float(P[e, m]):.4f}"
    hover = chart.get_by_text("click to pick")  # ECharts' tooltip: a div inside the chart
    hover.wait_for()
    said = chart.inner_text()
    assert "p(m | e) = (N + k) / (row sum + V·k)" in said and filled in said
    click_cell(page, 1, e, m, 27)
    assert query(page).get("pick") == f"{STOI['e']},{STOI['m']}"

    go(page, "Counts", "pages/2_Counts.py")
    text = main(page).inner_text()
    assert "The bigram" in text and f"{int(N[e, m]):,}" in text and f"{row_sum:,}" in text
    assert f"{float(P[e, m]):.4f}" in text  # P at the shared k, the formula filled in
    assert main(page).get_by_role("combobox", name="Previous symbol of the bigram").input_value() == "'e'"
    assert main(page).get_by_role("combobox", name="Next symbol of the bigram").input_value() == "'m'"
    screenshot(page, "touch-pick-read-on-Counts")


def test_stepping_a_word_to_its_end(server, page):
    open_view(page, server.url, "/Sample", page_title("pages/5_Sample.py"))
    P = lecture.probabilities(N, k=LECTURE_K)
    word = lecture.sample(P, ITOS, 1, SAMPLE_SEED, max_len=30)[0]  # the lecture's loop: the same first word
    step = main(page).get_by_role("button", name="Step", exact=True)
    draws = 0
    while step.is_enabled():
        step.click()
        settle(page)
        draws += 1
        assert draws <= 31, "the step-through did not end"
    text = main(page).inner_text()
    assert draws == len(word) + 1  # one draw per symbol, and the last draws the boundary
    assert f"Draw {draws} of {draws}." in text and "the boundary: the word ends" in text
    assert f"The word so far: {word}." in text
    assert "The same calls as the sequential sampler" in text
    screenshot(page, "touch-step-to-the-end")

    press(page, "Reset")
    assert "press Step to draw its first symbol" in main(page).inner_text()


def _train(page, server) -> None:
    open_view(page, server.url, "/Neural_net", page_title("pages/4_Neural_net.py"))
    press(page, "Train")
    assert "Loss (NLL + reg)" in main(page).inner_text()


def test_scrubbing_a_finished_run(server, page):
    _train(page, server)
    main(page).get_by_text("Replay the run").click()
    settle(page)
    slider = main(page).get_by_role("slider", name="Step of the run")
    assert "softmax(W) after 100 steps" in shown(page)  # a finished run opens on its last step
    slider.focus()
    page.keyboard.press("Home")
    settle(page)
    assert "softmax(W) after 0 steps" in shown(page)
    page.keyboard.press("ArrowRight")
    settle(page)
    after = shown(page)
    assert "softmax(W) after 0 steps" not in after and "steps" in after
    page.keyboard.press("End")
    settle(page)
    assert "softmax(W) after 100 steps" in shown(page)
    screenshot(page, "touch-replay-scrubbed")


def _labelled(labels: list[str], name: str) -> float:
    """The number after "name: " in the chart's annotations."""
    found = [float(t.split(": ")[-1]) for t in labels if t.startswith(name + ": ")]
    assert len(found) == 1, (name, labels)
    return found[0]


def test_the_loss_chart_shows_its_baselines(server, page):
    _train(page, server)
    xs, ys = lecture.training_set(WORDS, STOI)
    W = lecture.init_weights(len(ITOS), NET_SEED, dtype=torch.float64)
    start = float(lecture.loss(W.detach(), xs, ys, reg=0.0))  # the seed's W, before any step
    optimum = lecture.counts_nll(N.double(), lecture.probabilities(N, k=0, dtype=torch.float64))
    curve = main(page).get_by_test_id("stPlotlyChart").first
    labels = curve.locator(".annotation-text").evaluate_all("els => els.map(e => e.textContent)")  # svg: no innerText
    assert _labelled(labels, "uniform model, ln V") == pytest.approx(math.log(27), abs=6e-5)  # 3.2958
    assert _labelled(labels, "random W at the start") == pytest.approx(start, abs=6e-5)
    assert _labelled(labels, "counting model NLL (k = 0)") == pytest.approx(optimum, abs=6e-5)


def test_predict_then_see(server, page):
    """Guess first, then the answer and how far off the guess was; on another page, a number guessed."""
    open_view(page, server.url, "/Counts", page_title("pages/2_Counts.py"))
    last = ITOS[int(N[1:, 0].argmax()) + 1]  # the most common last letter: the largest count in column '.'
    wrong = "b" if last != "b" else "c"  # near the top of the list: the options further down are drawn on scroll
    select(page, "Your guess", repr(wrong))
    press(page, "Reveal")
    text = main(page).inner_text()
    assert f"The answer: {last!r}" in text and f"Not quite: you said {wrong!r}." in text
    assert main(page).get_by_role("button", name="Reveal", exact=True).count() == 0

    go(page, "Smoothing", "pages/3_Smoothing.py")
    P = lecture.probabilities(N, k=1000, dtype=torch.float64)
    answer = lecture.counts_nll(N.double(), P)
    number(page, "Your guess", 3.0)
    press(page, "Reveal")
    off = 3.0 - answer
    said = f"You said 3.0000: {'too high' if off > 0 else 'too low'} by {abs(off):.4f}."
    assert f"The answer: {answer:.4f}" in main(page).inner_text() and said in main(page).inner_text()

    go(page, "Counts", "pages/2_Counts.py")  # the revealed card stays revealed
    assert f"Not quite: you said {wrong!r}." in main(page).inner_text()
