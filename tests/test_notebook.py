"""Every page's notebook runs in a real Jupyter kernel and prints what the package computes for the same settings.

The notebooks compute with ``bigram.lecture``'s plain way; the expected values here come from the
package's fast paths (the ones the app shows), so a notebook that drifted from the app fails. Each
notebook runs on a small list (with a ``.`` of its own, an accent and repeated words) and, marked
slow but run in CI, on the default list with few training steps. The seconds each took are written
to ``artifacts/notebook-timings.json``.
"""

from __future__ import annotations

import inspect
import json
import math
import subprocess
import sys
from collections import Counter
from dataclasses import fields
from pathlib import Path

import nbformat
import pytest
import torch
from notebookrun import Kernel, printed, run_alone, values

from bigram import (
    CountModel,
    Trainer,
    TrainingData,
    keepdim_demo,
    lecture,
    nll_curve,
    sample,
    score_counts,
    score_word,
    smoothed_nll,
    tune,
    zero_cells,
)
from bigram.builtin import find_builtin
from bigram.cli import NOTEBOOK_PAGES, main
from bigram.compare import compare_lists
from bigram.describe import describe_list
from bigram.exchange import exchange_rates
from bigram.neural import fit_weights, net_log_probabilities, net_probabilities
from bigram.ngram import CONTEXTS, NgramModel, training_data
from bigram.notebook import PAGES, ListData, Settings, build, refusal, to_script
from bigram.probability import pair_facts, stationary_distribution
from bigram.sampling import draw_and_count, log_probability
from bigram.split import split_words
from bigram.vocab import Vocab
from bigram.wordlist import read_words

ROOT = Path(__file__).resolve().parents[1]
TIMINGS: dict[str, float] = {}

SMALL = ListData(
    "a small list",
    (
        *("emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"),
        *("emily", "ella", "st.john", "j.r.", "anna", "noah", "liam", "mia", "ava", "zoë"),
    ),
    "small.txt",
)


def builtin(key: str) -> ListData:
    entry = find_builtin(key)
    return ListData(entry.title, tuple(read_words(entry.path).words), entry.file)


@pytest.fixture(scope="module")
def kernel():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the app and the CLI do: the package's side of the comparisons runs on small tensors
    with Kernel() as k:
        yield k
    torch.set_num_threads(threads)
    out = ROOT / "artifacts"
    out.mkdir(exist_ok=True)
    (out / "notebook-timings.json").write_text(json.dumps(TIMINGS, indent=1) + "\n")


def execute(kernel, page, data, settings=None, *, other=None, label="", after=""):
    """Build and run a page's notebook; returns its ``name = value`` lines (and the executed notebook)."""
    nb = build(page, data, settings or Settings(), other=other)
    ran, seconds = kernel.run(nb.node, after=after)
    changed = ", ".join(
        f"{f.name}={getattr(settings, f.name)!r}"
        for f in fields(Settings)
        if settings and getattr(settings, f.name) != f.default
    )
    TIMINGS[f"{page} on {data.title}{label} ({changed or 'defaults'})"] = round(seconds, 2)
    return values(printed(ran)), ran


def close(a, b, tol=1e-9):
    return (math.isinf(a) and a == b) or abs(a - b) <= tol


# --- the pages, against the package ---------------------------------------------------------------------------------


def check_home(got, data, s):
    m = CountModel.from_words(data.words)
    logP = m.log_probabilities(s.k)
    assert got["bigrams"] == m.bigrams and got["V"] == m.V and got["len(words)"] == len(data.words)
    assert close(got["list_nll"], score_counts(m.N, logP, m.vocab, m.words).nll)
    word = s.word or ("isabella" if "isabella" in data.words else data.words[0])
    assert close(got["word_nll"], score_word(word, logP, m.vocab).nll)
    a, n = m.vocab.stoi.get("a", 1), m.vocab.stoi.get("n", min(2, m.V - 1))
    f = pair_facts(m.N, a, n)
    for name, value in [
        ("joint", f.joint),
        ("p_a", f.p_a),
        ("n_given_a", f.b_given_a),
        ("a_given_n", f.a_given_b),
        ("a_given_n_direct", f.a_given_b_direct),
        ("independence_ratio", f.independence_ratio),
    ]:
        assert math.isclose(got[name], value, rel_tol=1e-12), name
    st = stationary_distribution(m.probabilities(0.0), m.N)
    assert close(got["eigenvalue"], st.eigenvalue.real, 1e-12)
    assert close(got["stationary_difference"], st.max_difference, 1e-12)


def check_data(got, data, s):
    m = CountModel.from_words(data.words)
    st = describe_list(data.words, m.N)
    assert got["distinct"] == st.distinct
    assert close(got["mean_length"], st.mean_length)
    assert got["lengths"] == sorted(Counter(st.lengths).items())
    assert got["symbol_counts"] == [(m.vocab.itos[i], c) for i, c in zip(st.symbol_ids, st.symbol_counts)]
    assert got["duplicates"] == st.duplicates[:50]


def check_counts(got, data, s):
    m = CountModel.from_words(data.words)
    row = s.row if s.row is not None else 0
    assert got["N_list"] == m.N.tolist()  # printed by the test's own cell after the notebook
    assert got["first_letters"] == m.N[0].tolist()
    assert got["row_probabilities"] == m.probabilities(s.k)[row].tolist()  # float32, bit for bit
    assert got["top_bigrams"] == m.top_bigrams(15)
    assert got["sums_equal"] is True


def check_smoothing(got, data, s):
    m = CountModel.from_words(data.words)
    score = lambda k: score_counts(m.N, m.log_probabilities(k), m.vocab, m.words).nll  # noqa: E731
    assert close(got["nll_k"], score(s.k))
    assert close(got["nll_0"], score(0.0))
    assert got["impossible_0"] == zero_cells(m.N, 0.0) and got["impossible_k"] == zero_cells(m.N, s.k)
    for k, expected in nll_curve(m.N):
        assert close(got[f"nll(k={k!r})"], expected), k
    word = s.word or ("andrej" if set("andrej") <= set(m.vocab.symbols) else data.words[0])
    assert close(got["word_nll"], score_word(word, m.log_probabilities(s.k), m.vocab).nll)
    # The losses cannot tell a P normalised along the wrong axis (the keepdim pitfall) from the right one: a word
    # wrapped in boundaries enters and leaves the same symbols, so both give every loss above. The rows can.
    row = s.row if s.row is not None else int(m.N.sum(1).argmin())
    assert got["row_before"] == m.probabilities(0.0)[row].tolist()
    assert got["row_after"] == m.probabilities(s.k)[row].tolist()
    demo = keepdim_demo(m.N, s.k)
    assert close(got["wrong_row_sums_min"], float(demo.row_sums.min()), 1e-12)
    assert close(got["wrong_row_sums_max"], float(demo.row_sums.max()), 1e-12)
    assert close(got["wrong_col_sums_error"], float((demo.col_sums - 1).abs().max()), 1e-12)
    assert close(got["right_row_sums_error"], float((demo.right_row_sums - 1).abs().max()), 1e-12)


def trained(data, s):
    m = CountModel.from_words(data.words)
    t = Trainer(
        TrainingData.from_words(data.words, m.vocab),
        lr=s.lr,
        reg=s.reg,
        seed=s.net_seed,
        method=s.method,
        optimizer=s.optimizer,
    )
    return m, t.run(s.steps)


def check_neural(got, data, s):
    m, result = trained(data, s)
    # float32 training, the same operations in another order: equal to float32 rounding, not beyond
    assert math.isclose(got["final_loss"], result.loss, rel_tol=1e-6)
    assert math.isclose(got["final_nll"], result.nll, rel_tol=1e-6)
    assert close(got["counting_nll"], smoothed_nll(m.N, 0.0))
    for name in ("loss_onehot", "loss_index_", "loss_counts_"):
        assert math.isclose(got[name], result.loss, rel_tol=1e-6), name


def check_sample(got, data, s):
    m = CountModel.from_words(data.words)
    if s.source == "net":
        _, result = trained(data, s)
        P, logP = net_probabilities(result.W), net_log_probabilities(result.W)
    else:
        P, logP = m.probabilities(s.k), m.log_probabilities(s.k)
    drawn = sample(P, m.vocab, s.n, seed=s.seed, mode=s.mode, temperature=s.temperature, max_len=s.max_len)
    assert got["samples"] == [d.word for d in drawn]
    tol = 1e-9 if s.source == "counts" else 1e-5  # a trained W agrees to float32 rounding (see check_neural)
    assert all(close(a, log_probability(d, logP), tol) for a, d in zip(got["log_probabilities"], drawn, strict=True))
    row = s.row if s.row is not None else 0
    assert got["draw_counts"] == draw_and_count(P[row], s.draws, seed=s.seed)[1].tolist()


def check_contexts(got, data, s):
    words = list(data.words)
    vocab = Vocab.from_words(words)
    t = tune(words, s.context, s.padding, split_seed=s.split_seed, vocab=vocab)
    assert got["sizes"] == t.sizes
    assert got["best_k"] == t.best_k
    for name in ("train_nll", "dev_nll", "test_nll"):
        assert close(got[name], getattr(t, name)), name
    for c in CONTEXTS:
        tc = tune(words, c, s.padding, split_seed=s.split_seed, vocab=vocab)
        k, tr, dv, te = got[f"side_by_side_{c}"]
        assert k == tc.best_k and close(tr, tc.train_nll) and close(dv, tc.dev_nll) and close(te, tc.test_nll), c
    if s.padding == "full":
        expected = NgramModel.from_words(words, s.context, "full", vocab=vocab).sample(
            12, k=t.best_k, seed=s.seed, max_len=30
        )
        assert got["ngram_samples"] == expected
    train, dev, _ = split_words(words, seed=s.split_seed, min_each=1)
    logP = net_log_probabilities(fit_weights(training_data(train, vocab, s.context, s.padding).N, s.ctx_reg))
    model = NgramModel.from_words(train, s.context, s.padding, vocab=vocab)
    # 500 Adam steps in float32 by autograd against the package's gradient written out: within 1e-5
    assert close(got["net_train_nll"], model.evaluate(train, logP=logP).nll, 1e-5)
    assert close(got["net_dev_nll"], model.evaluate(dev, logP=logP).nll, 1e-5)


def check_exercises(got, data, s, other):
    c = compare_lists(data.words, other.words, k=s.k)
    for name in ("a_on_a", "a_on_b", "b_on_b", "b_on_a"):
        assert close(got[name], getattr(c, name)), name
    for of in ("a", "b"):
        expected = c.most_distinctive(15, of)
        shown = got[f"typical_of_{of}"]
        assert [g for g, _ in shown] == [g for g, *_ in expected]
        assert all(close(r, e[1]) for (_, r), e in zip(shown, expected))
    m = CountModel.from_words(data.words)
    for (reg, k_closest, kl, k_same), e in zip(got["exchange"], exchange_rates(m.N), strict=True):
        assert reg == e.reg and k_closest == e.k_closest, reg
        # W after 500 Adam steps agrees to float32 rounding amplified by Adam's scaling on rarely used rows; the
        # divergence, a difference of two close distributions, moves with it by up to a percent on a small list
        assert math.isclose(kl, e.kl, rel_tol=1e-2, abs_tol=1e-9), reg
        assert (k_same is None) == (e.k_same_nll is None)
        # the k whose NLL is the net's: compare the NLL that k gives (flat in k near the optimum), as far as the two
        # fits agree (autograd against the gradient written out, through Adam: 1e-4 on the small list)
        assert k_same is None or close(smoothed_nll(m.N, k_same), e.nll, 1e-4), reg


CHECKS = {
    "home": check_home,
    "data": check_data,
    "counts": check_counts,
    "smoothing": check_smoothing,
    "neural-net": check_neural,
    "sample": check_sample,
    "contexts": check_contexts,
}
PROBE = {"counts": 'print(f"N_list = {N.tolist()!r}")'}


def check(page, got, data, s, other=None):
    if page == "exercises":
        check_exercises(got, data, s, other)
    else:
        CHECKS[page](got, data, s)


SMALL_CASES = [
    ("home", Settings(k=0.5)),
    ("data", Settings()),
    ("counts", Settings(k=2.0, row=3)),
    ("smoothing", Settings(k=0.3)),
    ("smoothing", Settings(k=0.0, word="zzz")),  # an unseen bigram at k = 0: an infinite NLL
    ("neural-net", Settings(steps=25, method="onehot", optimizer="sgd", reg=0.01)),  # the lecture's own train()
    ("neural-net", Settings(steps=25, method="index", lr=10.0, reg=0.0, net_seed=7)),
    ("neural-net", Settings(steps=25, method="counts", optimizer="adam", lr=0.5, row=2)),
    ("sample", Settings(n=15, max_len=6, seed=3)),
    ("sample", Settings(n=15, mode="batched", temperature=0.7, k=0.5)),
    ("sample", Settings(n=8, source="net", steps=20, row=1, draws=100)),
    ("contexts", Settings(context=2, padding="full", split_seed=5)),
    ("contexts", Settings(context=3, padding="single", ctx_reg=0.0)),
    ("exercises", Settings(k=0.5)),
]


@pytest.mark.parametrize(("page", "settings"), SMALL_CASES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(SMALL_CASES)])
def test_small_list_notebook_prints_what_the_package_computes(kernel, page, settings):
    other = builtin("prenoms_fr") if page == "exercises" else None
    got, _ = execute(kernel, page, SMALL, settings, other=other, after=PROBE.get(page, ""))
    check(page, got, SMALL, settings, other)


#: On the default list the net trains a few steps only: the comparison is the same, the run stays short.
DEFAULT_SETTINGS = Settings(steps=5)


@pytest.mark.slow
@pytest.mark.parametrize("page", list(PAGES))
def test_default_list_notebook_prints_what_the_package_computes(kernel, page):
    names = builtin("names")
    other = builtin("surnames") if page == "exercises" else None
    got, _ = execute(kernel, page, names, DEFAULT_SETTINGS, other=other, after=PROBE.get(page, ""))
    check(page, got, names, DEFAULT_SETTINGS, other)


# --- the notebook as a lesson, and as a file ------------------------------------------------------------------------


@pytest.mark.parametrize("page", list(PAGES))
def test_notebook_is_valid_and_every_code_cell_follows_a_markdown_cell(page):
    nb = build(page, SMALL, other=builtin("prenoms_fr")).node
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown"
    for before, cell in zip(nb.cells, nb.cells[1:]):
        if cell.cell_type == "code":
            assert before.cell_type == "markdown", cell.source[:80]
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    imports = {line.split()[1] for line in code.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"math", "torch", "torch.nn.functional", "base64", "zlib"}, imports  # torch alone
    assert "bigram" not in imports


def test_code_cells_are_the_lecture_modules_own_source():
    nb = build("neural-net", SMALL, Settings(method="onehot")).node
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for f in (lecture.vocabulary, lecture.count_dict, lecture.training_set, lecture.loss, lecture.train):
        assert inspect.getsource(f).rstrip() in code, f.__name__
    assert code.count("def count_dict(") == 1  # each function is defined once, where it is first used


def test_the_exercise_notebook_searches_the_packages_grid_of_k():
    from bigram.exchange import SEARCH_KS

    code = "\n".join(c.source for c in build("exercises", SMALL).node.cells if c.cell_type == "code")
    assert "KS = [10 ** (e / 10) for e in range(-30, 31)]" in code
    assert [10 ** (e / 10) for e in range(-30, 31)] == list(SEARCH_KS)


def test_settings_are_written_as_constants_a_learner_can_change():
    nb = build("sample", SMALL, Settings(k=2.0, seed=99, temperature=0.5, mode="batched")).node
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for line in ("K = 2.0", "SAMPLE_SEED = 99", "TEMPERATURE = 0.5", "MODE = 'batched'"):
        assert line in code


def test_lists_travel_as_a_literal_packed_or_beside(tmp_path, kernel):
    assert any(c.source.startswith("words = [") for c in build("data", SMALL).node.cells)
    fr = builtin("prenoms_fr")
    packed = build("data", fr)
    assert any("PACKED = " in c.source for c in packed.node.cells) and not packed.beside
    beside = build("data", fr, embed_max_bytes=100)
    [(name, content)] = beside.beside
    assert name == fr.file_name and content.decode("utf-8").split("\n")[:-1] == list(fr.words)
    (tmp_path / name).write_bytes(content)
    got_packed, _ = execute(kernel, "data", fr, label=" (packed)")
    ran, _ = kernel.run(beside.node, cwd=tmp_path)  # run where the list was saved
    got_beside = values(printed(ran))
    assert got_beside["len(words)"] == got_packed["len(words)"] == len(fr.words)
    check_data(got_beside, fr, Settings())


def test_script_prints_what_the_notebook_prints(tmp_path, kernel):
    nb = build("smoothing", SMALL, Settings(k=0.5))
    _, ran = execute(kernel, "smoothing", SMALL, Settings(k=0.5), label=" (as a notebook, beside the script)")
    script = tmp_path / "smoothing.py"
    script.write_text(to_script(nb.node), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == printed(ran)


def test_a_strangers_list_title_stays_text_in_the_markdown():
    hostile = ListData("[click](http://x.example) <img src=x> $x$\nnew paragraph", SMALL.words, "small.txt")
    intro = build("home", hostile).node.cells[0].source
    assert "\\[click\\]\\(http\\:\\/\\/x\\.example\\)" in intro and "\\<img" in intro and "\\$x\\$" in intro
    assert "\nnew paragraph" not in intro


def test_refusals_are_said_in_words():
    assert "too short" in refusal("contexts", ["ab", "cd"])
    assert refusal("smoothing", ["ab"], Settings(k=-1)).startswith("smoothing must be")
    assert refusal("home", SMALL.words) is None


def test_cli_writes_a_page_as_a_notebook_or_a_script(tmp_path, capsys):
    words = tmp_path / "small.txt"
    words.write_text("\n".join(SMALL.words) + "\n", encoding="utf-8")
    out = tmp_path / "out.ipynb"
    assert main(["notebook", str(words), "--page", "smoothing", "--smoothing", "2", "-o", str(out)]) == 0
    nb = nbformat.reads(out.read_text(encoding="utf-8"), as_version=4)
    nbformat.validate(nb)
    assert any("K = 2.0" in c.source for c in nb.cells)
    assert "wrote" in capsys.readouterr().out
    script = tmp_path / "out.py"
    assert main(["notebook", str(words), "--page", "sample", "--seed", "5", "-n", "3", "-o", str(script)]) == 0
    assert "SAMPLE_SEED = 5" in script.read_text(encoding="utf-8") and "# %% [markdown]" in script.read_text()
    assert main(["notebook", str(words), "--page", "nowhere", "-o", str(out)]) == 2
    assert main(["notebook", str(words), "-o", str(tmp_path / "out.txt")]) == 2
    assert NOTEBOOK_PAGES == tuple(PAGES)


def test_a_notebook_runs_in_a_fresh_kernel_as_a_person_would():
    ran = run_alone(build("home", SMALL, Settings(k=0.5)).node)
    check_home(values(printed(ran)), SMALL, Settings(k=0.5))
