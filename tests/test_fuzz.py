"""Fuzzing the parser and the counts: arbitrary bytes and Unicode never raise anything but BigramError,
and whatever is accepted satisfies the count identities."""

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bigram import BigramError, CountModel, parse_words, sample, score_word

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_identities(words):
    m = CountModel.from_words(words)
    assert m.bigrams == sum(len(w) + 1 for w in words)
    assert torch.equal(m.N.sum(0), m.N.sum(1))
    assert int(m.N[0].sum()) == len(words)
    P = m.probabilities(0.5)
    assert torch.allclose(P.sum(1), torch.ones(m.V), atol=1e-5)
    return m


@FUZZ
@given(st.binary(max_size=2000), st.booleans(), st.booleans())
def test_arbitrary_bytes(data, lowercase, dedupe):
    try:
        wl = parse_words(data, lowercase=lowercase, dedupe=dedupe)
    except BigramError as exc:
        assert "\n" not in str(exc) and str(exc)
        return
    assert wl.words and all(w == w.strip() and w for w in wl.words)
    check_identities(wl.words)


@FUZZ
@given(st.text(max_size=500), st.sampled_from(["report.csv", "list.txt"]))
def test_arbitrary_unicode_text_and_csv(text, name):
    for data in (text.encode("utf-8"), text.encode("utf-16"), text):
        try:
            wl = parse_words(data, source=name)
        except BigramError as exc:
            assert "\n" not in str(exc)
            continue
        m = check_identities(wl.words)
        # Whatever was accepted can be scored and sampled with the same symbol split.
        ws = score_word(wl.words[0], m.log_probabilities(1), m.vocab)
        assert len(ws.pairs) == len(wl.words[0]) + 1
        for s in sample(m.probabilities(1), m.vocab, 3, seed=0, max_len=20):
            assert all(ch in m.vocab.stoi for ch in s.word)


@FUZZ
@given(
    st.lists(
        st.text(min_size=1, max_size=12).filter(lambda w: w.strip() == w and "\x00" not in w), min_size=1, max_size=40
    )
)
def test_counts_of_arbitrary_words(words):
    check_identities(words)
