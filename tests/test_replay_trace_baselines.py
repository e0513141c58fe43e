"""Step-through sampling, training snapshots and the loss baselines, against the lecture's plain way."""

import math

import pytest
import torch

from bigram import CountModel, lecture
from bigram.neural import Trainer, TrainingData, baselines
from bigram.replay import Snapshots, snapshot_limit
from bigram.sampling import sample, trace

WORDS = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper"]
SEED = 2147483647


@pytest.fixture(scope="module")
def model():
    return CountModel.from_words(WORDS)


@pytest.mark.parametrize("seed", [SEED, 0, 42])
def test_a_traced_word_is_the_first_word_the_sampler_and_the_lecture_draw(model, seed):
    P = model.probabilities(1.0)
    steps = trace(P, model.vocab, seed=seed)
    first = sample(P, model.vocab, 1, seed=seed)[0]
    stoi, itos = lecture.vocabulary(WORDS)
    assert (
        steps[-1].word
        == first.word
        == lecture.sample(lecture.probabilities(lecture.count_matrix(WORDS, stoi), 1), itos, n=1, seed=seed)[0]
    )
    assert steps[0].previous == 0 and (steps[-1].drawn == 0 or len(steps) == 30)  # starts and ends at the boundary
    for before, after in zip(steps, steps[1:]):
        assert after.previous == before.drawn  # each draw uses the row of the symbol just drawn
    for s in steps:
        row = P[s.previous].double()
        torch.testing.assert_close(s.probs, row / row.sum())


def test_snapshots_stay_bounded_and_evenly_spaced_however_long_the_run():
    snaps = Snapshots(limit=16)
    for step in range(5001):
        snaps.offer(step, torch.full((2, 2), float(step)))
    assert 8 <= len(snaps) <= 16
    gaps = {b - a for a, b in zip(snaps.steps, snaps.steps[1:])}
    assert len(gaps) == 1 and snaps.steps[0] == 0  # one stride from step 0
    step, W = snaps.at(4000)
    assert step <= 4000 < step + gaps.pop() and float(W[0, 0]) == step  # the W offered at that step


def test_the_snapshot_budget_shrinks_with_the_vocabulary():
    assert snapshot_limit(27, 27) == 64
    assert snapshot_limit(3000, 3000) == 0  # one W of 36 MB is over the 16 MB budget: no replay, and it says so
    assert Snapshots(limit=0).steps == [] and (Snapshots(limit=0).offer(0, torch.zeros(1)) is None)


def test_baselines_are_ln_v_the_counting_optimum_and_the_random_start(model):
    data = TrainingData.from_words(WORDS, model.vocab)
    b = baselines(data, seed=SEED)
    stoi, _ = lecture.vocabulary(WORDS)
    N = lecture.count_matrix(WORDS, stoi)
    xs, ys = lecture.training_set(WORDS, stoi)
    assert b.uniform == math.log(len(stoi))
    assert b.optimum == pytest.approx(lecture.nll(WORDS, lecture.probabilities(N, 0, torch.float64), stoi), abs=1e-12)
    start = lecture.loss(lecture.init_weights(len(stoi), seed=SEED, dtype=torch.float64), xs, ys, reg=0.0).item()
    assert b.initial == pytest.approx(start, abs=1e-5)
    assert Trainer(data, seed=SEED, reg=0.0).run(0).nll == pytest.approx(b.initial, abs=1e-6)
