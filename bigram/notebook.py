"""Every page of Bigram Lab as a notebook that rebuilds its numbers from scratch, in the lecture's plain way.

``build(page, data, settings)`` writes a Jupyter notebook (an ``nbformat`` node) for one page:
the word list in use, the settings the person chose, and, step by step, the code that computes
the page's numbers with torch alone, each code cell after a Markdown cell that says what it
computes. The code is the real source of ``bigram.lecture`` (``inspect.getsource``), so the code
a learner reads is the code that runs, plus a few lines of glue that call it and print each step.
``to_script`` turns the same notebook into a plain ``.py`` file (Jupyter's "percent" format,
which editors also open as cells).

The printed lines that matter end as ``name = value`` with the value's ``repr`` (Python's
self-documenting f-strings, ``f"{nll = }"``), so a reader sees the exact number and a test can
compare it with the package's, to the last digit.

A list is carried with the notebook: a small one is written out as a Python list, a larger one
packed (zlib, then base64) in a hidden cell, and one too large for that is read from a file the
caller offers beside the notebook (``Notebook.beside``).

This module needs ``nbformat``, the Jupyter project's library for the file format; the rest of
the package does not, and ``import bigram`` does not import this module.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import nbformat
from nbformat.v4 import new_notebook

from .defaults import (
    LECTURE_K,
    NET_SEED,
    SAMPLE_SEED,
    SPLIT_FRACTIONS,
    SPLIT_SEED,
    TRAIN_LR,
    TRAIN_REG,
    TRAIN_STEPS,
)
from .errors import BigramError
from .neural import METHODS, OPTIMIZERS
from .ngram import CONTEXTS, PADDINGS, check_size
from .notebook_pages import EMBED_MAX_BYTES, PAGE_BUILDERS, PAGES, Book
from .sampling import DEFAULT_MAX_LEN, MODES
from .split import words_needed
from .vocab import Vocab


@dataclass(frozen=True)
class Settings:
    """What a person can set in the app, with the app's and the command line's defaults; each page uses some."""

    k: float = LECTURE_K  # add-k smoothing
    seed: int = SAMPLE_SEED  # the sampler's generator
    net_seed: int = NET_SEED  # the generator of the net's initial W
    lr: float = TRAIN_LR
    steps: int = TRAIN_STEPS
    reg: float = TRAIN_REG
    method: str = "counts"  # how the net's loss is computed: onehot, index or counts
    optimizer: str = "sgd"
    context: int = 2  # the Longer contexts page: previous symbols
    padding: str = "full"
    split_seed: int = SPLIT_SEED
    ctx_reg: float = 0.001  # the Longer contexts page's regularisation of its neural model
    temperature: float = 1.0
    n: int = 10  # how many words to sample
    max_len: int = DEFAULT_MAX_LEN  # a sampled word is cut off at this many symbols
    mode: str = "sequential"
    source: str = "counts"  # the Sample page's model: the counts, or the net trained with the settings above
    word: str | None = None  # the word the Home page follows and the Smoothing page scores (None: the page's default)
    row: int | None = None  # the row of P a page shows, or the input symbol of the net (None: the page's default)
    ctx_row: str | None = None  # the context whose next-symbol distribution the Longer contexts page shows
    draws: int = 10_000  # the Sample page's demonstration of torch.multinomial

    def check(self) -> Settings:
        """The same refusals as the command line's flags, in one line."""
        if not (math.isfinite(self.k) and self.k >= 0):
            raise BigramError(f"smoothing must be a number >= 0, got {self.k}")
        for name in ("lr", "temperature"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise BigramError(f"{name} must be a number > 0, got {value}")
        for name in ("reg", "ctx_reg"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise BigramError(f"{name} must be a number >= 0, got {value}")
        for name, low in (("steps", 0), ("n", 0), ("max_len", 1), ("draws", 1)):
            if getattr(self, name) < low:
                raise BigramError(f"{name} must be at least {low}, got {getattr(self, name)}")
        for name, options in (
            ("method", METHODS),
            ("optimizer", OPTIMIZERS),
            ("padding", PADDINGS),
            ("mode", MODES),
            ("source", ("counts", "net")),
        ):
            if getattr(self, name) not in options:
                raise BigramError(f"{name} must be one of {', '.join(options)}, got {getattr(self, name)!r}")
        if self.context not in CONTEXTS:
            raise BigramError(f"the context must be 1, 2 or 3 symbols, got {self.context}")
        return self


@dataclass(frozen=True)
class ListData:
    """A cleaned word list, its title and the file name it goes by beside the notebook."""

    title: str
    words: tuple[str, ...]
    file_name: str = "words.txt"

    def text(self) -> str:
        return "\n".join(self.words)


@dataclass
class Notebook:
    """A built notebook, and the files it reads that must be saved beside it (name, bytes)."""

    page: str
    node: nbformat.NotebookNode
    beside: list[tuple[str, bytes]] = field(default_factory=list)

    def ipynb(self) -> bytes:
        return to_ipynb(self.node)

    def script(self) -> bytes:
        return to_script(self.node).encode("utf-8")


def page_key(label_or_key: str) -> str:
    """The page key for a page's key or its label in the app ("Neural net" -> "neural-net")."""
    for key, label in PAGES.items():
        if label_or_key in (key, label):
            return key
    raise BigramError(f"no page called {label_or_key!r}; the pages are {', '.join(PAGES)}")


def refusal(page: str, words: Sequence[str], settings: Settings = Settings()) -> str | None:
    """Why the notebook of ``page`` cannot be made for these words and settings (in words), or None when it can."""
    try:
        _check(page_key(page), words, settings)
    except BigramError as exc:
        return str(exc)
    return None


def _check(page: str, words: Sequence[str], settings: Settings) -> None:
    settings.check()
    if not words:
        raise BigramError("the word list is empty")
    if page == "contexts":
        check_size(len(Vocab.from_words(words)), settings.context)
        need = words_needed(SPLIT_FRACTIONS, 1)
        if len(words) < need:
            raise BigramError(
                f"a list of {len(words):,} words is too short to split 80/10/10 into train, dev and test: "
                f"at least {need:,} are needed"
            )


def build(
    page: str,
    data: ListData,
    settings: Settings = Settings(),
    *,
    other: ListData | None = None,
    embed_max_bytes: int = EMBED_MAX_BYTES,
) -> Notebook:
    """The notebook of ``page`` for the list ``data`` with ``settings``; ``other``: the list the exercises compare."""
    page = page_key(page)
    _check(page, data.words, settings)
    book = Book(page, data, settings, other, embed_max_bytes)
    PAGE_BUILDERS[page](book)
    nb = new_notebook(
        cells=book.cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return Notebook(page, nb, book.beside)


def to_ipynb(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def to_script(nb: nbformat.NotebookNode) -> str:
    """The notebook as a Python script: Markdown cells as comments, each cell marked ``# %%`` (the percent format)."""
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append("# %% [markdown]\n" + "\n".join(("# " + line).rstrip() for line in cell.source.splitlines()))
        else:
            parts.append("# %%\n" + cell.source)
    return "\n\n".join(parts) + "\n"
