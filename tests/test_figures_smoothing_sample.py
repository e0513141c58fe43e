"""The Smoothing and Sample pages' figure builders and helpers, checked without a browser."""

import math

import plotly.io as pio
import pytest
import torch

from bigram import BigramError, CountModel, score_word
from bigram.neural import net_log_probabilities, net_probabilities
from bigram.sampling import Sample, draw, draw_and_count, log_probability, sample
from bigram.wordlist import clean_typed_word, clean_word
from ui import figures, state

WORDS = ["emma", "olivia", "ava", "isabella", "sophia"]


def model():
    return CountModel.from_words(WORDS)


# --- figures -------------------------------------------------------------------------------


def test_keepdim_sums_bars_and_markers():
    rows, cols = torch.tensor([0.5, 2.0, 1.5]), torch.tensor([1.0, 1.0, 1.0])
    fig = figures.keepdim_sums(rows, cols, [".", "a", "b"])
    bars, markers = fig.data
    assert bars.type == "bar" and list(bars.y) == [0.5, 2.0, 1.5]
    assert markers.mode == "markers" and list(markers.y) == [1.0, 1.0, 1.0]
    assert list(bars.x) == [".", "a", "b"]
    assert fig.layout.shapes[0].y0 == 1 and fig.layout.shapes[0].y1 == 1  # the line a probability row should sum to


def test_before_after_bars():
    fig = figures.before_after_bars(
        torch.tensor([0.0, 1.0]), torch.tensor([0.25, 0.75]), ["a", "b"], "q", names=("k = 0", "k = 1"), title="t"
    )
    before, after = fig.data
    assert (before.name, after.name) == ("k = 0", "k = 1")
    assert list(before.y) == [0.0, 1.0] and list(after.y) == [0.25, 0.75]
    assert fig.layout.barmode == "group" and fig.layout.title.text == "t"
    assert "p(%{x} | q)" in before.hovertemplate


def test_nll_against_k_log_axis_and_star():
    pts = [(0.0, 2.0), (0.001, math.inf), (1.0, 2.1), (100.0, 2.9)]
    fig = figures.nll_against_k(pts, current=(10.0, 2.5))
    line, star = fig.data
    assert list(line.x) == [-4.0, 0.0, 2.0] and list(line.y) == [2.0, 2.1, 2.9]  # the infinite point is left out
    assert list(star.x) == [1.0] and list(star.y) == [2.5] and star.name == "current k = 10"
    assert list(fig.layout.xaxis.ticktext)[0] == "0"
    # An infinite current value (k = 0 with an unseen bigram) draws no star rather than failing.
    assert len(figures.nll_against_k(pts, current=(0.0, math.inf)).data) == 1


def test_fast_builders_do_not_use_the_large_template():
    # Redrawn at every slider step: the plotly_white template alone costs ~20 ms a figure.
    for fig in (
        figures.keepdim_sums(torch.ones(3), torch.ones(3), list("abc")),
        figures.before_after_bars(torch.ones(2), torch.ones(2), list("ab"), "a"),
        figures.nll_against_k([(0.0, 2.0)]),
    ):
        assert fig.layout.template != pio.templates["plotly_white"]


# --- sampling helpers ----------------------------------------------------------------------


def test_draw_is_torch_multinomial_with_a_seeded_generator():
    p = torch.tensor([0.1, 0.0, 0.6, 0.3])
    g = torch.Generator().manual_seed(42)
    expected = torch.multinomial(p, num_samples=500, replacement=True, generator=g)
    assert torch.equal(draw(p, 500, seed=42), expected)
    assert torch.equal(draw(p, 500, seed=42), draw(p, 500, seed=42))
    assert not torch.equal(draw(p, 500, seed=1), draw(p, 500, seed=2))


def test_draw_and_count_add_up_and_approach_p():
    p = torch.tensor([0.1, 0.0, 0.6, 0.3])
    drawn, counts = draw_and_count(p, 100_000, seed=7)
    assert torch.equal(drawn, draw(p, 100_000, seed=7)) and torch.equal(counts, torch.bincount(drawn, minlength=4))
    assert counts.shape == (4,) and int(counts.sum()) == 100_000
    assert int(counts[1]) == 0  # probability 0 is never drawn
    assert torch.allclose(counts.double() / 100_000, p.double(), atol=0.01)


@pytest.mark.parametrize(
    "p, n",
    [
        (torch.tensor([0.0, 0.0]), 5),
        (torch.tensor([0.5, -0.1]), 5),
        (torch.tensor([[0.5, 0.5]]), 5),
        (torch.tensor([0.5, 0.5]), 0),
    ],
)
def test_draw_refuses_bad_input_in_one_line(p, n):
    with pytest.raises(BigramError):
        draw(p, n)


def test_log_probability_of_samples_matches_score_word():
    m = model()
    logP = m.log_probabilities(1.0)
    for s in sample(m.probabilities(1.0), m.vocab, 30, seed=3):
        if not s.truncated and s.word:  # score_word refuses the empty word; log_probability gives it log p(. | .)
            assert math.isclose(
                log_probability(s, logP), score_word(s.word, logP, m.vocab).log_likelihood, rel_tol=1e-12
            )


def test_log_probability_of_a_truncated_sample_scores_only_what_was_drawn():
    m = model()
    logP = m.log_probabilities(1.0)
    e, m_ = m.vocab.stoi["e"], m.vocab.stoi["m"]
    s = Sample("em", [e, m_], truncated=True)
    assert math.isclose(log_probability(s, logP), float(logP[0, e] + logP[e, m_]))
    done = Sample("em", [e, m_], truncated=False)
    assert math.isclose(log_probability(done, logP), float(logP[0, e] + logP[e, m_] + logP[m_, 0]))


def test_net_log_probabilities_are_exact_logs_of_softmax():
    W = torch.randn(5, 5, generator=torch.Generator().manual_seed(0), requires_grad=True)
    logP = net_log_probabilities(W)
    assert logP.dtype == torch.float64 and not logP.requires_grad
    assert torch.allclose(logP.exp().sum(1), torch.ones(5, dtype=torch.float64))
    assert torch.allclose(logP.exp().float(), net_probabilities(W), atol=1e-6)


# --- word cleaning and state helpers -------------------------------------------------------


def test_clean_word_is_the_lists_cleaning():
    assert clean_word("  Emma ") == "emma"
    assert clean_word("Zoe\u0308") == "zo\u00eb"  # combining diaeresis composed (NFC)
    assert clean_word("Emma", lowercase=False) == "Emma"
    assert clean_typed_word("  EMMA ", "aem") == "emma"  # a list without capitals: lowercased
    assert clean_typed_word("  EMMA ", "AEMaem") == "EMMA"  # a list with capitals was read with its case kept


def test_slider_steps_keep_a_value_from_a_link():
    assert state.steps_with(state.K_STEPS, 1.0) == list(state.K_STEPS)
    with_odd = state.steps_with(state.K_STEPS, 0.25)
    assert 0.25 in with_odd and with_odd == sorted(with_odd) and len(with_odd) == len(state.K_STEPS) + 1
    assert state.K_STEPS[0] == 0.0 and state.K_STEPS[-1] == state.SMOOTHING_MAX
    assert 1.0 in state.TEMPERATURE_STEPS
