"""The terminal and the app give the same answers: ``python -m bigram ... --json`` against the app's cached calls.

Both run on the default built-in list, the CLI in a fresh process and the app through the ``ui``
functions its pages call. Where the app has a setting, the CLI is given the app's default for it;
where both have a default (the tuning grid and split, the regularisation grid and the fitting
budget, the seeds), neither is given one, so the test also shows that they share their defaults.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from bigram.cli import _json_safe as as_json  # what the CLI does to a value before printing it (inf -> null)
from bigram.defaults import SPLIT_SEED
from ui import cached, exercises, state, training, wordlists

ROOT = Path(__file__).resolve().parents[1]
LIST = "names"
SOURCE = f"builtin:{LIST}"


def cli(*argv) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "bigram", *argv, "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def app():
    torch.set_num_threads(1)  # as the app and the CLI do
    source = wordlists.load_builtin(LIST)
    return source, wordlists.model_for(source)


def default(name):
    return state.SETTINGS[name].default


@pytest.mark.parametrize("k", [0.0, default("k")])
def test_score(app, k):
    _, model = app
    out = cli("score", LIST, "--smoothing", str(k))
    score = cached.score_counts(SOURCE, k, model)  # the metric on Home and Smoothing
    assert out["nll"] == score.nll and out["bigrams"] == score.bigrams and out["words"] == score.words


def test_tune(app):
    source, _ = app
    out = cli("tune", LIST, "--context", "2")
    tuned = exercises.tuned(SOURCE, 2, "full", SPLIT_SEED, source.words)  # the Longer contexts page at its defaults
    assert out["curve"] == as_json(tuned.to_dict()["curve"])  # the dev NLL is infinite at k = 0
    assert (out["best_k"], out["dev_nll"], out["train_nll"], out["test_nll"]) == (
        tuned.best_k,
        tuned.dev_nll,
        tuned.train_nll,
        tuned.test_nll,
    )


def test_knob(app):
    _, model = app
    out = cli("knob", LIST)
    rows = training.exchange(SOURCE, model.N)  # the Neural net page's sweep and More exercises' exchange rate
    assert [r["reg"] for r in out["rows"]] == [e.reg for e in rows]
    assert [r["k"] for r in out["rows"]] == [e.k_closest for e in rows]
    assert [r["k_same_nll"] for r in out["rows"]] == [e.k_same_nll for e in rows]
    assert [r["nll"] for r in out["rows"]] == [e.nll for e in rows]


@pytest.mark.parametrize("mode", ["sequential", "batched"])
def test_sample(app, mode):
    _, model = app
    n, k, temperature, max_len = default("n"), default("k"), default("temperature"), default("max_len")
    flags = ["-n", str(n), "--smoothing", str(k), "--temperature", str(temperature), "--max-length", str(max_len)]
    out = cli("sample", LIST, *flags, "--mode", mode)  # the CLI's own default seed
    drawn = cached.sample(SOURCE, k, n, default("seed"), temperature, max_len, mode, model)  # the Sample page
    assert out["samples"] == [s.word for s in drawn]
    assert out["seed"] == default("seed")
