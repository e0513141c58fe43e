"""What a regulariser is worth in smoothing: both definitions, the fitting routine, the points a page shows."""

import math

import pytest
import torch

from bigram import CountModel, TrainingData, fit_weights, lecture, smoothed_nll
from bigram.defaults import EXCHANGE_REGS
from bigram.exchange import (
    Exchange,
    closest_smoothing,
    equivalent_smoothing,
    exchange_rates,
    one_row_as_reg_grows,
    uniform_nll,
    weakest_halfway_strongest,
)

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]
A = ["anna", "annie", "hanna", "ann", "nina"]
B = ["smith", "schmidt", "smythe", "thistle", "smiths"]


@pytest.fixture(scope="module")
def small():
    return CountModel.from_words(WORDS)


def test_closest_smoothing_recovers_k_from_a_smoothed_table():
    m = CountModel.from_words(A + B)
    # W = log of the k = 2 smoothed P: the closest smoothing must be (about) 2.
    W = m.log_probabilities(2.0).float()
    k, curve = closest_smoothing(m.N, W)
    assert 1.5 < k < 2.6
    assert min(d for _, d in curve) == pytest.approx(dict(curve)[k])


def test_equivalent_smoothing_inverts_the_smoothed_nll(small):
    N = small.N
    for k in (0.01, 0.5, 5.0, 300.0):
        assert equivalent_smoothing(N, smoothed_nll(N, k)) == pytest.approx(k, rel=1e-4)
    assert equivalent_smoothing(N, smoothed_nll(N, 0.0)) == 0.0
    assert equivalent_smoothing(N, smoothed_nll(N, 0.0) - 0.1) is None  # below the optimum: no smoothing gets there
    assert equivalent_smoothing(N, math.log(small.V) + 0.1) is None  # worse than uniform
    assert equivalent_smoothing(N, math.nan) is None


def test_fit_weights_reaches_the_optimum_without_regularisation():
    m = CountModel.from_words(A)
    W = fit_weights(m.N, 0.0, steps=1500)
    stoi, _ = lecture.vocabulary(A)
    optimum = lecture.nll(A, lecture.probabilities(lecture.count_matrix(A, stoi), 0, dtype=torch.float64), stoi)
    net = lecture.nll(A, W.double().softmax(1), stoi)
    assert optimum - 1e-9 <= net == pytest.approx(optimum, abs=5e-3)


def test_exchange_moves_from_the_counts_to_uniform_and_both_ks_grow(small):
    points = exchange_rates(small.N, (0.0, 0.01, 1.0, 100.0))
    nlls = [p.nll for p in points]
    assert nlls == sorted(nlls)  # a stronger pull towards uniform always costs fit on the list
    assert nlls[0] == pytest.approx(smoothed_nll(small.N, 0.0), abs=0.02)  # reg 0: the maximum-likelihood optimum
    assert points[-1].entropy == pytest.approx(math.log(small.V), abs=0.02)  # strong reg: nearly uniform rows
    assert all(p.loss >= p.nll for p in points)
    assert all(torch.allclose(p.P.sum(1), torch.ones(small.V)) for p in points)
    closest = [p.k_closest for p in points]
    same = [p.k_same_nll for p in points[1:]]
    assert closest == sorted(closest) and closest[-1] > closest[0]
    assert same == sorted(same) and same[-1] > same[0]
    for p in points[1:]:  # the same-NLL k is exactly that: its smoothing scores the list as the net does
        assert smoothed_nll(small.N, p.k_same_nll) == pytest.approx(p.nll, abs=1e-9)


def test_the_two_definitions_agree_roughly_on_the_default_list(default_words):
    # Same NLL on the list and the P nearest softmax(W) in KL: two questions, close answers (within ~15 %).
    m = CountModel.from_words(default_words)
    (point,) = exchange_rates(m.N, (0.1,))
    assert point.k_same_nll == pytest.approx(point.k_closest, rel=0.15)


def _point(reg, nll):
    return Exchange(reg, nll, nll, 0.0, torch.zeros(1), None, 0.0, 0.0)


@pytest.mark.parametrize("regs", [EXCHANGE_REGS, (0.0, 1.0, 100.0), (0.5, 0.001, 7.0, 2.0)])
def test_the_three_points_shown_do_not_depend_on_literal_strengths(regs):
    # NLL rising with reg, as it does; any grid, in any order, gives the ends and the point nearest halfway.
    points = [_point(r, 2.0 + math.log1p(r)) for r in regs]
    weakest, middle, strongest = weakest_halfway_strongest(points)
    assert weakest.reg == min(regs) and strongest.reg == max(regs)
    halfway = (weakest.nll + strongest.nll) / 2
    assert abs(middle.nll - halfway) == min(abs(p.nll - halfway) for p in points)


def test_the_net_s_data_term_is_the_lecture_loss_without_the_regulariser(small):
    (point,) = exchange_rates(small.N, (0.1,))
    stoi, _ = lecture.vocabulary(WORDS)
    net_nll = lecture.nll(WORDS, point.P.double(), stoi)
    assert point.nll == pytest.approx(net_nll, abs=1e-5)  # P is float32 softmax(W): agreement to float32 rounding
    assert TrainingData.from_counts(small.N).V == small.V


def test_one_row_as_reg_grows_and_the_smoothing_that_costs_as_much(small):
    points = exchange_rates(small.N, regs=(0.0, 0.1, 10.0), steps=150)
    x = 1
    grows = one_row_as_reg_grows(points, small.N, x)
    assert (grows.weakest, grows.halfway, grows.strongest) == weakest_halfway_strongest(points)
    for point, row in zip((grows.weakest, grows.halfway, grows.strongest), grows.rows):
        assert torch.equal(row, point.P[x])
    assert grows.k == float(f"{grows.halfway.k_same_nll:.3g}")  # rounded as the page prints it
    assert torch.equal(grows.smoothed, small.probabilities(grows.k)[x])
    # The stronger the pull, the closer the row is to uniform (its largest probability falls).
    assert float(grows.rows[0].max()) > float(grows.rows[1].max()) > float(grows.rows[2].max())
    no_k = [Exchange(**{**vars(p), "k_same_nll": None}) for p in points]
    assert one_row_as_reg_grows(no_k, small.N, x).smoothed is None


def test_uniform_rows_score_log_v(small):
    V = small.V
    assert uniform_nll(V) == pytest.approx(smoothed_nll(small.N, 1e9), abs=1e-6)  # endless smoothing: uniform rows
    assert uniform_nll(V) == math.log(V)
