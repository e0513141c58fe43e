"""The bad-input catalogue at the package and CLI level: every case gets its documented outcome."""

import pytest
from badinput import CASES, SLOW_CASES

from bigram import BigramError, CountModel, parse_words, sample, score_word
from bigram.cli import main
from ui.wordlists import UPLOAD_MAX_VOCAB, UPLOAD_MAX_WORD_LEN, UPLOAD_MAX_WORDS

# The app's upload bounds, imported from where the app reads them: a change there is tested here too.
APP_LIMITS = dict(max_len=UPLOAD_MAX_WORD_LEN, max_words=UPLOAD_MAX_WORDS, max_vocab=UPLOAD_MAX_VOCAB)


def outcome(name, data):
    try:
        wl = parse_words(data, source=name, **APP_LIMITS)
    except BigramError as exc:
        return "error", str(exc)
    return "ok", wl


@pytest.mark.parametrize("case", list(CASES))
def test_catalogue_package(case):
    name, data, (kind, expected) = CASES[case]
    got, value = outcome(name, data)
    assert got == kind, (case, value)
    if kind == "error":
        assert expected in value and "\n" not in value
    else:
        assert len(value.words) == expected


@pytest.mark.parametrize("case", list(SLOW_CASES))
def test_catalogue_package_large(case):
    name, make, (kind, expected) = SLOW_CASES[case]
    got, value = outcome(name, make())
    assert got == kind
    if kind == "error":
        assert expected in value
    else:
        assert len(value.words) == expected
        CountModel.from_words(value.words)  # and it counts


@pytest.mark.parametrize("case", ["empty file", "PNG image", "UTF-16 without BOM", "random bytes"])
def test_catalogue_cli(case, tmp_path, capsys):
    name, data, (kind, expected) = CASES[case]
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["stats", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bigram: error: ") and err.count("\n") == 1 and expected in err


def test_symbols_are_code_points_after_nfc_everywhere():
    wl = parse_words("zoe\u0308\n👩‍💻\n".encode())
    assert wl.words[0] == "zo\u00eb"  # the combining diaeresis composed into one symbol
    m = CountModel.from_words(wl.words)
    assert "\u200d" in m.vocab.symbols  # the zero-width joiner of the emoji sequence is a symbol of its own
    ws = score_word("👩‍💻", m.log_probabilities(1), m.vocab)
    assert len(ws.pairs) == len("👩‍💻") + 1 == 4
    for s in sample(m.probabilities(1), m.vocab, 20, seed=1):
        assert all(ch in m.vocab.stoi for ch in s.word)


def test_scored_word_outside_the_vocabulary_and_k0_unseen(capsys):
    assert main(["score", "names", "--word", "zoë"]) == 2
    assert "'ë' in 'zoë' is not in the vocabulary" in capsys.readouterr().err
    m = CountModel.from_words(["abc"])
    ws = score_word("ca", m.log_probabilities(0), m.vocab)
    assert ws.nll == float("inf") and ws.culprit.bigram == ".c"


def test_divergence_and_max_length(capsys):
    assert main(["train", "names", "--lr", "1e6", "--steps", "3"]) == 2
    assert "too large" in capsys.readouterr().err
    m = CountModel.from_words(["aaaaaaaaaaaaaaaaaaaaaaaa"])
    out = sample(m.probabilities(0), m.vocab, 2, seed=0, max_len=5)
    assert all(s.truncated and len(s.word) == 5 for s in out)
