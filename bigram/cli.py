"""``python -m bigram``: the terminal twin of the app.

    python -m bigram stats data/names.txt
    python -m bigram score names --smoothing 1 --word emma --json
    python -m bigram sample names -n 5 --seed 2147483647 --smoothing 1
    python -m bigram train names --steps 100 --lr 50 --reg 0.01 --method counts --json

FILE is a path or the name of a built-in list (``names``, ``surnames``, ...). Every
subcommand takes ``--json`` for machines. Bad input or a bad flag prints one line on
stderr and exits with status 2. Every numeric flag has the range the app has
(``bigram.limits``), and every path must be a regular file of bounded size. What is printed
for people escapes the characters a terminal would act on (a model file's symbols, a file's
header, a typed word may carry escape sequences).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from pathlib import Path

import torch

from . import builtin, limits
from .compare import compare_lists
from .counting import CountModel, evaluate, score_counts, score_word, smoothed_nll
from .defaults import (
    EXCHANGE_REGS,
    FIT_STEPS,
    LECTURE_K,
    NET_SEED,
    SAMPLE_SEED,
    SMOOTHING_GRID,
    SPLIT_SEED,
    TRAIN_LR,
    TRAIN_REG,
    TRAIN_STEPS,
)
from .errors import BigramError
from .exchange import exchange_rates
from .files import check_output, shown_name
from .modelfile import ModelFile, load_model, to_csv, to_safetensors
from .neural import METHODS, OPTIMIZERS, Trainer, TrainingData
from .ngram import CONTEXTS, PADDINGS, NgramModel, check_size, training_data, tune
from .sampling import DEFAULT_MAX_LEN, MODES, sample
from .vocab import Vocab
from .wordlist import CleanReport, WordList, read_words

#: The pages ``notebook --page`` writes (bigram.notebook.PAGES; kept here so the parser needs no nbformat).
NOTEBOOK_PAGES = ("home", "data", "counts", "smoothing", "neural-net", "sample", "contexts", "exercises")


class _Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line and exit 2 like every other refusal."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise BigramError(f"{message} (see: {self.prog} --help)")


def _shown(text: str) -> str:
    """A flag's value in a message: quoted, and cut if it is long."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _number(lo: float, hi: float, why: str = ""):
    """A float flag in [lo, hi] (``bigram.limits``); ``why`` says what the bound is for."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{_shown(text)} must be a finite number")
        if value < 0:
            raise argparse.ArgumentTypeError(f"{_shown(text)} must be a number >= 0")
        if lo > 0 and value == 0:
            raise argparse.ArgumentTypeError(f"{_shown(text)} must be > 0")
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{_shown(text)} must be between {lo:g} and {hi:g}{why}")
        return value

    return parse


def _count(minimum: int, maximum: int, why: str = ""):
    """A whole-number flag in [minimum, maximum] (``bigram.limits``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{_shown(text)} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{_shown(text)} must be at least {minimum}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"{_shown(text)} must be at most {maximum:,}{why}")
        return value

    return parse


_smoothing = _number(0.0, limits.SMOOTHING_MAX, ": far larger k only makes every row of P uniform")
_seed = _count(0, limits.SEED_MAX, " (2**53 - 1, exact in a browser and a link)")
_steps = _count(0, limits.STEPS_MAX, " a run, as in the app")
_reg = _number(0.0, limits.REG_MAX, ": softmax(W) is already nearly uniform at 10")
_length = _count(1, limits.WORD_FILE_MAX_BYTES, ": no word is longer than the largest word list read")

#: Characters a terminal acts on or that reorder or break the line: C0 and C1 controls, DEL, the line and
#: paragraph separators, the bidirectional embeddings, overrides and isolates, and lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Of those, the ones ``json.dumps(..., ensure_ascii=False)`` leaves raw (it escapes \x00-\x1f itself).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    """Text for a terminal: every character it would act on written as a Python escape (``\\x1b``, ``\\u202e``)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def _json_text(value, indent: int | None = None) -> str:
    """JSON with those characters as \\u escapes: the same values, safe to print."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _say(text: str) -> None:
    print(terminal_safe(text))


def load(path: str, args: argparse.Namespace) -> WordList:
    """A path, or failing that the name of a built-in list."""
    p = Path(path)
    if not p.exists() and not p.is_symlink():
        found = builtin.find_builtin(path)
        if found is not None:
            p = found.path
    try:
        return read_words(
            p,
            lowercase=not args.keep_case,
            dedupe=args.dedupe,
            min_len=args.min_len,
            max_len=args.max_len,
            csv_column=args.column,
        )
    except BigramError as exc:
        if "the limit here" in str(exc) or "larger than the limit" in str(exc):  # too many words, too many bytes
            raise BigramError(
                f"{exc}; a list this large is counted in bounded memory by "
                f"`python -m bigram count {path} -o counts.safetensors`, and the counts file can be FILE here"
            ) from None
        raise


def _is_model_file(path: str | None) -> bool:
    """A .safetensors FILE is a counts file (from ``count``, ``merge`` or ``export``), not a word list."""
    return path is not None and Path(path).suffix.lower() == ".safetensors"


def _counts_model(path: str) -> tuple[ModelFile, CountModel]:
    mf = _load_model(path)
    if mf.kind != "counts":
        raise BigramError(
            f"{Path(path).name} holds {mf.kind}; FILE must be a word list or a counts file "
            "(give a model file of probabilities or weights with --model)"
        )
    return mf, CountModel(vocab=mf.vocab, N=mf.tensor, words=int(mf.tensor[0].sum()))


def _model(args) -> tuple[WordList | None, CountModel]:
    """FILE's words and counts; for a counts file, its counts alone (None for the words)."""
    if _is_model_file(args.file):
        return None, _counts_model(args.file)[1]
    wl = load(args.file, args)
    return wl, CountModel.from_words(wl.words)


def cmd_stats(args) -> dict:
    wl, m = _model(args)
    if wl is None:
        from .corpus import corpus_of

        name = Path(args.file).name
        total = corpus_of(_counts_model(args.file)[0], name).total  # its header checked, field by field
        report = CleanReport(name, "counts file", total.lines_read, total.kept, dict(total.dropped))
        wl = WordList(words=[], report=report)
    return {
        "words": m.words,
        "bigrams": m.bigrams,
        "vocab_size": m.V,
        "symbols": list(m.vocab.symbols),
        "boundary": m.vocab.boundary,
        "duplicates": wl.report.duplicates,
        "top_bigrams": [[pair, count] for pair, count in m.top_bigrams(args.top)],
        "report": wl.report.to_dict(),
    }


def _load_model(path: str) -> ModelFile:
    """A model file for the command line: as many symbols as a word list may have here."""
    return load_model(path, max_symbols=limits.VOCAB_MAX)


def cmd_score(args) -> dict:
    if args.model:
        # FILE is the list to score; the model comes from the file.
        mf = _load_model(args.model)
        vocab, logP = mf.vocab, mf.log_probabilities(args.smoothing)
        target = load(args.file, args).words
    elif args.context > 1:
        if args.word is not None:
            raise BigramError("--word writes out a word's bigrams; use it with --context 1")
        wl = load(args.file, args)
        target = load(args.eval, args).words if args.eval else wl.words
        vocab = Vocab.from_words(wl.words + (target if args.eval else []))
        ng = NgramModel.from_words(wl.words, args.context, args.padding, vocab=vocab)
        return {
            "smoothing": args.smoothing,
            "context": args.context,
            "padding": args.padding,
            **ng.evaluate(target, args.smoothing).to_dict(),
        }
    else:
        wl, m = _model(args)
        vocab, logP = m.vocab, m.log_probabilities(args.smoothing)
        target = load(args.eval, args).words if args.eval else None if wl is None else wl.words
    if target is None:  # a counts file scored on its own counts: the loss depends on the data only through N
        score = score_counts(m.N, logP, vocab, m.words, max_impossible=limits.TOP_MAX)
    else:
        score = evaluate(target, logP, vocab)
    out = {"smoothing": args.smoothing, **score.to_dict()}
    if args.word is not None:
        word = args.word.strip()
        ws = score_word(word if args.keep_case else word.lower(), logP, vocab)
        out["word"] = ws.word
        out["word_nll"] = ws.nll
        out["pairs"] = [p.to_dict() for p in ws.pairs]
    return out


def cmd_sample(args) -> dict:
    if args.model:
        mf = _load_model(args.model)
        vocab, P = mf.vocab, mf.probabilities(args.smoothing)
    elif args.file is None:
        raise BigramError("give a word list FILE or --model MODEL to sample from")
    elif args.context > 1:
        if args.mode != "sequential" or args.temperature != 1.0:
            raise BigramError("longer contexts sample in sequential mode at temperature 1")
        if args.padding != "full":
            raise BigramError("a model with single padding never learned how words start; sample with --padding full")
        wl = load(args.file, args)
        ng = NgramModel.from_words(wl.words, args.context, "full")
        words = ng.sample(args.n, k=args.smoothing, seed=args.seed, max_len=args.max_len_sample)
        return {
            "samples": words,
            "seed": args.seed,
            "mode": "sequential",
            "context": args.context,
            "torch": torch.__version__,
        }
    else:
        _, m = _model(args)
        vocab, P = m.vocab, m.probabilities(args.smoothing)
    drawn = sample(
        P, vocab, args.n, seed=args.seed, mode=args.mode, temperature=args.temperature, max_len=args.max_len_sample
    )
    return {
        "samples": [s.word for s in drawn],
        "truncated": [s.word for s in drawn if s.truncated],
        "seed": args.seed,
        "mode": args.mode,
        "torch": torch.__version__,
    }


def _train(args):
    wl, m = _model(args)
    context = getattr(args, "context", 1)
    if wl is None:  # a counts file: the counts form needs only N (the same loss and gradient)
        if context > 1 or args.method != "counts":
            raise BigramError("a counts file holds no words: train it with --method counts and --context 1")
        data = TrainingData.from_counts(m.N)
    elif context > 1:
        if args.method == "onehot":
            raise BigramError(
                f"--method onehot would build a {m.V**context:,}-wide one-hot per prediction; "
                f"use index or counts for --context {context}"
            )
        check_size(m.V, context)
        data = training_data(wl.words, m.vocab, context, args.padding)
    else:
        data = TrainingData.from_words(wl.words, m.vocab)
    if args.method != "counts" and data.bigrams * data.V > limits.DENSE_MAX_ELEMENTS:
        raise BigramError(
            f"--method {args.method} builds a {data.bigrams:,} x {data.V:,} matrix "
            f"({data.bigrams * data.V * 4 / 1e9:.1f} GB) every step on this list; "
            "use --method counts, which gives the same loss and gradient"
        )
    trainer = Trainer(data, lr=args.lr, reg=args.reg, seed=args.seed, method=args.method, optimizer=args.optimizer)
    return m, data, trainer.run(args.steps)


def cmd_train(args) -> dict:
    m, data, result = _train(args)
    return {
        "loss": result.loss,
        "nll": result.nll,
        "history": result.history,
        "seconds": result.seconds,
        "steps": args.steps,
        "method": args.method,
        "optimizer": args.optimizer,
        "context": getattr(args, "context", 1),
        # The counting model's NLL at k = 0 (on the same count table): the optimum the net's data term tends to.
        "counting_nll": smoothed_nll(data.N, 0.0),
    }


def cmd_tune(args) -> dict:
    """Exercises E02 and E03: split, sweep smoothing on dev, evaluate test once at the chosen k."""
    wl = load(args.file, args)
    _check_sweep("--ks", args.ks)
    ks = args.ks or SMOOTHING_GRID
    return tune(wl.words, args.context, args.padding, split_seed=args.split_seed, ks=ks).to_dict()


def cmd_compare(args) -> dict:
    a, b = load(args.file, args).words, load(args.other, args).words
    c = compare_lists(a, b, k=args.smoothing)
    rows = lambda items: [{"bigram": g, "log_ratio": r, "count_a": x, "count_b": y} for g, r, x, y in items]  # noqa: E731
    return {
        "a": args.file,
        "b": args.other,
        "smoothing": args.smoothing,
        "a_on_a": c.a_on_a,
        "a_on_b": c.a_on_b,
        "b_on_b": c.b_on_b,
        "b_on_a": c.b_on_a,
        "typical_of_a": rows(c.most_distinctive(args.top, "a")),
        "typical_of_b": rows(c.most_distinctive(args.top, "b")),
    }


def cmd_knob(args) -> dict:
    """For each regularisation strength, the smoothing k it is worth: same NLL, and closest P in KL (``k``)."""
    _check_sweep("--reg", args.reg)
    _, m = _model(args)
    return {"rows": [e.to_dict() for e in exchange_rates(m.N, args.reg, steps=args.steps)]}


def _check_sweep(flag: str, values: list | None) -> None:
    if values is not None and len(values) > limits.SWEEP_MAX_VALUES:
        raise BigramError(f"{flag} takes at most {limits.SWEEP_MAX_VALUES} values, got {len(values):,}")


def _num(value: float, places: int) -> str:
    """A number for people, the one place they are formatted: never a negative zero (``-0.000000`` for a loss of
    zero), and infinity and NaN as the words ``inf`` and ``nan``."""
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    text = f"{value:.{places}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def _print_human(command: str, out: dict) -> None:
    if command == "stats":
        _say(
            f"{out['words']:,} words, {out['bigrams']:,} bigrams, {out['vocab_size']} symbols "
            f"(boundary {out['boundary']!r})"
        )
        _say("symbols: " + "".join(out["symbols"]))
        _say("most frequent bigrams: " + ", ".join(f"{p} {c:,}" for p, c in out["top_bigrams"]))
        _say(out["report"]["source"] + ": " + _summary(out["report"]))
    elif command == "score":
        _say(
            f"NLL {_num(out['nll'], 6)} per bigram over {out['bigrams']:,} bigrams, "
            f"perplexity {_num(out['perplexity'], 4)} "
            f"(smoothing {out['smoothing']:g})"
        )
        for pair, count in out["impossible"][:5]:
            _say(f"  impossible bigram {pair!r} occurs {count:,} times: its probability is 0 under this model")
        if "pairs" in out:
            for p in out["pairs"]:
                _say(f"  {p['bigram']}: p = {_num(p['prob'], 4)}, log p = {_num(p['logprob'], 4)}")
            _say(f"  {out['word']}: NLL {_num(out['word_nll'], 4)}")
    elif command in ("count", "merge"):
        _say(f"wrote {out['output']} ({out['bytes_written']:,} bytes) in {_num(out['seconds'], 1)} s: {out['summary']}")
        for reason, shown in out["examples"].items():
            # Quoted, not repr(): _say already writes control characters as escapes, and would double repr's.
            _say(f"  dropped for {reason}: " + ", ".join(f"'{x}'" for x in shown))
        if out["files"] > 1:
            for f in out["per_file"]:
                _say(f"  {f['name']}: {f['lines_read']:,} lines read, {f['kept']:,} kept ({f['encoding']})")
    elif command == "sample":
        for w in out["samples"]:
            _say(w)
    elif command in ("export", "inspect", "tune", "compare", "knob"):
        print(_json_text(_json_safe(out, words=True), indent=1))
    elif command == "notebook":
        _say(f"wrote {out['output']}: the {out['page']} page, {out['cells']} cells, {out['bytes']:,} bytes")
        for path in out["beside"]:
            _say(f"  and {path}, the list it reads: keep it beside the notebook")
    elif command == "train":
        _say(
            f"loss {_num(out['loss'], 6)} (NLL {_num(out['nll'], 6)}) after {out['steps']} steps "
            f"in {out['seconds'] * 1000:.1f} ms "
            f"[{out['method']}, {out['optimizer']}]; counting model NLL {_num(out['counting_nll'], 6)}"
        )


def _summary(report: dict) -> str:
    dropped = sum(report["dropped"].values())
    return f"{report['lines_read']:,} lines read, {report['kept']:,} kept, {dropped:,} dropped ({report['encoding']})"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m bigram", description="The character-level bigram language model of makemore, part 1."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def contexts(p):
        p.add_argument(
            "--context",
            type=int,
            choices=CONTEXTS,
            default=1,
            help="previous symbols used: 1 bigram, 2 trigram, 3 4-gram",
        )
        p.add_argument(
            "--padding",
            choices=PADDINGS,
            default="full",
            help="full: as many start tokens as the context (every symbol predicted); single: one start token",
        )
        return p

    def training_flags(p):
        """How to train the net: for ``train``, and for ``export --what weights``."""
        p.add_argument("--steps", type=_steps, default=TRAIN_STEPS, help=f"at most {limits.STEPS_MAX:,}")
        p.add_argument(
            "--lr",
            type=_number(limits.LR_MIN, limits.LR_MAX),
            default=TRAIN_LR,
            help=f"learning rate, {limits.LR_MIN:g} to {limits.LR_MAX:g}",
        )
        p.add_argument("--reg", type=_reg, default=TRAIN_REG, help=f"regularisation, 0 to {limits.REG_MAX:g}")
        p.add_argument("--seed", type=_seed, default=NET_SEED, help="the seed of the initial W")
        p.add_argument("--method", choices=METHODS, default="counts")
        p.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
        return p

    def common(p, file_optional: bool = False):
        p.add_argument(
            "file",
            nargs="?" if file_optional else None,
            help="a word list (one word per line, or a .csv) or a built-in list's name",
        )
        p.add_argument("--json", action="store_true", help="print JSON for machines")
        p.add_argument("--column", help="the CSV column holding the words")
        p.add_argument("--keep-case", action="store_true", help="do not lowercase the words")
        p.add_argument("--dedupe", action="store_true", help="drop repeated words")
        p.add_argument("--min-len", type=_length, default=1, help="drop words shorter than this")
        p.add_argument("--max-len", type=_length, default=None, help="drop words longer than this")
        return p

    p = common(sub.add_parser("stats", help="words, bigrams, vocabulary, most frequent bigrams"))
    p.add_argument("--top", type=_count(0, limits.TOP_MAX), default=10)
    p = common(sub.add_parser("score", help="average negative log-likelihood and perplexity"))
    p.add_argument(
        "--model", help="score FILE under this model file (.safetensors or .csv) instead of FILE's own counts"
    )
    contexts(p)
    p.add_argument(
        "--smoothing",
        "-k",
        type=_smoothing,
        default=0.0,
        help=f"add-k smoothing, 0 to {limits.SMOOTHING_MAX:g} (default 0)",
    )
    p.add_argument("--eval", help="score this list instead of FILE itself")
    p.add_argument("--word", help="show one word's bigrams and probabilities")
    p = common(sub.add_parser("sample", help="draw new words"), file_optional=True)
    p.add_argument("--model", help="sample from this model file (.safetensors or .csv); FILE may then be omitted")
    contexts(p)
    p.add_argument(
        "-n",
        type=_count(0, limits.SAMPLE_MAX, ", as in the app"),
        default=10,
        help=f"how many words, at most {limits.SAMPLE_MAX}",
    )
    p.add_argument("--seed", type=_seed, default=SAMPLE_SEED, help="the seed of the sampler")
    p.add_argument(
        "--smoothing",
        "-k",
        type=_smoothing,
        default=LECTURE_K,
        help=f"add-k smoothing, 0 to {limits.SMOOTHING_MAX:g} (default 1, as in the lecture)",
    )
    p.add_argument("--mode", choices=MODES, default="sequential")
    p.add_argument(
        "--temperature",
        type=_number(limits.TEMPERATURE_MIN, limits.TEMPERATURE_MAX),
        default=1.0,
        help=f"{limits.TEMPERATURE_MIN:g} to {limits.TEMPERATURE_MAX:g}",
    )
    p.add_argument(
        "--max-len-sample",
        "--max-length",
        dest="max_len_sample",
        type=_count(1, limits.MAX_LEN_MAX),
        default=DEFAULT_MAX_LEN,
        help=f"stop a word at this many symbols (at most {limits.MAX_LEN_MAX})",
    )
    p = training_flags(common(sub.add_parser("train", help="train the one-layer neural net")))
    contexts(p)
    p = common(sub.add_parser("tune", help="split 80/10/10, sweep smoothing on dev, report test once (E02, E03)"))
    contexts(p)
    p.add_argument("--split-seed", type=_seed, default=SPLIT_SEED)
    p.add_argument(
        "--ks",
        type=_smoothing,
        nargs="+",
        help=f"smoothing values to try (default: the app's grid; at most {limits.SWEEP_MAX_VALUES})",
    )
    p = common(sub.add_parser("compare", help="what distinguishes two lists, and each model's loss on the other"))
    p.add_argument("other", help="the second word list (path or built-in name)")
    p.add_argument("--smoothing", "-k", type=_smoothing, default=LECTURE_K)
    p.add_argument("--top", type=_count(1, limits.TOP_MAX), default=10)
    p = common(sub.add_parser("knob", help="the smoothing k that matches each regularisation strength"))
    p.add_argument("--reg", type=_reg, nargs="+", default=list(EXCHANGE_REGS))
    p.add_argument("--steps", type=_count(1, limits.STEPS_MAX), default=FIT_STEPS)
    p = common(sub.add_parser("export", help="save counts, P or trained W as .safetensors or .csv"))
    p.add_argument("--what", choices=("counts", "probabilities", "weights"), default="counts")
    p.add_argument("--output", "-o", required=True, help="the file to write (.safetensors or .csv)")
    p.add_argument("--smoothing", "-k", type=_smoothing, default=LECTURE_K, help="for probabilities (default 1)")
    training_flags(p)
    p = common(sub.add_parser("notebook", help="a page of the app as a notebook (.ipynb) or script (.py)"))
    p.add_argument("--page", choices=NOTEBOOK_PAGES, default="home", help="the page whose numbers it rebuilds")
    p.add_argument("--output", "-o", required=True, help="the file to write: .ipynb, or .py for a script")
    p.add_argument("--smoothing", "-k", type=_smoothing, default=LECTURE_K, help="add-k smoothing (default 1)")
    p.add_argument("--seed", type=_seed, default=SAMPLE_SEED, help="the seed of the sampler")
    p.add_argument("--net-seed", type=_seed, default=NET_SEED, help="the seed of the net's initial W")
    p.add_argument("--steps", type=_steps, default=TRAIN_STEPS)
    p.add_argument("--lr", type=_number(limits.LR_MIN, limits.LR_MAX), default=TRAIN_LR)
    p.add_argument("--reg", type=_reg, default=TRAIN_REG)
    p.add_argument("--method", choices=METHODS, default="counts")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
    p.add_argument("--context", type=int, choices=CONTEXTS, default=2, help="previous symbols (the page's default 2)")
    p.add_argument("--padding", choices=PADDINGS, default="full")
    p.add_argument("--split-seed", type=_seed, default=SPLIT_SEED)
    p.add_argument("--context-reg", type=_reg, default=0.001, help="regularisation of the n-gram net")
    p.add_argument("-n", type=_count(0, limits.SAMPLE_MAX), default=10, help="how many words to sample")
    p.add_argument("--temperature", type=_number(limits.TEMPERATURE_MIN, limits.TEMPERATURE_MAX), default=1.0)
    p.add_argument(
        "--max-len-sample",
        "--max-length",
        dest="max_len_sample",
        type=_count(1, limits.MAX_LEN_MAX),
        default=DEFAULT_MAX_LEN,
    )
    p.add_argument("--mode", choices=MODES, default="sequential")
    p.add_argument("--source", choices=("counts", "net"), default="counts", help="sample from the counts or the net")
    p.add_argument("--word", help="the word to follow (home) or score (smoothing)")
    p.add_argument("--row", type=_count(0, limits.VOCAB_MAX), help="the row of P shown, or the net's input symbol")
    p.add_argument("--other", help="the list the exercises compare with (default: surnames, or names for surnames)")
    p = sub.add_parser(
        "count", help="count the bigrams of files of any size (text or gzip) into a counts file, in bounded memory"
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="text files, one word per line (gzip is recognised)")
    p.add_argument("--output", "-o", required=True, help="the counts file to write (.safetensors)")
    p.add_argument("--json", action="store_true", help="print JSON for machines (and no progress bar)")
    p.add_argument("--keep-case", action="store_true", help="do not lowercase the words")
    p.add_argument("--min-len", type=_length, default=1, help="drop words shorter than this")
    p.add_argument("--max-len", type=_length, default=None, help="drop words longer than this")
    p.add_argument("--engine", choices=("local", "dask"), default="local", help="this process, or a Dask cluster")
    p.add_argument("--scheduler", help="the address of a running Dask scheduler (tcp://HOST:8786); --engine dask")
    p.add_argument(
        "--workers",
        type=_count(1, limits.DASK_LOCAL_WORKERS_MAX),
        default=2,
        help="worker processes of the local cluster --engine dask starts without --scheduler",
    )
    p.add_argument(
        "--shard-mb",
        type=_count(1, limits.SHARD_MB_MAX),
        default=64,
        help="the size of a shard of a file for --engine dask, in MB (cut at line starts)",
    )
    p = sub.add_parser("merge", help="add up counts files, whatever their vocabularies, exactly")
    p.add_argument("files", nargs="+", metavar="COUNTS", help="counts files (.safetensors, from count or export)")
    p.add_argument("--output", "-o", required=True, help="the counts file to write (.safetensors)")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    p = sub.add_parser("inspect", help="what a model file holds")
    p.add_argument("file", help="a .safetensors or .csv model file")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    return parser


def cmd_export(args) -> dict:
    """Write the counts, P or a freshly trained W to a data-only file (.safetensors or .csv)."""
    out = check_output(args.output, suffixes=(".safetensors", ".csv"), inputs=[args.file])
    meta = {"source": shown_name(args.file)}
    if args.what == "weights":
        m, _, result = _train(args)
        tensor = result.W
        meta.update(steps=args.steps, lr=args.lr, reg=args.reg, seed=args.seed, loss=result.loss)
    else:
        _, m = _model(args)
        tensor = m.N if args.what == "counts" else m.probabilities(args.smoothing)
        if args.what == "probabilities":
            meta["smoothing"] = args.smoothing
    mf = ModelFile(kind=args.what, tensor=tensor, vocab=m.vocab, meta=meta)
    try:
        if out.suffix.lower() == ".csv":
            out.write_text(to_csv(mf), encoding="utf-8")
        else:
            out.write_bytes(to_safetensors(mf))
    except OSError as exc:
        raise BigramError(f"cannot write {out}: {exc.strerror or exc}") from None
    return {
        "output": str(out),
        "kind": mf.kind,
        "shape": list(mf.tensor.shape),
        "vocab_size": len(mf.vocab),
        "bytes": out.stat().st_size,
    }


def _progress(total: int, args):
    """A progress bar in bytes on stderr, only where a person watches it (a terminal, and no --json)."""
    from tqdm import tqdm

    quiet = args.json or not sys.stderr.isatty()
    return tqdm(total=total, unit="B", unit_scale=True, desc="counting", file=sys.stderr, disable=quiet, leave=False)


def _corpus_out(corpus, out: Path, seconds: float) -> dict:
    from .corpus import write_counts

    meta = corpus.meta()
    result = {
        "output": str(out),
        "bytes_written": 0,
        "seconds": seconds,
        "files": corpus.file_count,
        "bytes_read": corpus.bytes_read,
        "words": corpus.words,
        "bigrams": int(corpus.N.sum()),
        "vocab_size": len(corpus.vocab),
        "symbols": list(corpus.vocab.symbols),
        "lines_read": corpus.total.lines_read,
        "kept": corpus.total.kept,
        "dropped": dict(corpus.total.dropped),
        "examples": meta["corpus"]["examples"],
        "per_file": corpus.files,
        "summary": corpus.summary(),
    }
    result["bytes_written"] = write_counts(corpus.model_file(), out)  # last: everything above can still refuse
    return result


def cmd_count(args) -> dict:
    """Stream every file into one counts file: a model file of kind counts, its report in the metadata."""
    import time

    from .corpus import Cleaning, count_files, open_corpus_file

    out = check_output(args.output)
    if args.scheduler and args.engine != "dask":
        raise BigramError("--scheduler is the address of a Dask scheduler: give it with --engine dask")
    total = sum(open_corpus_file(path)[1] for path in args.files)  # every file checked before any is read
    cleaning = Cleaning(lowercase=not args.keep_case, min_len=args.min_len, max_len=args.max_len)
    if args.max_len is not None and args.max_len < args.min_len:
        raise BigramError(f"the maximum word length ({args.max_len}) is below the minimum ({args.min_len})")
    start = time.perf_counter()
    with _progress(total, args) as bar:
        if args.engine == "dask":
            from .cluster import count_files_on, dask_client

            with dask_client(args.scheduler, args.workers) as client:
                corpus = count_files_on(
                    client,
                    args.files,
                    cleaning,
                    max_vocab=limits.VOCAB_MAX,
                    shard_bytes=args.shard_mb * limits.MB,
                    progress=bar.update,
                )
        else:
            corpus = count_files(args.files, cleaning, max_vocab=limits.VOCAB_MAX, progress=bar.update)
    return {"engine": args.engine, **_corpus_out(corpus, out, time.perf_counter() - start)}


def cmd_merge(args) -> dict:
    """Counts files added up one at a time over the union of their vocabularies; cleaning settings must agree."""
    import time

    from .corpus import corpus_of, merge_corpora

    out = check_output(args.output)
    start = time.perf_counter()
    parts = ((Path(path).name, corpus_of(_load_model(path), Path(path).name)) for path in args.files)
    corpus = merge_corpora(parts, max_vocab=limits.VOCAB_MAX)
    return {"merged": len(args.files), **_corpus_out(corpus, out, time.perf_counter() - start)}


def cmd_inspect(args) -> dict:
    mf = _load_model(args.file)
    return {
        "kind": mf.kind,
        "shape": list(mf.tensor.shape),
        "vocab_size": len(mf.vocab),
        "symbols": list(mf.vocab.symbols),
        "boundary": mf.vocab.boundary,
        "meta": mf.meta,
    }


def cmd_notebook(args) -> dict:
    """One page as a notebook or script that rebuilds its numbers with torch alone; large lists go beside it."""
    from .notebook import ListData, Settings, build

    other_name = None
    if args.page == "exercises":
        other_name = args.other or ("names" if Path(args.file).stem == "surnames" else "surnames")
    inputs = [args.file, other_name]
    # The notebook and the lists it writes beside it, checked as every output is, before any work.
    out = check_output(args.output, suffixes=(".ipynb", ".py"), inputs=inputs)
    for role in ("words", "other"):
        check_output(out.with_name(f"{out.stem}.{role}.txt"), suffixes=(".txt",), inputs=inputs)

    def listed(name: str, role: str) -> ListData:
        found = builtin.find_builtin(name) if not Path(name).exists() else None
        title = found.title if found else shown_name(name)
        return ListData(title, tuple(load(name, args).words), f"{out.stem}.{role}.txt")

    other = listed(other_name, "other") if other_name else None
    settings = Settings(
        k=args.smoothing,
        seed=args.seed,
        net_seed=args.net_seed,
        lr=args.lr,
        steps=args.steps,
        reg=args.reg,
        method=args.method,
        optimizer=args.optimizer,
        context=args.context,
        padding=args.padding,
        split_seed=args.split_seed,
        ctx_reg=args.context_reg,
        temperature=args.temperature,
        n=args.n,
        max_len=args.max_len_sample,
        mode=args.mode,
        source=args.source,
        word=args.word,
        row=args.row,
    )
    nb = build(args.page, listed(args.file, "words"), settings, other=other)
    written = [(out, nb.script() if out.suffix.lower() == ".py" else nb.ipynb())]
    written += [(out.with_name(name), content) for name, content in nb.beside]
    try:
        for path, content in written:
            path.write_bytes(content)
    except OSError as exc:
        raise BigramError(f"cannot write {path}: {exc.strerror or exc}") from None
    return {
        "output": str(out),
        "page": nb.page,
        "cells": len(nb.node.cells),
        "bytes": out.stat().st_size,
        "beside": [str(path) for path, _ in written[1:]],
    }


COMMANDS = {
    "stats": cmd_stats,
    "score": cmd_score,
    "sample": cmd_sample,
    "train": cmd_train,
    "export": cmd_export,
    "inspect": cmd_inspect,
    "tune": cmd_tune,
    "compare": cmd_compare,
    "knob": cmd_knob,
    "notebook": cmd_notebook,
    "count": cmd_count,
    "merge": cmd_merge,
}


def _json_safe(value, words: bool = False):
    """JSON has no infinity: write it as null (for machines) or as the words "inf" and "nan" (for people,
    ``words``), never as the bare NaN and Infinity that are not JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return _num(value, 0) if words else None
    if isinstance(value, dict):
        return {k: _json_safe(v, words) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, words) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    """Run one command; a reader that stops reading (``| head -1``) ends it quietly, as the Python docs advise."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at devnull so that flush cannot raise a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # a stdout with no file descriptor (a test's capture)
            pass
        return 1


def _main(argv: list[str] | None) -> int:
    torch.set_num_threads(1)  # the tensors are small: threads only add overhead, and contention on a busy machine
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser().parse_args(argv)
        out = COMMANDS[args.command](args)
    except BigramError as exc:
        message = terminal_safe(str(exc))
        print(f"bigram: error: {message}", file=sys.stderr)
        if "--json" in argv:  # a script reading the JSON gets the error, not an empty string
            print(_json_text({"error": str(exc)}), flush=True)
        return 2
    except KeyboardInterrupt:
        print("bigram: interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(_json_text(_json_safe(out)))
    else:
        _print_human(args.command, out)
    sys.stdout.flush()  # here, so that a closed pipe is met inside main
    return 0
