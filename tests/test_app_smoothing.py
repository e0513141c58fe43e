"""The Smoothing page through AppTest: the k slider, the word scorer, the keepdim pitfall, rerun speed."""

import statistics
import time

import pytest
from apputil import open_page, shown

from bigram import CountModel
from bigram.builtin import default_list
from bigram.wordlist import read_words

PAGE = "pages/3_Smoothing.py"


def metrics(at):
    return {shown(m.label): m.value for m in at.metric}


@pytest.fixture(scope="module")
def names_model():
    return CountModel.from_words(read_words(default_list().path).words)


def unseen_word(model):
    """A two-letter word whose middle bigram never occurs in the default list."""
    zero = (model.N[1:, 1:] == 0).nonzero()[0]
    return model.vocab.itos[int(zero[0]) + 1] + model.vocab.itos[int(zero[1]) + 1]


def test_page_renders_with_every_part():
    at = open_page(PAGE)
    assert not at.exception and not at.error, [shown(e.value) for e in at.error]
    assert at.title[0].value.startswith("Smoothing")
    m = metrics(at)
    assert m["NLL at k = 0"] == "2.4541" and m["NLL at k = 1"] == "2.4547"
    assert m["Impossible bigrams at k = 1"] == "0"
    assert len(at.get("plotly_chart")) == 5  # two heatmaps, one row, the NLL curve, the keepdim sums
    assert [s.value for s in at.subheader] == ["What smoothing does to P", "Score a word", "The keepdim pitfall"]


def test_moving_the_slider_changes_the_nll_shown():
    at = open_page(PAGE)
    at.select_slider(key="k").set_value(0.0).run()
    assert "NLL at k = 0" in metrics(at) and not at.exception
    at.select_slider(key="k").set_value(100.0).run()
    m = metrics(at)
    assert float(m["NLL at k = 100"]) > float(m["NLL at k = 0"]) + 0.05  # the list's own NLL rises with k
    assert at.session_state["k"] == 100.0
    assert at.query_params.get("k") == "100"  # the setting travels in the link


def test_exact_box_sets_k_between_the_stops():
    at = open_page(PAGE)
    at.number_input(key="k_exact").set_value(0.25).run()
    assert not at.exception
    assert at.session_state["k"] == 0.25
    assert at.select_slider(key="k").value == 0.25
    assert "NLL at k = 0.25" in metrics(at)


def test_k_from_a_link_that_is_not_a_stop_is_kept():
    at = open_page(PAGE, query={"k": "0.7"})
    assert not at.exception
    assert at.select_slider(key="k").value == 0.7
    assert "NLL at k = 0.7" in metrics(at)


def test_word_scorer_table_and_cleaning():
    at = open_page(PAGE)
    at.text_input(key="score_word").set_value("  EMMA ").run()
    m = metrics(at)
    assert "NLL of .emma. at k = 1" in m  # stripped and lowercased like the list
    table = at.dataframe[0].value
    assert list(table["bigram"]) == [".e", "em", "mm", "ma", "a."]
    assert (table["p(next | previous)"] > 0).all()
    assert abs(float(m["NLL of .emma. at k = 1"]) - (-table["log p"].mean())) < 1e-4


def test_unseen_bigram_at_k0_gives_inf_and_names_the_culprit(names_model):
    word = unseen_word(names_model)
    at = open_page(PAGE)
    at.select_slider(key="k").set_value(0.0)
    at.text_input(key="score_word").set_value(word).run()
    assert not at.exception
    assert metrics(at)[f"NLL of .{word}. at k = 0"] == "inf"
    errors = [shown(e.value) for e in at.error]
    assert len(errors) == 1 and f"**{word}**" in errors[0]
    # Any smoothing makes the same word possible.
    at.select_slider(key="k").set_value(0.01).run()
    assert metrics(at)[f"NLL of .{word}. at k = 0.01"] != "inf" and not at.error


def test_symbol_outside_the_vocabulary_is_one_line_error():
    at = open_page(PAGE)
    at.text_input(key="score_word").set_value("ab7").run()
    assert not at.exception
    assert [shown(e.value) for e in at.error] == ["'7' in 'ab7' is not in the vocabulary of this list"]


def test_keepdim_pitfall_shows_the_live_shapes():
    at = open_page(PAGE)
    code = at.code[0].value
    assert "(27, 27) / (27,)" in code and "(27, 27) / (27, 1)" in code
    assert "P = (N + 1).float()" in code
    captions = " ".join(c.value for c in at.caption)
    assert "its columns sum to 1 within" in captions


def test_slider_rerun_is_fast():
    """Server time of a slider step, measured as the brief measures it (AppTest, after a warm-up run).

    The target is 100 ms; the bound here is loose so that a busy test machine does not fail it,
    but a page that recomputes something heavy on every step would.
    """
    at = open_page(PAGE)
    values = [0.0, 0.01, 0.1, 0.5, 1.0, 2.0, 10.0, 100.0, 1000.0, 0.3, 3.0]
    for v in values:  # warm-up: every value once
        at.select_slider(key="k").set_value(v).run()
    times = []
    for v in values:
        start = time.perf_counter()
        at.select_slider(key="k").set_value(v).run()
        times.append(time.perf_counter() - start)
        assert not at.exception
    assert statistics.median(times) < 0.5, times
