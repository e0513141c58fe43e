"""The cells of each page's notebook: what ``bigram.notebook.build`` writes, page by page.

Each page is a function that adds cells to a ``Book``: a Markdown cell saying what the next code
cell computes, then that cell, made of the real source of ``bigram.lecture``'s functions (each
defined once, where it is first used) and a few lines that call them with the settings and print
each step. Lines meant to be compared end as ``name = value`` with the value's ``repr``.
"""

from __future__ import annotations

import base64
import inspect
import pprint
import textwrap
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch
from nbformat.v4 import new_code_cell, new_markdown_cell

from . import lecture
from .counting import count_bigrams
from .defaults import EXCHANGE_REGS, FIT_LR, FIT_STEPS, NET_SEED, SMOOTHING_GRID
from .ngram import CONTEXTS
from .vocab import Vocab

if TYPE_CHECKING:
    from .notebook import ListData, Settings

#: Page keys (as ``python -m bigram notebook --page`` takes them) and the pages' labels in the app.
PAGES = {
    "home": "Home",
    "data": "Data",
    "counts": "Counts",
    "smoothing": "Smoothing",
    "neural-net": "Neural net",
    "sample": "Sample",
    "contexts": "Longer contexts",
    "exercises": "More exercises",
}

#: A list whose Python literal is at most this long is written out in the notebook as a list of words.
LITERAL_MAX_CHARS = 4_000
#: A list of at most this many bytes of text is packed into the notebook; a larger one is a file beside it.
EMBED_MAX_BYTES = 2 * 1024 * 1024
#: Above this many elements (bigrams x V) the one-hot and row-indexing forms are left out: the counts form
#: gives the same loss (the app refuses the same, ui.training.DENSE_MAX_ELEMENTS).
DENSE_MAX_ELEMENTS = 25_000_000
#: The Home page's stationary distribution needs an eigen-decomposition, cubic in V (the page's own limit).
EIG_MAX_SYMBOLS = 300
#: The exchange between smoothing and regularisation fits W once per strength (the page's own limit).
KNOB_MAX_SYMBOLS = 200
#: The Longer contexts page draws this many words, each at most this long (ui.exercises.ngram_samples).
NGRAM_SAMPLES, NGRAM_MAX_LEN = 12, 30


# ---------------------------------------------------------------------------------------------------------------------
# Writing cells


def _src(*functions) -> str:
    """The real source of lecture functions: the code shown is the code that runs."""
    return "\n\n\n".join(inspect.getsource(f).rstrip() for f in functions)


def _code(*parts: str) -> str:
    """Parts of a cell joined as a formatter would: two blank lines after a function, none between statements."""
    blocks = [textwrap.dedent(p).strip("\n") for p in parts if p]
    out = blocks[:1]
    for prev, block in zip(blocks, blocks[1:]):
        out.append(("\n\n\n" if prev.startswith("def ") or block.startswith("def ") else "\n") + block)
    return "".join(out)


def _md(text: str) -> str:
    return textwrap.dedent(text).strip()


class Book:
    """The cells of one notebook, with what every page needs to know about the list and the settings."""

    def __init__(self, page: str, data: ListData, s: Settings, other: ListData | None, embed_max_bytes: int):
        self.page, self.data, self.s, self.other = page, data, s, other
        self.embed_max_bytes = embed_max_bytes
        self.words = list(data.words)
        self.vocab = Vocab.from_words(self.words)
        self.V = len(self.vocab)
        self.cells: list = []
        self.beside: list[tuple[str, bytes]] = []
        self.defined: set[str] = set()

    def src(self, *functions) -> str:
        """The source of the lecture functions not yet defined in this notebook: each is defined once, at first use."""
        new = [f for f in functions if f.__name__ not in self.defined]
        self.defined.update(f.__name__ for f in new)
        return _src(*new) if new else ""

    def note(self, text: str) -> None:
        self.cells.append(new_markdown_cell(_md(text)))

    def step(self, text: str, *code: str, hidden: bool = False) -> None:
        """A Markdown cell saying what the next cell computes, then that code cell."""
        self.note(text)
        metadata = {"jupyter": {"source_hidden": True}, "cellView": "form"} if hidden else {}
        self.cells.append(new_code_cell(_code(*code), metadata=metadata))

    # --- the opening every notebook shares ----------------------------------------------------------------------

    def opening(self, settings: Sequence[tuple[str, object, str]], about: str) -> None:
        d = self.data
        self.note(
            f"""
            # Bigram Lab: {PAGES[self.page]}

            {about}

            This notebook rebuilds the numbers of the app's **{PAGES[self.page]}** page for the list
            *{_md_text(d.title)}* ({len(d.words):,} words) with the settings below, in the plain way of
            Andrej Karpathy's lecture "makemore, part 1". It needs only `torch` (Colab has it): run it top to bottom.
            It was made with torch {torch.__version__}; seeded samples depend on the torch version.
            """
        )
        self.step(
            "The imports: torch, and `math` from the standard library.",
            f"""
            import math

            import torch
            import torch.nn.functional as F

            torch.set_num_threads(1)  # the tensors are small: one thread is faster than many here
            SEED = {lecture.SEED!r}  # the lecture's seed: the default of the functions below
            print(f"{{torch.__version__ = }}")
            """,
        )
        if settings:
            lines = [f"{name} = {value!r}  # {comment}" for name, value, comment in settings]
            self.step(
                "The settings of the page when this notebook was made. Change them and run the notebook again.",
                "\n".join(lines),
            )
        self.load_words(self.data, "words")

    def load_words(self, d: ListData, name: str) -> None:
        text = d.text()
        literal = pprint.pformat(list(d.words), width=110, compact=True)
        about = f"The list *{_md_text(d.title)}*: {len(d.words):,} words, cleaned as the app cleaned them"
        if len(literal) <= LITERAL_MAX_CHARS:
            self.step(f"{about}.", f"{name} = {literal}", f'print(f"{{len({name}) = }}")')
        elif len(text.encode("utf-8")) <= self.embed_max_bytes:
            packed = base64.b64encode(zlib.compress(text.encode("utf-8"), 9)).decode("ascii")
            self.step(
                f"{about}, one a line, packed into this cell (zlib, then base64) so that the notebook needs no file. "
                "Its code is hidden: it only unpacks the text.",
                f"""
                #@title The word list, packed
                import base64
                import zlib

                PACKED = "{packed}"
                {name} = zlib.decompress(base64.b64decode(PACKED)).decode("utf-8").split("\\n")
                print(f"{{len({name}) = }}")
                print({name}[:8])
                """,
                hidden=True,
            )
        else:
            self.beside.append((d.file_name, (text + "\n").encode("utf-8")))
            self.step(
                f"{about}. It is too large to travel inside the notebook: save {_md_text(d.file_name)} (offered "
                "beside this notebook) in the same folder first. One word a line.",
                f"""
                {name} = [w for w in open({d.file_name!r}, encoding="utf-8").read().split("\\n") if w]
                print(f"{{len({name}) = }}")
                print({name}[:8])
                """,
            )

    def vocabulary(self) -> None:
        b = self.vocab.boundary
        why = (
            "a symbol the list does not use"
            if b == "."
            else "the list has its own `.`, so the boundary is another symbol"
        )
        self.step(
            "The vocabulary: `stoi` maps a symbol to its id, `itos` an id back to its symbol. Id 0 is the token that "
            f"marks where a word starts and ends ({why}); the characters follow in code-point order.",
            self.src(lecture.vocabulary),
            f"""
            BOUNDARY = {b!r}
            stoi, itos = vocabulary(words, BOUNDARY)
            V = len(itos)
            print(f"{{V = }}")
            print("symbols:", "".join(itos[1:]))
            """,
        )

    def counts(self, how: str = "dict") -> None:
        """N, counted through the lecture's dict of bigrams (one tensor write per distinct bigram)."""
        self.step(
            "Count every bigram: first into a dict, as the lecture does, then into the count matrix N "
            "(`N[i, j]`: how often symbol j follows symbol i).",
            self.src(lecture.count_dict, lecture.matrix_from_dict),
            """
            b = count_dict(words, BOUNDARY)
            N = matrix_from_dict(b, stoi)
            bigrams = N.sum().item()
            print(f"{N.shape = }")
            print(f"{bigrams = }")
            """,
        )

    def probabilities(self, text: str, *glue: str) -> None:
        self.step(text, self.src(lecture.probabilities), *glue)


def _md_text(text: str) -> str:
    """User text (a list's title, a file name) as literal Markdown: every punctuation mark escaped."""
    from .cli import _UNSAFE  # the characters a terminal would act on or that reorder text: one definition

    text = " ".join(str(text).split())  # one line: a line break would end the paragraph it stands in
    # A right-to-left override (U+202E) or a control character is shown as its code point, as the app shows it.
    text = _UNSAFE.sub(lambda m: f"U+{ord(m.group()):04X}", text)
    return "".join("\\" + ch if (ch.isascii() and not ch.isalnum() and ch != " ") else ch for ch in text)


def _word_or_default(book: Book, default: str) -> str | None:
    """The word to follow: the setting if it is spelled with the list's symbols, else the page's default."""
    word = book.s.word if book.s.word else default
    return word if word and set(word) <= set(book.vocab.symbols) else None


# ---------------------------------------------------------------------------------------------------------------------
# The pages


def _home(b: Book) -> None:
    words = list(dict.fromkeys(b.words[:200]))
    word = _word_or_default(b, "isabella" if "isabella" in words else words[0])
    b.opening(
        [("K", b.s.k, "add-k smoothing (the Smoothing page's slider)"), ("WORD", word, "the word followed below")],
        "A bigram language model predicts each character of a word from the one before it, and nothing else.",
    )
    b.vocabulary()
    b.counts()
    b.probabilities(
        "P: N plus K fake counts, each row divided by its sum, so that row i is the distribution of the symbol "
        "after symbol i. float64, so that the losses below are exact.",
        """
        P = probabilities(N, K, dtype=torch.float64)
        print(f"{P.shape = }")
        print("row 0 (how words start):", [round(p, 4) for p in P[0, :8].tolist()], "...")
        """,
    )
    if word is not None:
        _follow_word(b)
    a = b.vocab.stoi.get("a")
    n = b.vocab.stoi.get("n")
    if a is None or n is None:
        a, n = 1, min(2, b.V - 1)
    b.step(
        f"Probability basics on this list, for the pair {_md_text(b.vocab.itos[a] + b.vocab.itos[n])!s}: "
        "each is a sum over N divided by another.",
        f"""
        a, n = {a}, {n}  # {b.vocab.itos[a]!r} and {b.vocab.itos[n]!r}
        M = N.double()
        joint = (M[a, n] / M.sum()).item()  # p(a, n): how often the pair occurs among all pairs
        p_a = (M[a].sum() / M.sum()).item()  # p(a): the joint summed over every next symbol
        p_n = (M[:, n].sum() / M.sum()).item()
        n_given_a = joint / p_a  # p(n | a): one cell of P at k = 0
        a_given_n = n_given_a * p_a / p_n  # Bayes' rule turns it around
        a_given_n_direct = (M[a, n] / M[:, n].sum()).item()  # the same, read off column n
        independence_ratio = joint / (p_a * p_n)  # 1 if neighbouring letters were independent
        print(f"{{joint = }}")
        print(f"{{p_a = }}")
        print(f"{{n_given_a = }}")
        print(f"{{a_given_n = }}")
        print(f"{{a_given_n_direct = }}")
        print(f"{{independence_ratio = }}")
        """,
    )
    if b.V <= EIG_MAX_SYMBOLS:
        b.step(
            "Each row of P sums to 1, so P has the eigenvalue 1; its left eigenvector (an eigenvector of P "
            "transposed), scaled to sum to 1, is each symbol's share of a long run of generated text, and equals "
            "each symbol's share of the list's bigrams, because every row sum of N equals its column sum.",
            """
            P0 = probabilities(N, 0)  # plain counts, float32
            values, vectors = torch.linalg.eig(P0.double().T)
            i = (values - 1).abs().argmin()
            v = vectors[:, i].real
            v = v / v.sum()
            shares = N.sum(1).double() / N.sum()
            eigenvalue = values[i].real.item()
            stationary_difference = (v - shares).abs().max().item()
            print(f"{eigenvalue = }")
            print(f"{stationary_difference = }")
            """,
        )
    b.step(
        "The list in use, and how good the model is on it: the average negative log-likelihood of all its "
        "bigrams (the lecture's loop over every word; lower is better).",
        b.src(lecture.nll),
        """
        list_nll = nll(words, P, stoi, BOUNDARY)
        print(f"{len(words) = }")
        print(f"{bigrams = }")
        print(f"{V = }")
        print(f"{list_nll = }")
        """,
    )


def _follow_word(b: Book) -> None:
    b.step(
        "A word, as the model sees it. By the chain rule its probability is a product of conditional "
        "probabilities, one row of P each; the log of the product is the sum of the logs (the product of a long "
        "word underflows, its log never does). The average of -log p over the word's bigrams is its negative "
        "log-likelihood, computed here with the lecture's loop.",
        b.src(lecture.nll),
        """
        chs = [BOUNDARY] + list(WORD) + [BOUNDARY]
        log_p = 0.0
        for ch1, ch2 in zip(chs, chs[1:]):
            p = P[stoi[ch1], stoi[ch2]].item()
            log_p += math.log(p) if p > 0 else -math.inf
            print(f"p({ch2!r} | {ch1!r}) = {p:.3f}")
        exponent = math.floor(log_p / math.log(10)) if log_p > -math.inf else 0
        print(f"p({WORD!r}) = {10 ** (log_p / math.log(10) - exponent):.3f}e{exponent}")
        word_nll = nll([WORD], P, stoi, BOUNDARY)
        print(f"{word_nll = }")
        """,
    )


def _data(b: Book) -> None:
    b.opening([], "The word list itself: its words, their lengths, its symbols and its repeated words.")
    b.step(
        "How many words are distinct, and how long they are on average.",
        """
        distinct = len(set(words))
        mean_length = sum(len(w) for w in words) / len(words)
        print(f"{distinct = }")
        print(f"{mean_length = }")
        """,
    )
    b.step(
        "The lengths as a histogram: how many words have each length.",
        """
        lengths = {}
        for w in words:
            lengths[len(w)] = lengths.get(len(w), 0) + 1
        for length in sorted(lengths):
            bar = "#" * max(1, round(60 * lengths[length] / max(lengths.values())))
            print(f"{length:3d} {lengths[length]:7,} {bar}")
        lengths = sorted(lengths.items())
        print(f"{lengths = }")
        """,
    )
    b.vocabulary()
    b.step(
        "How often each symbol occurs, most frequent first (ties in id order); the boundary occurs once per word "
        "at each end.",
        """
        occurrences = {}
        for w in words:
            for ch in w:
                occurrences[ch] = occurrences.get(ch, 0) + 1
        by_frequency = sorted(itos[1:], key=lambda ch: -occurrences[ch])
        for ch in by_frequency[:10]:
            print(f"{ch!r}: {occurrences[ch]:,}")
        symbol_counts = [(ch, occurrences[ch]) for ch in by_frequency]
        print(f"{symbol_counts = }")
        """,
    )
    b.step(
        "Repeated words: the lecture keeps them, so a name given twice counts twice.",
        """
        seen = {}
        for w in words:
            seen[w] = seen.get(w, 0) + 1
        duplicates = sorted(((w, c) for w, c in seen.items() if c > 1), key=lambda t: (-t[1], t[0]))
        print(f"{len(duplicates)} words occur more than once")
        duplicates = duplicates[:50]
        print(f"{duplicates = }")
        """,
    )


def _counts(b: Book) -> None:
    row = b.s.row if b.s.row is not None and 0 <= b.s.row < b.V else 0
    b.opening(
        [
            ("K", b.s.k, "add-k smoothing, for the row of P"),
            ("ROW", row, f"the previous symbol shown: {b.vocab.itos[row]!r}"),
        ],
        "The bigram count matrix N: how often each symbol follows each other one.",
    )
    b.vocabulary()
    b.step(
        "The lecture's first way: a dict from each bigram to its count. `zip(chs, chs[1:])` pairs each symbol with "
        "the next; `b.get(bigram, 0)` gives 0 the first time instead of raising a KeyError.",
        b.src(lecture.count_dict),
        """
        b = count_dict(words, BOUNDARY)
        print(f"{len(b) = }")
        print(sorted(b.items(), key=lambda kv: -kv[1])[:5])
        """,
    )
    b.step(
        "The lecture's second way: the tensor N filled with `N[ix1, ix2] += 1`, one Python step per bigram.",
        b.src(lecture.count_matrix),
        """
        N = count_matrix(words, stoi, BOUNDARY)
        bigrams = N.sum().item()
        print(f"{N.shape = }")
        print(f"{bigrams = }")
        first_letters = N[0].tolist()  # row 0: how often each symbol starts a word
        print(f"{first_letters = }")
        """,
    )
    b.probabilities(
        "One row as a distribution: row ROW of N plus K, divided by its sum. `torch.multinomial` draws the next "
        "symbol from exactly this row (see the Sample page).",
        """
        P = probabilities(N, K)
        print(f"N[ROW].sum() = {N[ROW].sum().item():,}")
        for j in P[ROW].argsort(descending=True)[:8].tolist():
            print(f"p({itos[j]!r} | {itos[ROW]!r}) = {P[ROW, j].item():.4f}")
        row_probabilities = P[ROW].tolist()
        print(f"{row_probabilities = }")
        """,
    )
    b.step(
        "The most frequent bigrams, read off N (ties in id order).",
        """
        flat = N.flatten()
        order = torch.sort(flat, descending=True, stable=True).indices[: min(15, int((flat > 0).sum()))]
        top_bigrams = [(itos[i // V] + itos[i % V], flat[i].item()) for i in order.tolist()]
        print(f"{top_bigrams = }")
        """,
    )
    b.step(
        "Why row sums equal column sums: inside a word every symbol is entered once and left once, and the "
        "boundary closes both ends. Row 0 sums to the number of words: every word starts once.",
        """
        sums_equal = torch.equal(N.sum(1), N.sum(0))
        print(f"{sums_equal = }")
        print(f"{N[0].sum().item() = }")
        print(f"{len(words) = }")
        """,
    )


def _smoothing(b: Book) -> None:
    default_row = int(count_bigrams(b.words, b.vocab).sum(1).argmin())  # the page's: the row with fewest counts
    row = b.s.row if b.s.row is not None and 0 <= b.s.row < b.V else default_row
    word = _word_or_default(b, "andrej" if set("andrej") <= set(b.vocab.symbols) else b.words[0])
    b.opening(
        [
            ("K", b.s.k, "add-k smoothing: fake counts added to every cell of N"),
            ("ROW", row, f"the row shown before and after: {b.vocab.itos[row]!r}"),
            ("WORD", word, "the word scored"),
        ],
        "With plain counts an unseen bigram has probability 0, and a word containing it an infinite loss. "
        "Add-k smoothing pretends every bigram was seen K more times than it was.",
    )
    b.vocabulary()
    b.counts()
    b.probabilities(
        "P = (N + K) / (N + K).sum(1, keepdim=True): float32 as in the lecture for showing P, float64 for exact "
        "losses. Every row sums to 1.",
        """
        P = probabilities(N, K)
        P64 = probabilities(N, K, dtype=torch.float64)
        P0 = probabilities(N, 0, dtype=torch.float64)  # plain counts
        print(f"{P.shape = }")
        print(f"{P.sum(1)[:5] = }")
        """,
    )
    b.step(
        "The list's own average NLL at K and at 0. The loss depends on the list only through N: bigram (i, j) "
        "occurs N[i, j] times, so the lecture's loop over every bigram is a sum over N.",
        b.src(lecture.counts_nll),
        """
        nll_k = counts_nll(N, P64)
        nll_0 = counts_nll(N, P0)
        impossible_0 = (probabilities(N, 0) == 0).sum().item()  # cells of P that are exactly 0
        impossible_k = (P == 0).sum().item()
        print(f"{nll_k = }")
        print(f"{nll_0 = }")
        print(f"{impossible_0 = }")
        print(f"{impossible_k = }")
        """,
    )
    b.step(
        "One row before and after smoothing: the fewer real counts a row has, the more the V * K fake ones flatten it.",
        """
        print(f"row {itos[ROW]!r}: {N[ROW].sum().item():,} real counts, {V * K:g} fake ones")
        row_before = probabilities(N, 0)[ROW].tolist()  # float32, as the page draws it
        row_after = P[ROW].tolist()
        for j in P0[ROW].argsort(descending=True)[:8].tolist():
            before, after = P0[ROW, j].item(), P64[ROW, j].item()
            print(f"p({itos[j]!r} | {itos[ROW]!r}): {before:.4f} at k = 0, {after:.4f} at k = {K:g}")
        print(f"{row_before = }")
        print(f"{row_after = }")
        """,
    )
    b.step(
        "The list's own NLL against k: lowest at k = 0, rising with k, because every fake count moves probability "
        "away from bigrams that really occur. (Smoothing pays off on words the model has not seen.)",
        f"""
        KS = {list(SMOOTHING_GRID)!r}
        for k in KS:
            print(f"nll(k={{k!r}}) = {{counts_nll(N, probabilities(N, k, dtype=torch.float64))!r}}")
        """,
    )
    if word is None:
        b.note(
            f"The word typed on the page uses a symbol this list does not have, so it is not scored here. "
            f"Set `WORD` above to a word spelled with: {_md_text(''.join(b.vocab.symbols))}."
        )
    else:
        b.step(
            "Score a word: each of its bigrams with p(next | previous) and log p; its NLL is the average of -log p "
            "(the lecture's loop over one word). At k = 0 one unseen bigram makes it infinite.",
            b.src(lecture.nll),
            """
            chs = [BOUNDARY] + list(WORD) + [BOUNDARY]
            for ch1, ch2 in zip(chs, chs[1:]):
                p = P64[stoi[ch1], stoi[ch2]].item()
                print(f"{ch1}{ch2}: p = {p:.6f}, log p = {math.log(p) if p > 0 else -math.inf:.4f}")
            word_nll = nll([WORD], P64, stoi, BOUNDARY)
            print(f"{word_nll = }")
            """,
        )
    b.step(
        "The keepdim pitfall: `P.sum(1)` has shape (V,), which broadcasting lines up with the last axis, so "
        "`P / P.sum(1)` divides column j by the sum of row j. Nothing errors, and because every row sum equals its "
        "column sum, the wrong matrix's columns sum to 1 where its rows should.",
        """
        Pk = N.float() + K
        print(f"{Pk.shape = }, {Pk.sum(1).shape = }, {Pk.sum(1, keepdim=True).shape = }")
        wrong = Pk / Pk.sum(1)
        right = Pk / Pk.sum(1, keepdim=True)
        wrong_row_sums = wrong.double().sum(1)
        wrong_row_sums_min = wrong_row_sums.min().item()
        wrong_row_sums_max = wrong_row_sums.max().item()
        wrong_col_sums_error = (wrong.double().sum(0) - 1).abs().max().item()
        right_row_sums_error = (right.double().sum(1) - 1).abs().max().item()
        print(f"{wrong_row_sums_min = }")
        print(f"{wrong_row_sums_max = }")
        print(f"{wrong_col_sums_error = }")
        print(f"{right_row_sums_error = }")
        """,
    )


def _method(b: Book, bigrams: int) -> tuple[str, str | None]:
    """The user's loss method, or the counts form (and why) when one-hot or indexing would be too large."""
    if b.s.method != "counts" and bigrams * b.V > DENSE_MAX_ELEMENTS:
        return "counts", (
            f"The page's {b.s.method!r} form would build a {bigrams:,} x {b.V:,} matrix every step; this notebook "
            "uses the counts form, which gives the same loss and gradient."
        )
    return b.s.method, None


_LOSS_CALLS = {
    "onehot": "lambda W: loss(W, xs, ys, REG)",
    "index": "lambda W: loss_index(W, xs, ys, REG)",
    "counts": "lambda W: loss_counts(W, N, REG)",
}
_NLL_CALLS = {
    "onehot": "lambda W: loss(W, xs, ys, 0)",
    "index": "lambda W: loss_index(W, xs, ys, 0)",
    "counts": "lambda W: loss_counts(W, N, 0)",
}
_LOSS_FUNCTIONS = {"onehot": lecture.loss, "index": lecture.loss_index, "counts": lecture.loss_counts}
_METHOD_WORDS = {
    "onehot": "the lecture's way: one-hot inputs times W, exp, normalise (softmax), the mean NLL of the targets",
    "index": "row indexing (exercises E04 and E05): `W[xs]` picks the rows the one-hot product would",
    "counts": "the counts form: the full-batch loss depends on the data only through N, so it is a sum over N",
}


def _train_steps(b: Book, bigrams: int) -> str:
    """Cells that train W with the settings; returns the method used."""
    method, why = _method(b, bigrams)
    b.step(
        f"The loss, by {_METHOD_WORDS[method]}; plus the regulariser REG * mean(W**2), which pulls W towards 0 "
        "(every row of softmax(W) towards uniform, as smoothing does)." + (f" {why}" if why else ""),
        b.src(lecture.init_weights, _LOSS_FUNCTIONS[method]),
        f"""
        forward = {_LOSS_CALLS[method]}
        W = init_weights(V, NET_SEED)
        print(f"loss of the initial W: {{forward(W).item():.4f}}")
        """,
    )
    if method == "onehot" and b.s.optimizer == "sgd":
        b.step(
            "Gradient descent as in the lecture: forward, backward, and a step against the gradient.",
            b.src(lecture.train),
            "losses = train(W, xs, ys, STEPS, LR, REG)",
            """
            every = max(1, STEPS // 10)
            for step in range(0, STEPS, every):
                print(f"step {step:5d}: loss {losses[step]:.6f}")
            final_loss = forward(W).item()
            print(f"{final_loss = }")
            """,
        )
    else:
        b.step(
            "Gradient descent: forward, backward, and a step against the gradient: `W.data += -lr * W.grad` as in "
            "the lecture, or Adam's step, which scales each weight's step by running averages of its gradient.",
            b.src(lecture.descend),
            "losses = descend(W, forward, STEPS, LR, OPTIMIZER)",
            """
            every = max(1, STEPS // 10)
            for step in range(0, STEPS, every):
                print(f"step {step:5d}: loss {losses[step]:.6f}")
            final_loss = forward(W).item()
            print(f"{final_loss = }")
            """,
        )
    return method


def _training_settings(b: Book) -> list[tuple[str, object, str]]:
    return [
        ("NET_SEED", b.s.net_seed, "the seed of the initial W"),
        ("LR", b.s.lr, "learning rate"),
        ("STEPS", b.s.steps, "training steps from the initial W"),
        ("REG", b.s.reg, "regularisation: REG * mean(W**2) is added to the loss"),
        ("OPTIMIZER", b.s.optimizer, "sgd (the lecture's) or adam"),
    ]


def _training_set_step(b: Book) -> None:
    b.step(
        "The training set: every bigram as an input id (xs) and the target id that follows it (ys).",
        b.src(lecture.training_set),
        """
        xs, ys = training_set(words, stoi, BOUNDARY)
        print(f"{xs.shape = }, {ys.shape = }")
        print("the first pairs:", [(itos[x], itos[y]) for x, y in zip(xs[:5].tolist(), ys[:5].tolist())])
        """,
    )


def _neural(b: Book) -> None:
    bigrams = sum(len(w) + 1 for w in b.words)
    x = b.s.row if b.s.row is not None and 0 <= b.s.row < b.V else min(1, b.V - 1)
    b.opening(
        _training_settings(b) + [("X", x, f"the input symbol followed through the net: {b.vocab.itos[x]!r}")],
        "The same bigram model, learned instead of counted: a V x V weight matrix W, trained by gradient descent "
        "on the average negative log-likelihood, ends where counting starts. Here W is trained in one go from "
        "its seed; a net trained on the page in several runs with other settings took another road.",
    )
    b.vocabulary()
    b.counts()
    _training_set_step(b)
    b.step(
        "W starts as standard normal numbers from a seeded generator. One symbol through the net: one-hot encode it "
        "(an id is a name, not an amount), multiply by W (which plucks row X), exponentiate the logits into "
        "positive counts and normalise them into probabilities: softmax.",
        b.src(lecture.init_weights),
        """
        W = init_weights(V, NET_SEED)
        xenc = F.one_hot(torch.tensor(X), num_classes=V).float()
        logits = xenc @ W  # row X of W
        counts = logits.exp()
        probs = counts / counts.sum()
        print(f"{xenc.shape = }, {logits.shape = }")
        print(f"{(logits - W[X]).abs().max().item() = }")
        print(f"{probs.sum().item() = }")
        """,
    )
    method = _train_steps(b, bigrams)
    b.step(
        "The net against the counts. With REG = 0 the net's NLL tends to the counting model's at k = 0, the lowest "
        "any bigram model reaches on this list; with REG > 0 it levels off above it.",
        b.src(lecture.probabilities, lecture.counts_nll),
        f"""
        final_nll = ({_NLL_CALLS[method]})(W).item()  # the data term alone
        counting_nll = counts_nll(N, probabilities(N, 0, dtype=torch.float64))
        P_net = W.detach().softmax(1)
        P0 = probabilities(N, 0)
        gap = (P_net.double() - P0.double()).abs()
        i, j = divmod(gap.argmax().item(), V)
        print(f"{{final_nll = }}")
        print(f"{{counting_nll = }}")
        print(f"largest gap: p({{itos[j]!r}} | {{itos[i]!r}}) = {{P_net[i, j].item():.4f}} in the net, "
              f"{{P0[i, j].item():.4f}} from the counts")
        """,
    )
    if bigrams * b.V <= DENSE_MAX_ELEMENTS:
        b.step(
            "Three ways to the same loss at the trained W: the lecture's one-hot product, row indexing with "
            "F.cross_entropy, and the counts form, whose cost does not grow with the list.",
            b.src(*(f for m, f in _LOSS_FUNCTIONS.items() if m != method)),
            """
            with torch.no_grad():
                loss_onehot = loss(W, xs, ys, REG).item()
                loss_index_ = loss_index(W, xs, ys, REG).item()
                loss_counts_ = loss_counts(W, N, REG).item()
            print(f"{loss_onehot = }")
            print(f"{loss_index_ = }")
            print(f"{loss_counts_ = }")
            """,
        )


def _sample(b: Book) -> None:
    s = b.s
    row = s.row if s.row is not None and 0 <= s.row < b.V else 0
    settings = [
        ("K", s.k, "add-k smoothing of the counting model"),
        ("SAMPLE_SEED", s.seed, "the sampler's seed"),
        ("N_SAMPLES", s.n, "how many words"),
        ("TEMPERATURE", s.temperature, "each row becomes p ** (1 / T), renormalised"),
        ("MAX_LEN", s.max_len, "a word still going at this many symbols is cut off"),
        ("MODE", s.mode, "sequential (the lecture's loop) or batched"),
        ("ROW", row, f"the row torch.multinomial draws from below: {b.vocab.itos[row]!r}"),
        ("DRAWS", s.draws, "how many draws from it"),
    ]
    net = s.source == "net"
    if net:
        settings += _training_settings(b)
    b.opening(
        settings,
        "New words: start at the boundary, draw the next symbol from the row of the current one, move to it, and "
        "repeat until the boundary comes back. A seeded generator makes the same settings give the same words.",
    )
    b.vocabulary()
    b.counts()
    b.probabilities(
        "The counting model's P at K, float32 as in the lecture (torch.multinomial draws differently from float64 "
        "rows), and in float64 for the log-probabilities of the words.",
        """
        P = probabilities(N, K)
        logP = probabilities(N, K, dtype=torch.float64).log()
        print(f"{P.shape = }")
        """,
    )
    if net:
        b.note(
            "The words below come from the neural net, trained here from its seed with the settings above "
            "(the page samples from the net you trained, which matches this one if you trained it in one go "
            "with these settings)."
        )
        _training_set_step(b)
        _train_steps(b, sum(len(w) + 1 for w in b.words))
        b.step(
            "The net's probabilities: softmax(W), row by row; its log-probabilities for scoring the words.",
            """
            P = W.detach().softmax(1)
            logP = W.detach().double().log_softmax(1)
            """,
        )
    b.step(
        "Temperature reshapes each row (T < 1 sharpens, T > 1 flattens; T = 1 leaves P as it is); then draw the "
        "words: in sequential mode with the lecture's loop, one `torch.multinomial` call per character; in batched "
        "mode every unfinished word takes its next symbol at once (the same distribution, other words).",
        b.src(lecture.temper, lecture.sample, lecture.sample_batched),
        """
        Pt = temper(P, TEMPERATURE)
        sampler = sample if MODE == "sequential" else sample_batched
        samples = sampler(Pt, itos, N_SAMPLES, SAMPLE_SEED, MAX_LEN)
        print(f"{samples = }")
        """,
    )
    b.step(
        "Each word's log-probability under the model at temperature 1 (the chain rule in logs; a truncated word "
        "counts its drawn prefix only), and whether it is already in the list.",
        """
        known = set(words)
        log_probabilities = []
        for w in samples:
            truncated = len(w) >= MAX_LEN
            ids = [0] + [stoi[ch] for ch in w] + ([] if truncated else [0])
            lp = sum(logP[i, j].item() for i, j in zip(ids, ids[1:]))
            log_probabilities.append(lp)
            notes = ("  in the list" if w in known else "") + ("  truncated" if truncated else "")
            print(f"{w:>20}  log p {lp:8.3f}{notes}")
        print(f"{log_probabilities = }")
        """,
    )
    b.step(
        "What torch.multinomial does: index i comes out with probability p[i] / p.sum(), a loaded die with V faces. "
        "With more draws the shares settle onto the probabilities.",
        """
        g = torch.Generator().manual_seed(SAMPLE_SEED)
        drawn = torch.multinomial(P[ROW], num_samples=DRAWS, replacement=True, generator=g)
        print("the first draws:", " ".join(itos[i] for i in drawn[:24].tolist()))
        draw_counts = torch.bincount(drawn, minlength=V).tolist()
        for j in P[ROW].argsort(descending=True)[:5].tolist():
            print(f"{itos[j]!r}: drawn {draw_counts[j] / DRAWS:.4f} of the time, p = {P[ROW, j].item():.4f}")
        print(f"{draw_counts = }")
        """,
    )


def _contexts(b: Book) -> None:
    s = b.s
    b.opening(
        [
            ("CONTEXT", s.context, "previous symbols: 1 bigram, 2 trigram, 3 4-gram"),
            ("PADDING", s.padding, "full: CONTEXT start tokens before a word; single: one"),
            ("SPLIT_SEED", s.split_seed, "the seed of the shuffle before the split"),
            ("SAMPLE_SEED", s.seed, "the sampler's seed (the Sample page's)"),
            ("CTX_REG", s.ctx_reg, "regularisation of the neural model for this context"),
            ("CTX_ROW", s.ctx_row, "the context whose row is shown (None: the most frequent)"),
        ],
        "The lecture's exercises E01 to E03: a longer context, a train/dev/test split, and smoothing tuned on dev.",
    )
    b.vocabulary()
    b.step(
        "E02: shuffle with a seeded generator and cut 80% / 10% / 10%: train to count on, dev to choose k on, test "
        "touched once at the end. One vocabulary (the whole list's) covers all three.",
        b.src(lecture.split),
        """
        train_words, dev_words, test_words = split(words, SPLIT_SEED)
        sizes = (len(train_words), len(dev_words), len(test_words))
        print(f"{sizes = }")
        """,
    )
    b.step(
        "E01: (context, next symbol) pairs, counted. With full padding every symbol and the end are predicted; with "
        "single padding the first CONTEXT - 1 symbols of a word, the hardest to guess, never are.",
        b.src(lecture.ngrams, lecture.ngram_counts),
        """
        print(list(ngrams(words[:1], CONTEXT, PADDING, BOUNDARY)))
        counts = ngram_counts(train_words, CONTEXT, PADDING, BOUNDARY)
        print(f"{len(counts)} distinct (context, next symbol) pairs in the training words")
        """,
    )
    b.step(
        "E03: the average NLL of the dev words for each smoothing k, the model counted on train only; the k with the "
        "lowest dev NLL wins, and test is evaluated once, at that k.",
        b.src(lecture.ngram_score),
        f"""
        KS = {list(SMOOTHING_GRID)!r}


        def tune(context, padding):
            counted = ngram_counts(train_words, context, padding, BOUNDARY)
            dev = ngram_counts(dev_words, context, padding, BOUNDARY)
            curve = [(k, ngram_score(counted, counted, V, k), ngram_score(counted, dev, V, k)) for k in KS]
            best_k, train_nll, dev_nll = min(curve, key=lambda t: (t[2], t[0]))
            test_nll = ngram_score(counted, ngram_counts(test_words, context, padding, BOUNDARY), V, best_k)
            return curve, best_k, train_nll, dev_nll, test_nll


        curve, best_k, train_nll, dev_nll, test_nll = tune(CONTEXT, PADDING)
        for k, tr, dv in curve:
            print(f"k = {{k:<7g}} train {{tr:.4f}}  dev {{dv:.4f}}")
        print(f"{{best_k = }}")
        print(f"{{train_nll = }}")
        print(f"{{dev_nll = }}")
        print(f"{{test_nll = }}")
        """,
    )
    fits = [c for c in CONTEXTS if b.V ** (c + 1) <= 20_000_000]
    b.step(
        "Every context side by side, with smoothing tuned on dev for each.",
        f"""
        for c in {fits!r}:
            _, k, tr, dv, te = tune(c, PADDING)
            print(f"context {{c}}: best k {{k:g}}, train {{tr:.4f}}, dev {{dv:.4f}}, test {{te:.4f}}")
            print(f"side_by_side_{{c}} = {{(k, tr, dv, te)!r}}")
        """,
    )
    b.step(
        "What the model counts: the counts as a tensor with one row per context, the most frequent contexts, and "
        "one row as a distribution at the chosen k.",
        b.src(lecture.ngram_matrix, lecture.probabilities),
        """
        N_train = ngram_matrix(counts, stoi, CONTEXT)
        print(f"{N_train.shape = }")


        def context_label(row):
            ids = []
            for _ in range(CONTEXT):
                ids.append(row % V)
                row //= V
            return "".join(itos[i] for i in reversed(ids))


        sums = N_train.sum(1)
        top = torch.sort(sums, descending=True, stable=True).indices[:30].tolist()
        top_contexts = [(context_label(r), sums[r].item()) for r in top]
        print(f"{top_contexts[:10] = }")
        shown = CTX_ROW if CTX_ROW in dict(top_contexts) else top_contexts[0][0]
        row = next(r for r in top if context_label(r) == shown)
        P_row = probabilities(N_train, best_k)[row]
        for j in P_row.argsort(descending=True)[:6].tolist():
            print(f"p({itos[j]!r} | {shown!r}) = {P_row[j].item():.4f}")
        """,
    )
    if s.padding == "full":
        b.step(
            f"Samples, drawn from the counts of the whole list at the chosen k ({NGRAM_SAMPLES} words of at most "
            f"{NGRAM_MAX_LEN} symbols): longer contexts give more name-like words, and copy more of the list.",
            b.src(lecture.sample_ngram),
            f"""
            N_all = ngram_matrix(ngram_counts(words, CONTEXT, "full", BOUNDARY), stoi, CONTEXT)
            P_all = probabilities(N_all, best_k)
            ngram_samples = sample_ngram(P_all, itos, CONTEXT, {NGRAM_SAMPLES}, SAMPLE_SEED, {NGRAM_MAX_LEN})
            print(f"{{ngram_samples = }}")
            """,
        )
    else:
        b.note("Single padding never learned how words start, so it cannot sample words: set `PADDING = 'full'`.")
    b.step(
        f"The neural version: W gets one row per context and is trained near its optimum on the training counts "
        f"(counts form, Adam, {FIT_STEPS} steps at learning rate {FIT_LR}), then scored on train and dev. "
        "With CTX_REG = 0 it reaches the counting model's training loss; regularisation plays smoothing's role.",
        b.src(lecture.init_weights, lecture.loss_counts, lecture.descend, lecture.fit, lecture.counts_nll),
        f"""
        W = fit(N_train, CTX_REG, steps={FIT_STEPS}, lr={FIT_LR}, seed={NET_SEED})
        P_net = W.detach().double().softmax(1)
        net_train_nll = counts_nll(N_train, P_net)
        N_dev = ngram_matrix(ngram_counts(dev_words, CONTEXT, PADDING, BOUNDARY), stoi, CONTEXT)
        net_dev_nll = counts_nll(N_dev, P_net)
        print(f"{{net_train_nll = }}")
        print(f"{{net_dev_nll = }}")
        """,
    )


def _exercises(b: Book) -> None:
    s = b.s
    b.opening(
        [("K", s.k, "add-k smoothing, for scoring each list under each model")],
        "Two exercises beyond the lecture: what tells two lists apart, and how much smoothing a regulariser is worth.",
    )
    if b.other is not None:
        b.load_words(b.other, "other")
        b.step(
            "Both lists on one vocabulary, their counts, and each list's model scored on both lists: each model does "
            "best on its own list; the gap says how different the lists are.",
            b.src(lecture.vocabulary, lecture.count_dict, lecture.matrix_from_dict, lecture.probabilities),
            b.src(lecture.counts_nll),
            f"""
            BOUNDARY = {Vocab.from_words(b.words + list(b.other.words)).boundary!r}
            stoi, itos = vocabulary(words + other, BOUNDARY)
            V = len(itos)
            N_a = matrix_from_dict(count_dict(words, BOUNDARY), stoi)
            N_b = matrix_from_dict(count_dict(other, BOUNDARY), stoi)
            P_a = probabilities(N_a, K, dtype=torch.float64)
            P_b = probabilities(N_b, K, dtype=torch.float64)
            a_on_a, a_on_b = counts_nll(N_a, P_a), counts_nll(N_b, P_a)
            b_on_b, b_on_a = counts_nll(N_b, P_b), counts_nll(N_a, P_b)
            print(f"{{V = }}")
            print(f"{{a_on_a = }}")
            print(f"{{a_on_b = }}")
            print(f"{{b_on_b = }}")
            print(f"{{b_on_a = }}")
            """,
        )
        b.step(
            "The bigrams most typical of each list: the log-ratio of their shares of all bigrams (half a fake count "
            "each, so that a bigram missing from one list does not divide by zero), ranked by their share of the KL "
            "divergence between the lists: frequent and lopsided first.",
            """
            share_a = (N_a.double() + 0.5) / (N_a.sum() + 0.5 * V * V)
            share_b = (N_b.double() + 0.5) / (N_b.sum() + 0.5 * V * V)
            log_ratio = share_a.log() - share_b.log()


            def typical(own, sign, n=15):
                ratio = sign * log_ratio
                score = torch.where((own >= 2) & (ratio > 0), own.double() / own.sum() * ratio, -math.inf).flatten()
                n = min(n, int(torch.isfinite(score).sum()))
                order = torch.sort(score, descending=True, stable=True).indices[:n]
                return [(itos[i // V] + itos[i % V], ratio.flatten()[i].item()) for i in order.tolist()]


            typical_of_a = typical(N_a, 1.0)
            typical_of_b = typical(N_b, -1.0)
            print(f"{typical_of_a = }")
            print(f"{typical_of_b = }")
            """,
        )
    b.vocabulary()
    if b.V > KNOB_MAX_SYMBOLS:
        b.note(
            f"This list has {b.V:,} symbols: the exchange between smoothing and regularisation fits W "
            f"({b.V:,} x {b.V:,} weights) once per strength, which the app does for lists of up to "
            f"{KNOB_MAX_SYMBOLS} symbols."
        )
    else:
        b.counts()
        b.step(
            "Smoothing and regularisation are the same knob. For each regularisation strength W is fitted near its "
            "optimum (Adam on the counts form), and two smoothing values are found: the k whose P is closest to "
            "softmax(W) in KL divergence, and the k whose counts give the same NLL.",
            b.src(
                lecture.init_weights,
                lecture.loss_counts,
                lecture.descend,
                lecture.fit,
                lecture.probabilities,
                lecture.counts_nll,
                lecture.closest_k,
                lecture.same_nll_k,
            ),
            f"""
            REGS = {list(EXCHANGE_REGS)!r}
            KS = [10 ** (e / 10) for e in range(-30, 31)]  # 0.001 to 1000, ten a decade
            exchange = []
            for reg in REGS:
                W = fit(N, reg, steps={FIT_STEPS}, lr={FIT_LR}, seed={NET_SEED})
                nll_w = loss_counts(W, N, 0).item()
                k_closest, kl = closest_k(N, W, KS)
                k_same = same_nll_k(N, nll_w)
                exchange.append((reg, k_closest, kl, k_same))
                same = "none" if k_same is None else f"{{k_same:.4g}}"
                print(f"reg {{reg:<6g}} closest k {{k_closest:<8.4g}} (KL {{kl:.2e}})  same-NLL k {{same}}")
            print(f"{{exchange = }}")
            """,
        )
    b.note(
        "The page's third tab keeps a model as a file: `python -m bigram export FILE --what counts -o counts.csv` "
        "writes the same counts N from the command line."
    )


PAGE_BUILDERS = {
    "home": _home,
    "data": _data,
    "counts": _counts,
    "smoothing": _smoothing,
    "neural-net": _neural,
    "sample": _sample,
    "contexts": _contexts,
    "exercises": _exercises,
}
