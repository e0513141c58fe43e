"""The Smoothing page through AppTest: the k slider, the word scorer, the keepdim pitfall, no recomputing on reruns."""

import pytest
import torch
from apputil import ROOT, open_page, shown

from bigram import CountModel, lecture
from bigram.builtin import default_list
from bigram.wordlist import read_words
from ui import cache, state

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


def test_page_renders_with_every_part(default_words, lecture_counts):
    at = open_page(PAGE)
    assert not at.exception and not at.error, [shown(e.value) for e in at.error]
    assert at.title[0].value.startswith("Smoothing")
    m = metrics(at)
    # The independent values: the lecture's NLL loop over every bigram of the list, its P counted by the
    # lecture's N[ix1, ix2] += 1, summed in float64 (2.4541 at k = 0 and 2.4547 at k = 1 on names.txt).
    stoi, _, N = lecture_counts
    for k in (0, 1):
        expected = lecture.nll(default_words, lecture.probabilities(N, k, dtype=torch.float64), stoi)
        assert m[f"NLL at k = {k}"] == f"{expected:.4f}"
    assert m["Impossible bigrams at k = 1"] == "0"
    assert len(at.get("echarts_chart")) == 2  # the two clickable heatmaps
    assert len(at.get("plotly_chart")) == 3  # one row, the NLL curve, the keepdim sums
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
    code = next(c.value for c in at.code if "keepdim=True)" in c.value and "shape" in c.value)
    assert "(27, 27) / (27,)" in code and "(27, 27) / (27, 1)" in code
    assert "P = (N + 1).float()" in code
    captions = " ".join(c.value for c in at.caption)
    assert "its columns sum to 1 within" in captions


def test_slider_steps_to_values_seen_before_compute_nothing():
    """A slider step back to a value already seen is served from the shared caches: no computation runs again.

    What keeps a rerun fast is that nothing heavy is recomputed, and that is what this counts (cache
    misses), not seconds, which depend on how busy the machine is.
    """
    at = open_page(PAGE)
    values = [0.0, 0.01, 0.1, 0.5, 1.0, 2.0, 10.0, 100.0, 1000.0, 0.3, 3.0]
    for v in values:  # every value once: each computes its P, log P, score, curve point and keepdim demo
        at.select_slider(key="k").set_value(v).run()
        assert not at.exception
    misses = {name: c.misses for name, c in cache.caches().items()}
    for v in values:
        at.select_slider(key="k").set_value(v).run()
        assert not at.exception
    assert {name: c.misses for name, c in cache.caches().items()} == misses


def test_a_picked_bigram_from_a_link_fills_in_its_formula():
    """``?pick=1,14`` is (a, n) on the default list; the counts are the lecture's own (a is followed by n 5,090 times
    in names.txt, lecture.count_dict agrees; computed here from the oracle, not typed in)."""
    from bigram import lecture

    words = open(ROOT / "data" / "names.txt", encoding="utf-8").read().split()
    counts = lecture.count_dict(words)
    row_sum = sum(n for (a, _), n in counts.items() if a == "a")
    at = open_page(PAGE, query={"pick": "1,14"})
    assert not at.exception
    shown_text = " ".join(m.value for m in at.markdown)
    assert "The bigram `an`" in shown_text and "**an**" in shown_text  # the pair, and words with it marked
    formula = next(x.value for x in at.latex if "P[1,14]" in x.value)
    assert f"{{{counts[('a', 'n')]} + 1}}{{{row_sum} + 27" in formula
    assert at.session_state[state.SMOOTH_ROW] == 1  # the row chart follows the pick
    assert at.query_params["pick"] == "1,14"  # and the link carries it


def test_a_pick_that_does_not_fit_the_list_is_ignored():
    at = open_page(PAGE, query={"pick": "900,3"})
    assert not at.exception
    assert any("Pick a bigram" in m.value for m in at.markdown)


def test_predict_then_see_reveals_the_answer_and_how_far_off_the_guess_was():
    from bigram.counting import smoothed_nll

    at = open_page(PAGE)
    words = open(ROOT / "data" / "names.txt", encoding="utf-8").read().split()
    answer = smoothed_nll(CountModel.from_words(words).N, 1000.0)  # the package's own, independent of the page
    assert not any("The answer" in m.value for m in at.markdown)  # nothing given away before the guess
    at.number_input(key=state.predict_key("nll_k1000", "guess")).set_value(3.0).run()
    at.button(key=state.predict_key("nll_k1000", "go")).click().run()
    said = next(m.value for m in at.markdown if "The answer" in m.value)
    verdict = f"too high by {3.0 - answer:.4f}" if answer < 3.0 else f"too low by {answer - 3.0:.4f}"
    assert f"{answer:.4f}".replace(".", "\\.") in said and verdict in said
