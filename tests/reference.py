"""Plain, independent references written the lecture's way: Python loops, dicts, float64.

They share no code with the package; the tests compare the package against them.
"""

import math

BOUNDARY = None  # a key no character can equal, so '.' in the data stays a character


def ref_bigrams(words):
    """Every bigram of every word wrapped in start/end tokens, as the lecture's zip loop makes them."""
    for w in words:
        chs = [BOUNDARY] + list(w) + [BOUNDARY]
        for ch1, ch2 in zip(chs, chs[1:]):
            yield ch1, ch2


def ref_counts(words):
    counts = {}
    for pair in ref_bigrams(words):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def ref_probability(counts, chars, a, b, k):
    """p(b | a) with add-k smoothing, in float64."""
    row_total = sum(counts.get((a, c), 0) for c in [BOUNDARY] + list(chars)) + k * (len(chars) + 1)
    if row_total == 0:
        return 0.0
    return (counts.get((a, b), 0) + k) / row_total


def ref_nll(train_words, eval_words, k):
    """Average NLL per bigram of eval_words under the model counted on train_words (math.inf if impossible)."""
    counts = ref_counts(train_words)
    chars = sorted(set("".join(train_words)))
    log_likelihood = 0.0
    n = 0
    for a, b in ref_bigrams(eval_words):
        p = ref_probability(counts, chars, a, b, k)
        if p == 0.0:
            return math.inf
        log_likelihood += math.log(p)
        n += 1
    return -log_likelihood / n


def to_id(vocab, ch):
    return 0 if ch is BOUNDARY else vocab.stoi[ch]
