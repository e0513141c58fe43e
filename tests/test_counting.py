"""Vocabulary, counts, smoothing and loss against the lecture's plain loops (bigram.lecture), in float64."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from bigram import (
    BigramError,
    CountModel,
    Vocab,
    evaluate,
    keepdim_demo,
    keepdim_pitfall,
    lecture,
    nll_curve,
    score_word,
    smoothed_log_probabilities,
    smoothed_nll,
    smoothed_probabilities,
    zero_cells,
)
from bigram.counting import row_and_column_sums, scientific

# The lecture's loops take a boundary token: one that is not a single character never collides with a symbol.
BOUNDARY = "<.>"
# Words over a small alphabet that includes '.', so the boundary relabelling is exercised too.
word_lists = st.lists(st.text(alphabet="abc.éz", min_size=1, max_size=8), min_size=1, max_size=30)


def test_vocab_boundary_is_id_zero_and_dot():
    v = Vocab.from_words(["emma", "ava"])
    assert v.itos[0] == "." and v.boundary == "."
    assert v.itos[1:] == ("a", "e", "m", "v")
    assert v.encode("ava") == [1, 4, 1] and v.decode([0, 1, 4, 1, 0]) == "ava"


def test_dot_in_data_gets_its_own_id_and_the_boundary_another_label():
    words = ["st.john", "j.r."]
    m = CountModel.from_words(words)
    v = m.vocab
    assert v.boundary != "." and "." in v.symbols
    dot = v.stoi["."]
    assert dot != 0
    assert int(m.N[0].sum()) == 2  # two words start
    assert int(m.N[dot, 0]) == 1  # 'j.r.' ends with a data dot, then the boundary
    assert int(m.N[v.stoi["t"], dot]) == 1


def test_unknown_symbol_is_a_clear_error():
    v = Vocab.from_words(["abc"])
    with pytest.raises(BigramError, match="'z' in 'zed' is not in the vocabulary"):
        v.encode("zed")
    with pytest.raises(BigramError, match="'z' in 'zed' is not in the vocabulary"):
        v.encode_words(["abc", "zed"])


@settings(max_examples=150, deadline=None)
@given(word_lists)
def test_counts_match_the_loop_and_identities_hold(words):
    m = CountModel.from_words(words)
    stoi, _ = lecture.vocabulary(words, BOUNDARY)
    assert [stoi[s] for s in m.vocab.symbols] == list(range(1, m.V))  # the lecture's ids are the package's
    assert m.N.dtype == torch.int64
    assert torch.equal(m.N, lecture.count_matrix(words, stoi, BOUNDARY).long())
    counts = lecture.count_dict(words, BOUNDARY)
    assert {m.vocab.pair_label(i, j): int(m.N[i, j]) for i, j in m.N.nonzero().tolist()} == {
        (m.vocab.boundary if a == BOUNDARY else a) + (m.vocab.boundary if b == BOUNDARY else b): c
        for (a, b), c in counts.items()
    }
    assert m.bigrams == sum(len(w) + 1 for w in words)
    assert torch.equal(m.N.sum(1), m.N.sum(0))  # each symbol is entered once and left once
    assert int(m.N[0].sum()) == int(m.N[:, 0].sum()) == len(words)


@settings(max_examples=100, deadline=None)
@given(word_lists, st.floats(min_value=0, max_value=50, allow_nan=False))
def test_smoothed_rows_sum_to_one_and_match_float64_reference(words, k):
    m = CountModel.from_words(words)
    P = smoothed_probabilities(m.N, k)
    logP = smoothed_log_probabilities(m.N, k)
    assert torch.allclose(P.sum(1).double(), torch.ones(m.V, dtype=torch.float64), atol=1e-5)
    assert torch.allclose(logP.exp().sum(1), torch.ones(m.V, dtype=torch.float64), atol=1e-12)
    stoi, _ = lecture.vocabulary(words, BOUNDARY)
    ref = lecture.probabilities(lecture.count_matrix(words, stoi, BOUNDARY), k, dtype=torch.float64)
    assert torch.allclose(logP.exp(), ref, rtol=1e-12, atol=1e-300)
    assert torch.allclose(P.double(), ref, rtol=1e-5, atol=1e-7)


def test_probabilities_match_the_lectures_float32_bits():
    words = ["emma", "olivia", "ava", "isabella", "sophia"]
    m = CountModel.from_words(words)
    stoi, _ = lecture.vocabulary(words)
    assert torch.equal(smoothed_probabilities(m.N, 1), lecture.probabilities(lecture.count_matrix(words, stoi), 1))


@settings(max_examples=60, deadline=None)
@given(word_lists, word_lists, st.sampled_from([0.0, 0.5, 1.0, 3.0]))
def test_nll_matches_the_float64_loop(train, other, k):
    m = CountModel.from_words(train)
    logP = m.log_probabilities(k)
    own = evaluate(train, logP, m.vocab)
    stoi, _ = lecture.vocabulary(train, BOUNDARY)
    P = lecture.probabilities(lecture.count_matrix(train, stoi, BOUNDARY), k, dtype=torch.float64)
    assert math.isclose(own.nll, lecture.nll(train, P, stoi, BOUNDARY), rel_tol=1e-12)
    assert math.isclose(own.nll, smoothed_nll(m.N, k), rel_tol=1e-12)
    assert own.bigrams == sum(len(w) + 1 for w in train)
    assert math.isclose(own.perplexity, math.exp(own.nll), rel_tol=1e-12)
    known = [w for w in other if set(w) <= set(m.vocab.symbols)]
    if known:
        score = evaluate(known, logP, m.vocab)
        expected = lecture.nll(known, P, stoi, BOUNDARY)
        if math.isinf(expected):
            assert math.isinf(score.nll) and score.impossible and k == 0
        else:
            assert math.isclose(score.nll, expected, rel_tol=1e-12)


def test_unseen_bigram_at_k0_is_infinite_and_named():
    m = CountModel.from_words(["abc", "ab"])
    score = evaluate(["ca", "ab"], m.log_probabilities(0), m.vocab)
    assert math.isinf(score.nll) and math.isinf(score.perplexity)
    assert {pair for pair, _ in score.impossible} == {".c", "ca", "a."}
    ws = score_word("ca", m.log_probabilities(0), m.vocab)
    assert math.isinf(ws.nll) and ws.culprit.bigram == ".c" and ws.culprit.prob == 0.0
    # Smoothing makes every bigram possible.
    assert math.isfinite(evaluate(["ca"], m.log_probabilities(1), m.vocab).nll)


def test_score_word_writes_out_the_chain_rule():
    words = ["emma", "emily", "ava"]
    m = CountModel.from_words(words)
    ws = score_word("emma", m.log_probabilities(1), m.vocab)
    assert [p.bigram for p in ws.pairs] == [".e", "em", "mm", "ma", "a."]
    stoi, _ = lecture.vocabulary(words)
    P = lecture.probabilities(lecture.count_matrix(words, stoi), 1, dtype=torch.float64)
    chs = [".", *"emma", "."]
    expected = [float(P[stoi[a], stoi[b]]) for a, b in zip(chs, chs[1:])]
    assert [p.prob for p in ws.pairs] == pytest.approx(expected, rel=1e-12)
    assert ws.nll == pytest.approx(lecture.nll(["emma"], P, stoi), rel=1e-12)
    mantissa, exponent = ws.probability()
    assert mantissa * 10.0**exponent == pytest.approx(math.prod(expected), rel=1e-3)


def test_a_long_word_s_probability_is_written_out_without_underflow():
    m = CountModel.from_words(["ab", "ba"])
    ws = score_word("ab" * 1000, m.log_probabilities(1), m.vocab)
    assert math.prod(p.prob for p in ws.pairs) == 0.0  # the product in floating point underflows
    mantissa, exponent = ws.probability()
    assert 1 <= mantissa < 10 and exponent < -308
    assert math.log10(mantissa) + exponent == pytest.approx(ws.log_likelihood / math.log(10), abs=1e-3)
    assert scientific(-math.inf) == (0.0, 0)  # an impossible word
    assert scientific(math.log(0.0099996)) == (1.0, -2)  # 9.9996e-3 rounds to 1.000e-2, not 10.000e-3


def test_keepdim_pitfall_divides_columns_and_columns_sum_to_one():
    m = CountModel.from_words(["emma", "olivia", "ava", "mia", "liam"])
    wrong = keepdim_pitfall(m.N, 0)
    right = smoothed_probabilities(m.N, 0)
    assert not torch.allclose(wrong, right)
    assert torch.allclose(wrong.sum(0), torch.ones(m.V), atol=1e-5)  # columns, not rows
    assert torch.allclose(wrong, m.N.float() / m.N.float().sum(1).unsqueeze(0))
    demo = keepdim_demo(m.N, 0)
    assert demo.shape == (m.V, m.V) and demo.sums_shape == (m.V,) and demo.keepdim_shape == (m.V, 1)
    assert torch.allclose(demo.col_sums, torch.ones(m.V, dtype=torch.float64), atol=1e-5)
    assert not torch.allclose(demo.row_sums, torch.ones(m.V, dtype=torch.float64), atol=1e-2)
    assert torch.allclose(demo.right_row_sums, torch.ones(m.V, dtype=torch.float64), atol=1e-5)


def test_zero_cells_and_the_nll_curve():
    m = CountModel.from_words(["emma", "olivia", "ava", "mia", "liam"])
    assert zero_cells(m.N, 0.0) == int((m.N == 0).sum()) > 0
    assert zero_cells(m.N, 0.5) == 0
    curve = nll_curve(m.N, (0.0, 0.1, 1.0, 10.0))
    assert [k for k, _ in curve] == [0.0, 0.1, 1.0, 10.0]
    nlls = [v for _, v in curve]
    assert nlls == sorted(nlls)  # scored on itself, the list's NLL only rises with k


def test_a_context_never_seen_has_log_probability_minus_inf_not_nan():
    N = torch.tensor([[0, 0], [3, 1]])
    logP = smoothed_log_probabilities(N, 0.0)
    assert torch.isneginf(logP[0]).all() and not torch.isnan(logP).any()


def test_negative_or_nan_smoothing_is_refused():
    m = CountModel.from_words(["ab"])
    for k in (-1, float("nan"), float("inf")):
        with pytest.raises(BigramError, match="smoothing must be a number >= 0"):
            m.probabilities(k)


def test_top_bigrams_are_sorted_and_labelled():
    m = CountModel.from_words(["aa", "aa", "ab"])
    top = m.top_bigrams(10)
    counts = [c for _, c in top]
    assert counts == sorted(counts, reverse=True)
    assert top[0] == (".a", 3)
    assert dict(top) == {".a": 3, "aa": 2, "a.": 2, "ab": 1, "b.": 1}


def test_row_sums_equal_column_sums_and_the_boundary_s_are_the_words():
    m = CountModel.from_words(["emma", "ava", "emma"])
    sums = row_and_column_sums(m.N)
    assert sums.rows.tolist() == m.N.sum(1).tolist() and sums.columns.tolist() == m.N.sum(0).tolist()
    assert sums.equal and int(sums.rows[0]) == int(sums.columns[0]) == 3  # every word starts once and ends once
    assert not row_and_column_sums(torch.tensor([[0, 1], [0, 0]])).equal  # a table no word list can make


def test_default_list_identities(default_words):
    m = CountModel.from_words(default_words)
    assert m.words == len(default_words) > 25_000
    assert m.bigrams == sum(len(w) + 1 for w in default_words)
    assert m.V == 27 and m.vocab.boundary == "."
    assert torch.equal(m.N.sum(0), m.N.sum(1))


def test_one_cells_numbers_and_the_words_that_hold_it_match_the_lecture():
    from bigram import lecture
    from bigram.counting import cell, cells
    from bigram.describe import words_with_bigram

    words = ["emma", "anna", "hannah", "ava"]
    m = CountModel.from_words(words)
    stoi, _ = lecture.vocabulary(words)
    i, j = stoi["n"], stoi["n"]
    c = cell(m.N, i, j, 1.0)
    P = lecture.probabilities(lecture.count_matrix(words, stoi), 1, torch.float64)
    assert (c.count, c.row_sum) == (lecture.count_dict(words)[("n", "n")], 4)
    assert c.p == pytest.approx(float(P[i, j]), abs=1e-15)
    assert float(cells(m.N, 1.0)[2][i, j]) == pytest.approx(c.p, abs=1e-15)
    assert words_with_bigram(words, m.vocab, i, j) == [("anna", 2), ("hannah", 3)]
    assert words_with_bigram(words, m.vocab, 0, stoi["a"]) == [("anna", 0), ("ava", 0)]  # words that start with a
