"""Figure builders: the right shape, labels and values, checked without a browser."""

import math

import torch

from bigram import CountModel
from ui import figures

WORDS = ["emma", "olivia", "ava", "isabella", "sophia"]


def model():
    return CountModel.from_words(WORDS)


def test_top_symbols_keeps_the_boundary_and_the_most_frequent():
    N = torch.zeros((100, 100), dtype=torch.int64)
    N[5, 6] = 50
    N[7, 8] = 40
    N[9, 10] = 1
    ids = figures.top_symbols(N, limit=5)
    assert ids == [0, 5, 6, 7, 8]
    assert figures.top_symbols(torch.zeros((3, 3)), limit=5) == [0, 1, 2]


def test_row_distribution_with_comparison():
    m = model()
    fig = figures.row_distribution(
        m.probabilities(0)[0], m.vocab.itos, ".", compare=m.probabilities(5)[0], names=("k=0", "k=5")
    )
    assert [t.name for t in fig.data] == ["k=0", "k=5"]
    assert math.isclose(sum(fig.data[0].y), 1.0, rel_tol=1e-6) and math.isclose(sum(fig.data[1].y), 1.0, rel_tol=1e-6)


def test_sums_and_top_bigrams():
    m = model()
    fig = figures.sums_comparison(m.N.sum(1), m.N.sum(0), m.vocab.itos)
    assert list(fig.data[0].y) == list(fig.data[1].y)
    top = figures.top_bigrams_bar(m.top_bigrams(3))
    assert list(top.data[0].y)[-1] == m.top_bigrams(3)[0][0]  # most frequent at the top


def test_nll_vs_smoothing_log_axis_and_marker():
    pts = [(0.0, math.inf), (0.01, 2.0), (1.0, 2.1), (100.0, 2.9)]
    fig = figures.nll_vs_smoothing(pts, current=(1.0, 2.1))
    line, marker = fig.data
    assert list(line.x) == [-2.0, 0.0, 2.0]  # the infinite point is left out
    assert list(marker.x) == [0.0] and list(marker.y) == [2.1]


def test_histogram_symbols_difference_and_draws():
    h = figures.histogram([3, 4, 4, 6], title="t", xlabel="len")
    assert list(h.data[0].x) == [3, 4, 6] and list(h.data[0].y) == [1, 2, 1]
    draws = figures.draws_vs_probabilities(["a", "b"], torch.tensor([0.25, 0.75]), torch.tensor([30, 70]), 100)
    assert list(draws.data[0].y) == [0.3, 0.7] and list(draws.data[1].y) == [0.25, 0.75]


def test_loss_charts_carry_their_baselines_and_a_replay_mark():
    from bigram.neural import Baselines

    b = Baselines(uniform=3.2958, optimum=2.454, initial=3.7641)
    fig = figures.training_curve([3.76, 3.0, 2.6], target=b.optimum, baselines=b, mark=1)
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert "uniform model, ln V: 3.2958" in notes and "random W at the start: 3.7641" in notes and "2.4540" in notes
    ringed = [t for t in fig.data if t.name == "step 1"]
    assert len(ringed) == 1 and list(ringed[0].y) == [3.0]
    curve = figures.nll_against_k([(0.0, 2.45), (1.0, 2.46)], uniform=3.2958)
    assert any(t.name == "uniform model, ln V = 3.2958" and list(t.y) == [3.2958, 3.2958] for t in curve.data)
    assert [a.text for a in curve.layout.annotations] == ["uniform model, ln V = 3.2958"]


def test_a_draw_step_marks_the_symbol_that_came_out():
    fig = figures.draw_step(torch.tensor([0.5, 0.25, 0.25]), [".", "a", "<b>"], 2, title="draw 1")
    bar = fig.data[0]
    assert list(bar.marker.color) == [figures.BLUE, figures.BLUE, figures.ORANGE]
    assert list(bar.x) == [".", "a", "&lt;b&gt;"]  # a symbol is text, never a tag
