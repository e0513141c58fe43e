"""Bigram Lab benchmark: the lecture's plain way against the package, on the same data, then scale.

    .venv/bin/python bench/run.py                 # everything (make bench); 4 to 13 minutes on 2 busy cores
    .venv/bin/python bench/run.py --quick         # fewer repeats and smaller scale inputs
    .venv/bin/python bench/run.py --only train    # one row (see --help for the names)

Each comparison row times the lecture's way (``bigram.lecture``, which imports nothing else of
the package: the same functions the tests use as their oracle and the pages show) and the
package on the default list ``data/names.txt``, asserts that both give the
same numbers and prints the check, and reports medians and their ratio. ``torch`` runs on one
thread, as in the app (many sessions share its process and the tensors are small). The scale
rows run each case in a fresh process, so that every peak memory figure is that case's own.
This is not part of the test suite: timings depend on the machine, and nothing here fails a build.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

torch.set_num_threads(1)  # as the app does: see ui/sidebar.py

import corpus_rows  # noqa: E402
import scale  # noqa: E402
from measure import ROOT, Timing, available_memory, fmt_mb, fmt_s, machine, run_case, timed, timed_pair  # noqa: E402

from bigram import (  # noqa: E402
    CountModel,
    Trainer,
    TrainingData,
    evaluate,
    lecture,
    read_words,
    sample,
    smoothed_nll,
)

SEED = 2147483647
ROWS = (
    "build",
    "nll",
    "train",
    "converge",
    "sample",
    "smoothing",
    "methods",
    "scale-1m",
    "scale-stream",
    "scale-cjk",
    "profile",
    "count",
    "merge",
    "dask",
)


@dataclass
class Row:
    """One line of the results table."""

    name: str
    lecture: str
    package: str
    ratio: float | None
    target: str
    met: bool | None  # None: nothing to meet yet (pending) or information only
    note: str = ""
    cpu_ratio: float | None = None


def timing_cell(t: Timing) -> str:
    """'12.3 ms (CPU 11.9 ms)': the wall-clock median and the CPU-time median."""
    return f"{fmt_s(t.median)} (CPU {fmt_s(t.cpu_median)})"


class Bench:
    def __init__(self, quick: bool):
        self.quick = quick
        self.repeats = 3 if quick else 5  # the package's rows: cheap, so a few more
        self.slow_repeats = 1 if quick else 3  # the lecture's rows: seconds each
        self.rows: list[Row] = []
        self.words = read_words(ROOT / "data" / "names.txt").words
        self.model = CountModel.from_words(self.words)
        self.stoi, self.itos = lecture.vocabulary(self.words)
        assert self.itos == list(self.model.vocab.itos), "the lecture's stoi must be the package's vocabulary"
        self.tmp = tempfile.TemporaryDirectory(prefix="bigram-bench-")

    # ------------------------------------------------------------------ helpers
    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def check(self, ok: bool, what: str) -> None:
        """Print a check and stop the run if it fails: a fast wrong answer is not a result."""
        self.say(f"  check: {what}: {'OK' if ok else 'FAILED'}")
        if not ok:
            raise SystemExit(f"check failed: {what}")

    def compare(self, name: str, lect: Timing, pkg: Timing, target: float, note: str = "") -> Row:
        """A row judged on the ratio of wall-time medians; the CPU-time ratio is shown beside it."""
        ratio, cpu_ratio = lect.median / pkg.median, lect.cpu_median / pkg.cpu_median
        self.say(
            f"  lecture {lect.describe()}\n  package {pkg.describe()}\n"
            f"  ratio {ratio:,.0f}x wall, {cpu_ratio:,.0f}x CPU (target >= {target:g}x)"
        )
        row = Row(name, timing_cell(lect), timing_cell(pkg), ratio, f">= {target:g}x", ratio >= target, note, cpu_ratio)
        self.rows.append(row)
        return row

    # ------------------------------------------------------------------ comparison rows
    def build(self) -> None:
        self.say("\n[build] the count matrix N of 29,910 names")
        lect, pkg = timed_pair(
            lambda: lecture.count_matrix(self.words, self.stoi),
            lambda: CountModel.from_words(self.words),
            self.slow_repeats,
            self.repeats,
        )
        self.check(torch.equal(lect.value.long(), pkg.value.N), "lecture N == package N, every cell")
        self.compare(
            "build N (29,910 names)",
            lect,
            pkg,
            100,
            "lecture: `N[ix1, ix2] += 1` per bigram; package: vocabulary + one bincount",
        )

    def nll(self) -> None:
        self.say("\n[nll] average NLL of the whole list at k = 1, its bigrams counted too")
        P = lecture.probabilities(lecture.count_matrix(self.words, self.stoi), k=1)
        logP = self.model.log_probabilities(1)
        lect, pkg = timed_pair(
            lambda: lecture.nll(self.words, P, self.stoi),
            lambda: evaluate(self.words, logP, self.model.vocab),
            self.slow_repeats,
            self.repeats,
        )
        P64 = lecture.probabilities(lecture.count_matrix(self.words, self.stoi), k=1, dtype=torch.float64)
        exact = lecture.nll(self.words, P64, self.stoi)
        self.say(
            f"  lecture {lect.value:.6f} (float32 running sum), lecture in float64 {exact:.6f}, "
            f"package {pkg.value.nll:.6f}"
        )
        self.check(abs(exact - pkg.value.nll) < 1e-9, "the lecture's loop in float64 and the package agree to 1e-9")
        self.check(
            abs(lect.value - pkg.value.nll) < 1e-3,
            f"the lecture's float32 sum is off by {abs(lect.value - pkg.value.nll):.1e} (< 1e-3)",
        )
        self.compare(
            "NLL of the whole list",
            lect,
            pkg,
            100,
            "lecture: `torch.log(P[ix1, ix2])` per bigram; package: encode, bincount, one weighted sum",
        )

    def train(self) -> None:
        self.say("\n[train] 100 gradient steps, lr 50, reg 0.01, seed 2147483647, full batch")
        xs, ys = lecture.training_set(self.words, self.stoi)
        data = TrainingData.from_words(self.words, self.model.vocab)
        self.check(torch.equal(xs, data.xs) and torch.equal(ys, data.ys), f"the same {xs.numel():,} bigrams (xs, ys)")
        finals = []

        def lecture_run():
            W = lecture.init_weights(len(self.itos), SEED)
            lecture.train(W, xs, ys, 100, lr=50, reg=0.01)
            finals.append(lecture.loss(W, xs, ys, 0.01).item())  # the loss after the 100th update

        lect, pkg = timed_pair(
            lecture_run,
            lambda: Trainer(data, lr=50, reg=0.01, seed=SEED, method="counts").run(100),
            self.slow_repeats,
            self.repeats,
        )
        self.say(f"  final loss: lecture {finals[-1]:.6f}, package (counts) {pkg.value.loss:.6f}")
        self.check(abs(finals[-1] - pkg.value.loss) < 1e-4, "same final loss to 1e-4")
        row = self.compare(
            "100 training steps",
            lect,
            pkg,
            500,
            "lecture: one-hot matmul + autograd; package: counts form, hand-written gradient",
        )
        row.met = row.met and abs(finals[-1] - pkg.value.loss) < 1e-4

    def converge(self) -> None:
        self.say("\n[converge] train with reg 0 until the NLL is within 0.001 of the counting model's k = 0 NLL")
        data = TrainingData.from_words(self.words, self.model.vocab)
        optimum = smoothed_nll(self.model.N, 0.0)
        self.say(f"  the optimum (k = 0 NLL): {optimum:.6f}")
        reached = lambda step, loss, nll: nll - optimum < 1e-3  # noqa: E731

        # The lecture's way, SGD with lr 50: how many steps does it take? The package's counts
        # form follows the same trajectory (checked below), fast enough to run to the end.
        sgd = Trainer(data, lr=50, reg=0.0, seed=SEED, method="counts")
        sgd_time = timed(lambda: sgd.run(100_000, reached), 1).median
        steps = sgd.steps_done
        self.say(f"  SGD lr 50 needs {steps:,} steps (package counts form: {fmt_s(sgd_time)})")
        cap = 10 if self.quick else 25
        xs, ys = lecture.training_set(self.words, self.stoi)
        W = lecture.init_weights(len(self.itos), SEED)
        capped = timed(lambda: lecture.train(W, xs, ys, cap, lr=50, reg=0.0), 1)
        self.check(
            max(abs(a - b) for a, b in zip(capped.value, sgd.history)) < 1e-4,
            f"the lecture's first {cap} losses equal the package's SGD trajectory to 1e-4",
        )
        per_step, per_step_cpu = capped.median / cap, capped.cpu_median / cap
        lect_total, lect_total_cpu = steps * per_step, steps * per_step_cpu
        self.say(
            f"  lecture way: {fmt_s(per_step)} a step (CPU {fmt_s(per_step_cpu)}), timed over {cap} steps, "
            f"x {steps:,} steps = {fmt_s(lect_total)} (extrapolated)"
        )

        # The package: Adam on the counts form. A small sweep shows the choice of lr is not fragile.
        # Warm up: the cold first use is timed below.
        Trainer(data, lr=0.3, reg=0.0, method="counts", optimizer="adam").run(1)
        sweep = {}
        for lr in (0.1, 0.2, 0.3, 0.5, 1.0):
            t = Trainer(data, lr=lr, reg=0.0, seed=SEED, method="counts", optimizer="adam")
            sweep[lr] = (timed(lambda t=t: t.run(1000, reached), 1).median, t.steps_done)
        self.say("  Adam lr sweep: " + ", ".join(f"lr {lr:g}: {n} steps {fmt_s(s)}" for lr, (s, n) in sweep.items()))
        trainers = []

        def adam():
            trainers.append(Trainer(data, lr=0.3, reg=0.0, seed=SEED, method="counts", optimizer="adam"))
            return trainers[-1].run(1000, reached)

        pkg = timed(adam, self.repeats, warmup=1)
        gap = pkg.value.nll - optimum
        self.check(
            0 <= gap < 1e-3, f"Adam lr 0.3 ends {gap:.6f} above the optimum after {trainers[-1].steps_done} steps"
        )
        cold = run_case("adam-cold")
        cold_note = ""
        if "error" not in cold:
            c, w = cold["seconds"]["first (cold)"], cold["seconds"]["second (warm)"]
            cold_note = (
                f"; in a fresh process the first run takes {fmt_s(c)} (torch.optim's first use imports "
                f"torch._dynamo), the next {fmt_s(w)}"
            )
            self.say(f"  fresh process: first Adam run {fmt_s(c)}, second {fmt_s(w)}")
        ratio, cpu_ratio = lect_total / pkg.median, lect_total_cpu / pkg.cpu_median
        self.say(f"  package {pkg.describe()}; lecture (extrapolated) / package = {ratio:,.0f}x")
        self.rows.append(
            Row(
                "train to within 0.001 of the k=0 NLL, reg 0",
                f"{fmt_s(lect_total)} (CPU {fmt_s(lect_total_cpu)}), extrapolated: {steps:,} SGD steps",
                timing_cell(pkg),
                ratio,
                "< 50 ms",
                pkg.median < 0.05,
                f"Adam lr 0.3 on the counts form, {trainers[-1].steps_done} steps{cold_note}",
                cpu_ratio,
            )
        )

    def sample(self) -> None:
        self.say("\n[sample] 1,000 words from P = (N + 1) normalised, seed 2147483647")
        P = lecture.probabilities(lecture.count_matrix(self.words, self.stoi), k=1)
        vocab = self.model.vocab
        lect, pkg = timed_pair(
            lambda: lecture.sample(P, self.itos, 1000, SEED),
            lambda: sample(P, vocab, 1000, seed=SEED, mode="batched", max_len=200),
            self.slow_repeats,
            8 * self.slow_repeats,  # 2 ms a run: enough runs that one descheduled by a neighbour cannot move the median
        )
        seq = timed(lambda: sample(P, vocab, 1000, seed=SEED, max_len=200), self.slow_repeats)
        self.check(
            [s.word for s in seq.value] == lect.value, "package sequential mode draws the lecture's 1,000 words exactly"
        )
        lengths = torch.tensor([len(s.ids) for s in pkg.value], dtype=torch.float64)
        expected = expected_length(P)
        z = (lengths.mean().item() - expected) / (lengths.std().item() / math.sqrt(len(lengths)))
        self.check(
            not any(s.truncated for s in pkg.value) and abs(z) < 4,
            f"batched words have the model's mean length: {lengths.mean():.2f} vs exact {expected:.2f} "
            f"({z:+.1f} standard errors)",
        )
        self.check(
            [s.word for s in pkg.value] == lecture.sample_batched(P, self.itos, 1000, SEED, 200),
            "package batched mode draws the words of lecture.sample_batched (the notebook's code)",
        )
        self.say(f"  package sequential {seq.describe()}")
        row = self.compare(
            "sample 1,000 words",
            lect,
            pkg,
            30,
            "lecture: one multinomial per character; package: batched mode, one searchsorted per position in all "
            "rows' cumulative sums laid end to end, the words still going taken every 8 positions",
        )
        self.sampling_profile(P, lect)
        if not row.met:
            row.note += "; where the time goes: the sampling profile printed above"

    def sampling_profile(self, P: torch.Tensor, lect: Timing) -> None:
        """Where batched sampling spends its time: laying P out, the positions drawn, building the Sample objects.

        CPU-time medians (the machine is shared), each piece timed alone on the bench's own draw.
        """
        from bigram.sampling import BATCH_BLOCK, Walk, _samples, _walk

        vocab, n, max_len = self.model.vocab, 1000, 200
        lecture_draws = sum(len(w) + 1 for w in lect.value)  # one multinomial per character and one per end
        layout = timed(lambda: Walk.of(P), 51, warmup=3)
        walk = layout.value
        steps = timed(lambda: _walk(walk, n, torch.Generator().manual_seed(SEED), max_len), 51, warmup=3)
        offsets = steps.value
        build = timed(lambda: _samples(offsets, vocab, max_len), 51, warmup=3)
        whole = timed(lambda: sample(P, vocab, n, seed=SEED, mode="batched", max_len=max_len), 51, warmup=3)
        lengths = [len(s.ids) for s in build.value]
        going = [sum(length >= t for length in lengths) for t in range(0, offsets.shape[0], BATCH_BLOCK)]
        first = timed(lambda: _walk(walk, n, torch.Generator().manual_seed(SEED), BATCH_BLOCK), 51, warmup=3)

        self.say(
            f"  sampling profile (CPU medians): the lecture's loop makes {lecture_draws:,} multinomial calls, "
            f"{fmt_s(lect.cpu_median / lecture_draws)} each. Batched, {fmt_s(whole.cpu_median)} in all: "
            f"laying out P (V = {P.shape[0]}) {fmt_s(layout.cpu_median)}; "
            f"{offsets.shape[0]} positions (the longest word + its end, rounded up to a block of {BATCH_BLOCK}) "
            f"{fmt_s(steps.cpu_median)}, of which the first block (every word) {fmt_s(first.cpu_median)}; "
            f"words going at each block's start {going}; "
            f"turning the offsets into {n:,} Sample objects (ids, one decode, the words cut "
            f"from it) {fmt_s(build.cpu_median)}"
        )

    def smoothing(self) -> None:
        self.say("\n[smoothing] a step of the Smoothing page's k slider, script run time on the server")
        page = next(iter(sorted((ROOT / "pages").glob("*Smoothing*.py"))), None) if (ROOT / "pages").is_dir() else None
        if page is None:
            self.say("  pending: there is no Smoothing page yet")
            self.rows.append(
                Row("smoothing-slider rerun", "-", "pending", None, "< 100 ms", None, "no Smoothing page yet")
            )
            return
        try:
            t, values = self.slider_reruns(page)
        except _Pending as why:
            self.say(f"  pending: {why}")
            self.rows.append(Row("smoothing-slider rerun", "-", "pending", None, "< 100 ms", None, str(why)))
            return
        self.say(f"  {len(t.times)} slider steps (k = {', '.join(f'{v:g}' for v in values)}): {t.describe()}")
        self.rows.append(
            Row(
                "smoothing-slider rerun",
                "-",
                timing_cell(t),
                None,
                "< 100 ms",
                t.median < 0.1,
                f"{page.relative_to(ROOT)} through AppTest: the script's run after each new k, "
                f"median of {len(t.times)}",
            )
        )

    def slider_reruns(self, page: Path) -> tuple[Timing, list[float]]:
        """Open the page through app.py as a person does, then move the k slider to new values.

        AppTest runs the page's script in this process, as the server would on a rerun; the
        time of ``at.run()`` is the script's run (the server's side), not the browser's drawing.
        """
        try:
            import logging

            from streamlit.testing.v1 import AppTest

            # AppTest runs pages without a server; this warning says so on every run and means nothing here.
            logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
        except ImportError as exc:
            raise _Pending(f"streamlit is not installed ({exc})") from None
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        at.switch_page(str(page.relative_to(ROOT)))
        at.run()
        if at.exception:
            raise _Pending(f"the page raised {at.exception[0].value}")
        sliders = [w for w in list(at.select_slider) + list(at.slider) if getattr(w, "key", None) == "k"]
        if not sliders:
            raise _Pending(f"{page.name} has no slider with key 'k' yet")
        slider = sliders[0]
        values = [0.5, 2.0, 0.1, 5.0, 0.0, 10.0, 0.3, 3.0, 20.0, 0.01, 1.0][: 5 if self.quick else 11]
        t = Timing([], None, [])
        for v in values:
            slider = [w for w in list(at.select_slider) + list(at.slider) if getattr(w, "key", None) == "k"][0]
            slider.set_value(v)
            one = timed(at.run, 1)
            t.times += one.times
            t.cpu += one.cpu
            if at.exception:
                raise _Pending(f"the page raised {at.exception[0].value} at k = {v}")
        return t, values

    def methods(self) -> None:
        self.say("\n[methods] one training step on the 29,910 names, by method (median over the steps of one run)")
        data = TrainingData.from_words(self.words, self.model.vocab)
        for method, steps in (
            ("counts", 200),
            ("index", 10 if self.quick else 20),
            ("onehot", 10 if self.quick else 20),
        ):
            t = Trainer(data, lr=50, reg=0.01, seed=SEED, method=method)
            t.run(0)  # the first loss and gradient, so that each timed interval is one update + one evaluation
            stamps = [time.perf_counter()]
            t.run(steps, lambda *_, stamps=stamps: stamps.append(time.perf_counter()))
            per = Timing([b - a for a, b in zip(stamps, stamps[1:])])
            self.say(f"  {method:7s} {per.describe()} a step")

    # ------------------------------------------------------------------ scale rows
    def scale_1m(self) -> None:
        n = 200_000 if self.quick else 1_000_000
        self.say(f"\n[scale-1m] a list of {n:,} words (names with the start of another name glued on), in memory")
        path = Path(self.tmp.name) / f"words-{n}.txt"
        start = time.perf_counter()
        size = scale.write_words(path, scale.glued_names(n))
        self.say(f"  generated {path.name}: {fmt_mb(size)} in {fmt_s(time.perf_counter() - start)} (not timed below)")
        self.scale_words(path, f"{n:,} words", steps={"counts": (50, 0), "index": (3, 0), "onehot": (2, 0)})

    def scale_cjk(self) -> None:
        n, symbols = (50_000, 2_500) if self.quick else (200_000, 2_500)
        self.say(f"\n[scale-cjk] {n:,} words of 1-4 CJK ideographs drawn from {symbols:,} symbols (U+4E00 on)")
        path = Path(self.tmp.name) / "cjk.txt"
        size = scale.write_words(path, scale.cjk_words(n, symbols))
        self.say(f"  generated {path.name}: {fmt_mb(size)}")
        # index and onehot hold a V-wide row per bigram (onehot also multiplies it by V x V): a subset of the words
        self.scale_words(
            path, f"CJK, {symbols:,} symbols", steps={"counts": (10, 0), "index": (3, 5_000), "onehot": (2, 1_000)}
        )
        self.say(
            "  the heatmap: V x V is over 6 million cells, far more than a screen (or plotly) can show; "
            "the app shows the boundary and the most frequent symbols (figures.top_symbols) and says how many "
            "of V it shows"
        )

    def scale_words(self, path: Path, label: str, steps: dict[str, tuple[int, int]]) -> None:
        """The in-memory path on a generated list, then seconds per training step for each method.

        ``steps`` maps a method to (steps to time, words to train on: 0 for all of them).
        """
        res = run_case("words", str(path))
        if "error" in res:
            self.say(f"  failed: {res['error']}")
            return
        info, sec, peak = res["info"], res["seconds"], res["peak"]
        self.say(
            f"  {info['words']:,} words, V = {info['V']:,}, {info['bigrams']:,} bigrams, "
            f"{info['nonzero_cells']:,} of {info['V'] ** 2:,} cells used; NLL (k=1) {info['nll']:.4f}"
        )
        prev = peak["start"]
        for stage, s in sec.items():
            self.say(
                f"    {stage:30s} {fmt_s(s):>9} (CPU {fmt_s(res['cpu'][stage]):>9})   "
                f"peak RSS {fmt_mb(peak[stage])} (+{fmt_mb(max(peak[stage] - prev, 0))})"
            )
            prev = peak[stage]
        for method, (n, words) in steps.items():
            bigrams = info["bigrams"] if not words else None
            need = (
                (bigrams or words * 3.5) * info["V"] * (8 + 4 * 4)
            )  # one-hot int64 + float copies, logits, softmax, grad
            if method == "onehot" and not words and available_memory() and need > available_memory() / 2:
                self.say(
                    f"    step {method:7s} skipped: needs about {fmt_mb(need)} (one-hot rows of V floats per bigram), "
                    f"more than half of the {fmt_mb(available_memory())} available"
                )
                continue
            r = run_case("steps", str(path), method, str(n), str(words))
            if "error" in r:
                self.say(f"    step {method:7s} failed: {r['error']}")
                continue
            ri = r["info"]
            grown = r["peak"]["steps"] - r["peak"]["TrainingData"]
            scope = (
                f"on the first {words:,} words ({ri['bigrams']:,} bigrams)" if words else f"({ri['bigrams']:,} bigrams)"
            )
            self.say(
                f"    step {method:7s} {fmt_s(ri['step_median']):>9} a step "
                f"(CPU {fmt_s(ri['step_median_cpu'])}) {scope}, "
                f"peak RSS {fmt_mb(r['peak']['steps'])} "
                f"(+{fmt_mb(max(grown, 0))} for training)"
            )

    def scale_stream(self) -> None:
        nbytes = 10_000_000 if self.quick else 100_000_000
        self.say(f"\n[scale-stream] a {fmt_mb(nbytes)} file counted by bigram.stream.count_file in bounded memory")
        path = Path(self.tmp.name) / "big.txt"
        start = time.perf_counter()
        made = scale.write_big_file(path, nbytes)
        self.say(
            f"  generated {path.name}: {fmt_mb(made['bytes'])}, {made['lines']:,} lines (CRLF, 1 word in 50 accented) "
            f"in {fmt_s(time.perf_counter() - start)} (not timed below)"
        )
        results = {}
        chunks = [0] if self.quick else [1 << 16, 0, 1 << 20]
        for chunk in chunks:
            r = run_case("stream", str(path), str(chunk))
            if "error" in r:
                self.say(f"  stream failed: {r['error']}")
                return
            results[chunk] = r
            info, peak = r["info"], r["peak"]
            wall, cpu = r["seconds"]["count_file"], r["cpu"]["count_file"]
            self.say(
                f"  count_file, chunks of {info['chunk_bytes'] // 1024:,} KiB: {fmt_s(wall)} (CPU {fmt_s(cpu)}; "
                f"{made['bytes'] / wall / 1e6:.0f} MB/s, {made['bytes'] / cpu / 1e6:.0f} MB/s of CPU), "
                f"peak RSS {fmt_mb(peak['count_file'])}, "
                f"{fmt_mb(peak['count_file'] - peak['warm'])} above the warmed-up process"
            )
        r = results[0]
        self.say(f"  {r['info']['summary']}; V = {r['info']['V']}, {r['info']['bigrams']:,} bigrams")
        avail = available_memory()
        need = made["bytes"] * 40
        if self.quick or (avail and need > avail / 2):
            why = "--quick" if self.quick else f"it needs about {fmt_mb(need)}"
            self.say(f"  the whole-file comparison is skipped ({why})")
            return
        w = run_case("whole", str(path))
        if "error" in w:
            self.say(f"  whole-file read failed: {w['error']}")
            return
        self.check(
            w["info"]["N"] == r["info"]["N"] and w["info"]["words"] == r["info"]["words"],
            "streamed N and word count == read_words + CountModel.from_words on the whole file",
        )
        total = sum(w["seconds"].values())
        cpu = sum(w["cpu"].values())
        self.say(
            f"  the whole file at once: read_words {fmt_s(w['seconds']['read_words'])} + "
            f"CountModel {fmt_s(w['seconds']['CountModel.from_words'])}"
            f" = {fmt_s(total)} (CPU {fmt_s(cpu)}), peak RSS {fmt_mb(w['peak']['CountModel.from_words'])}, "
            f"{fmt_mb(w['peak']['CountModel.from_words'] - w['peak']['warm'])} above the warmed-up process"
        )

    def profile(self) -> None:
        self.say("\n[profile] where the in-memory path spends its time (parse_words -> Vocab -> encode -> bincount)")
        paths = {"names (29,910)": ROOT / "data" / "names.txt"}
        n = 200_000 if self.quick else 1_000_000
        p = Path(self.tmp.name) / f"words-{n}.txt"
        if not p.exists():
            scale.write_words(p, scale.glued_names(n))
        paths[f"{n:,} words"] = p
        c = Path(self.tmp.name) / "cjk.txt"
        if not c.exists():
            scale.write_words(c, scale.cjk_words(50_000 if self.quick else 200_000, 2_500))
        paths["CJK"] = c
        for label, path in paths.items():
            r = run_case("profile", str(path))
            if "error" in r:
                self.say(f"  {label}: failed: {r['error']}")
                continue
            self.say(f"  {label}: {r['info']['words']:,} words, V = {r['info']['V']:,}")
            for stage, s in r["seconds"].items():
                self.say(f"    {stage:45s} {fmt_s(s):>9} (CPU {fmt_s(r['cpu'][stage]):>9})")
            self.say(
                "    cProfile of parse_words + CountModel.from_words, top entries by own time "
                "(the profiler slows Python calls):"
            )
            for line in r["info"]["cprofile"][:6]:
                self.say(f"      {line}")

    # ------------------------------------------------------------------ corpus mode (bench/corpus_rows.py)
    def count(self) -> None:
        corpus_rows.count(self, Row)

    def merge(self) -> None:
        corpus_rows.merge(self, Row)

    def dask(self) -> None:
        corpus_rows.dask(self, Row)

    # ------------------------------------------------------------------ output
    def table(self) -> None:
        self.say("\nWall-clock medians, CPU-time medians in brackets; targets are judged on wall time.")
        self.say("\n| row | lecture (median) | package (median) | ratio | target | met? | how |")
        self.say("| --- | --- | --- | --- | --- | --- | --- |")
        for r in self.rows:
            ratio = f"{r.ratio:,.0f}x" if r.ratio is not None else "-"
            if r.cpu_ratio is not None:
                ratio += f" ({r.cpu_ratio:,.0f}x CPU)"
            met = {True: "yes", False: "**no**", None: "pending"}[r.met]
            self.say(f"| {r.name} | {r.lecture} | {r.package} | {ratio} | {r.target} | {met} | {r.note} |")


class _Pending(Exception):
    """The row cannot be measured yet (the page or widget does not exist)."""


def expected_length(P: torch.Tensor) -> float:
    """Exact expected number of symbols in a sampled word: solve E = Q (1 + E), Q = P without the end column.

    From state i, the next symbol j != 0 adds one and continues from j; j = 0 ends the word.
    """
    Q = P.double().clone()
    Q[:, 0] = 0
    V = P.shape[0]
    E = torch.linalg.solve(torch.eye(V, dtype=torch.float64) - Q, Q.sum(1, keepdim=True))
    return float(E[0, 0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats and smaller scale inputs (a couple of minutes)"
    )
    parser.add_argument("--only", help=f"comma-separated rows to run: {', '.join(ROWS)}")
    parser.add_argument(
        "--case", nargs="+", metavar=("NAME", "ARG"), help=argparse.SUPPRESS
    )  # a scale case, in a child process
    args = parser.parse_args(argv)
    if args.case:
        scale.CASES[args.case[0]](*args.case[1:]).dump()
        return 0
    only = [r.strip() for r in args.only.split(",")] if args.only else list(ROWS)
    unknown = [r for r in only if r not in ROWS]
    if unknown:
        parser.error(f"unknown row(s) {', '.join(unknown)}; rows are: {', '.join(ROWS)}")
    bench = Bench(args.quick)
    bench.say("Bigram Lab benchmark: " + " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]))
    for key, value in machine().items():
        bench.say(f"  {key}: {value}")
    bench.say("  torch runs on 1 thread (torch.set_num_threads(1)), as the app does")
    start = time.perf_counter()
    for row in ROWS:
        if row in only:
            getattr(bench, row.replace("-", "_"))()
    bench.table()
    bench.say(
        f"\ntotal {fmt_s(time.perf_counter() - start)}; load average now {machine()['load average (1, 5, 15 min)']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
