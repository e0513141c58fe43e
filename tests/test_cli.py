"""The command line: JSON keys and values agree with the package; every refusal is one line, status 2."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bigram import CountModel, evaluate, lecture, read_words
from bigram.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def small(tmp_path):
    p = tmp_path / "small.txt"
    p.write_text("emma\nolivia\nava\nemma\n", encoding="utf-8")
    return str(p)


def test_stats(capsys, small):
    out = run_json(capsys, "stats", small)
    assert out["words"] == 4 and out["bigrams"] == 5 + 7 + 4 + 5
    assert out["vocab_size"] == 8 and out["symbols"] == list("aeilmov")
    # 'a.' ends emma (twice), olivia and ava: 4. Every count shown is the lecture's dict count of that bigram.
    assert out["top_bigrams"][0] == ["a.", 4]
    counts = lecture.count_dict(["emma", "olivia", "ava", "emma"])
    assert [c for _, c in out["top_bigrams"]] == sorted(counts.values(), reverse=True)[:10]
    assert all(counts[(pair[0], pair[1])] == c for pair, c in out["top_bigrams"])
    assert out["duplicates"] == 1


def test_score_matches_the_package_and_word_pairs(capsys, small):
    out = run_json(capsys, "score", small, "--smoothing", "1", "--word", "Emma")
    wl = read_words(small)
    m = CountModel.from_words(wl.words)
    expected = evaluate(wl.words, m.log_probabilities(1), m.vocab)
    assert out["nll"] == pytest.approx(expected.nll, rel=1e-15)
    assert out["perplexity"] == pytest.approx(math.exp(expected.nll))
    assert out["bigrams"] == 21
    assert [p["bigram"] for p in out["pairs"]] == [".e", "em", "mm", "ma", "a."]
    assert all(p["logprob"] == pytest.approx(math.log(p["prob"])) for p in out["pairs"])


def test_score_infinite_nll_names_the_bigram(capsys, small, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("mia\n", encoding="utf-8")
    out = run_json(capsys, "score", small, "--eval", str(other))
    assert out["nll"] is None and out["perplexity"] is None
    assert ["mi", 1] in out["impossible"]


def test_sample_is_reproducible(capsys):
    a = run_json(capsys, "sample", "names", "-n", "5", "--seed", "7")
    b = run_json(capsys, "sample", "names", "-n", "5", "--seed", "7")
    assert a["samples"] == b["samples"] and len(a["samples"]) == 5
    c = run_json(capsys, "sample", "names", "-n", "5", "--mode", "batched", "--temperature", "0.5", "--max-length", "3")
    assert all(len(w) <= 3 for w in c["samples"])


def test_train_methods_agree(capsys, small):
    outs = {
        m: run_json(capsys, "train", small, "--steps", "20", "--lr", "10", "--method", m)
        for m in ("onehot", "index", "counts")
    }
    for out in outs.values():
        assert len(out["history"]) == 21 and out["loss"] == out["history"][-1]
        assert out["loss"] == pytest.approx(outs["onehot"]["loss"], abs=1e-5)
        assert out["nll"] <= out["loss"] and out["seconds"] >= 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["stats", "/no/such/file.txt"], "no such file"),
        (["score", "names", "--smoothing", "-1"], "must be a number >= 0"),
        (["score", "names", "--word", "zoë"], "'ë' in 'zoë' is not in the vocabulary"),
        (["train", "names", "--lr", "abc"], "is not a number"),
        (["sample", "names", "--mode", "fast"], "invalid choice"),
        (["train", "names", "--lr", "1000", "--optimizer", "adam", "--steps", "5"], "too large"),
        (["train", "names", "--lr", "1e30", "--steps", "5"], "must be between 0.0001 and 10000"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_errors_are_one_line_with_status_2(capsys, argv, message):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and message in err and err.startswith("bigram: error: ")


def test_module_entry_point_on_a_clean_process():
    proc = subprocess.run(
        [sys.executable, "-m", "bigram", "score", "data/names.txt", "--smoothing", "1", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert set(json.loads(proc.stdout)) >= {"nll", "perplexity", "bigrams"}
    bad = subprocess.run(
        [sys.executable, "-m", "bigram", "stats", "data/nothing.txt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_longer_contexts_on_the_command_line(capsys, small):
    tri = run_json(capsys, "score", small, "--context", "2", "--smoothing", "0.5")
    assert tri["context"] == 2 and tri["bigrams"] == 21  # full padding predicts len + 1 symbols a word
    single = run_json(capsys, "score", small, "--context", "2", "--padding", "single", "--smoothing", "0.5")
    assert single["bigrams"] == 21 - 4  # single padding skips each word's first symbol
    out = run_json(capsys, "sample", small, "--context", "3", "-n", "4", "--smoothing", "0")
    assert set(out["samples"]) <= {"emma", "olivia", "ava"}  # at k = 0 a 4-gram of this list only replays its words
    trained = run_json(
        capsys, "train", small, "--context", "2", "--steps", "300", "--optimizer", "adam", "--lr", "0.5", "--reg", "0"
    )
    assert trained["context"] == 2 and trained["nll"] < trained["history"][0]
    assert trained["nll"] == pytest.approx(trained["counting_nll"], abs=0.05)


def test_tune_compare_and_knob(capsys, small, tmp_path):
    tuned = run_json(capsys, "tune", "names", "--context", "2", "--ks", "0.01", "0.2", "5")
    assert tuned["sizes"] == {"train": 23928, "dev": 2991, "test": 2991}
    assert tuned["best_k"] == 0.2 and tuned["dev_nll"] == min(r["dev"] for r in tuned["curve"])
    assert [r["k"] for r in tuned["curve"]] == [0.01, 0.2, 5]
    other = tmp_path / "other.txt"
    other.write_text("smith\nschmidt\nsmythe\n", encoding="utf-8")
    cmp = run_json(capsys, "compare", small, str(other), "--top", "3")
    assert cmp["a_on_b"] > cmp["b_on_b"] and cmp["typical_of_b"][0]["count_b"] > cmp["typical_of_b"][0]["count_a"]
    knob = run_json(capsys, "knob", small, "--reg", "0.01", "1", "--steps", "300")
    assert knob["rows"][0]["k"] < knob["rows"][1]["k"]
    assert knob["rows"][0]["k_same_nll"] < knob["rows"][1]["k_same_nll"]
