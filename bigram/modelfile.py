"""Keep and share a model as data: the counts N, the probabilities P or the net's weights W.

Two data-only formats, never pickle, so loading a file from a stranger cannot run code:

* safetensors (``.safetensors``): the tensor plus a small JSON header with the vocabulary
  and what the tensor is; read with the ``safetensors`` library.
* CSV (``.csv``): a header row of next symbols, then one row per previous symbol starting
  with its label: opens in any spreadsheet.

Both formats name the context (how many previous symbols a row stands for). Only bigram models
(context 1) are written and read: a file that declares a longer context is refused in one line.

Loading checks everything a person could get wrong (shape against vocabulary, non-negative
counts, rows of P summing to 1, finite weights) and raises ``BigramError`` in one line. A file
from a stranger is checked against ``bigram.limits`` while it is read: its size, its number of
symbols and cells, and the matrix's type and shape as its header declares them, before the
matrix itself is allocated.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field

import torch

from .counting import smoothed_log_probabilities, smoothed_probabilities
from .errors import BigramError
from .limits import (
    MODEL_CSV_MAX_CELL,
    MODEL_FILE_MAX_BYTES,
    MODEL_HEADER_MAX_BYTES,
    MODEL_MAX_CELLS,
    MODEL_MAX_SYMBOLS,
    MODEL_MAX_TOTAL_COUNT,
)
from .neural import net_log_probabilities, net_probabilities
from .vocab import Vocab

KINDS = ("counts", "probabilities", "weights")
FORMAT_VERSION = "1"
MAX_FILE_BYTES = MODEL_FILE_MAX_BYTES
#: Matrix types a model file may hold: booleans, integers, floating point (safetensors' names).
SAFETENSORS_DTYPES = ("BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F16", "BF16", "F32", "F64")
_READABLE = (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)
_READABLE += (torch.uint16, torch.uint32, torch.uint64, torch.float16, torch.bfloat16, torch.float32, torch.float64)
#: torch has few operations for these (``<`` is missing): they are read as float64, exact up to 2**53.
_WIDE_UNSIGNED = (torch.uint16, torch.uint32, torch.uint64)


@dataclass
class ModelFile:
    kind: str  # counts (N), probabilities (P) or weights (W)
    tensor: torch.Tensor  # (V, V)
    vocab: Vocab
    meta: dict = field(default_factory=dict)  # free-form: source list, smoothing, training settings

    def __post_init__(self):
        validate(self)

    def probabilities(self, k: float = 0.0) -> torch.Tensor:
        """P (float32) from whatever the file holds: smoothed counts, P itself, or softmax(W)."""
        if self.kind == "counts":
            return smoothed_probabilities(self.tensor, k)
        if self.kind == "probabilities":
            return self.tensor.float()
        return net_probabilities(self.tensor)

    def log_probabilities(self, k: float = 0.0) -> torch.Tensor:
        """log P in float64, for exact losses."""
        if self.kind == "counts":
            return smoothed_log_probabilities(self.tensor, k)
        if self.kind == "probabilities":
            return self.tensor.double().log()
        return net_log_probabilities(self.tensor)


def validate(m: ModelFile) -> None:
    if m.kind not in KINDS:
        raise BigramError(f"the model file holds {m.kind!r}; expected one of {', '.join(KINDS)}")
    V = len(m.vocab)
    want = (V, V)
    if m.tensor.ndim != 2 or tuple(m.tensor.shape) != want:
        raise BigramError(f"the model file's matrix is {tuple(m.tensor.shape)} but its {V} symbols need {want}")
    t = m.tensor
    if t.dtype not in _READABLE:
        raise BigramError(
            f"the model file's matrix holds {str(t.dtype).removeprefix('torch.')} values, which Bigram Lab "
            "does not read; it reads booleans, integers and 16-, 32- or 64-bit floating-point numbers"
        )
    if t.dtype in _WIDE_UNSIGNED:
        t = t.double()
    # Checked without a float64 copy of the matrix: integers are finite, sums are taken in float64.
    if t.is_floating_point() and not bool(torch.isfinite(t).all()):
        raise BigramError("the model file's matrix has NaN or infinite entries")
    if m.kind == "counts":
        if t.is_floating_point() and not bool((t == t.round()).all()):
            raise BigramError("counts must be whole numbers")
        if t.dtype != torch.bool and bool((t < 0).any()):
            raise BigramError("counts must not be negative")
        total = float(t.sum(dtype=torch.float64))  # rounded: a total just past 2**53 may come out as 2**53
        if total > MODEL_MAX_TOTAL_COUNT or (
            total == MODEL_MAX_TOTAL_COUNT and not t.is_floating_point() and int(t.to(torch.int64).sum()) > total
        ):
            raise BigramError(
                f"the counts add up to more than 2**53 ({MODEL_MAX_TOTAL_COUNT:,.0f}) bigrams: "
                "these are not counts of a word list"
            )
        _refuse_empty_rows(
            m,
            t,
            "of the counts is all zeros, but in a word list every symbol is followed by "
            "something (another symbol or the end)",
        )
        m.tensor = t.to(torch.int64)
    elif m.kind == "probabilities":
        sums = t.sum(1, dtype=torch.float64)
        bad = ((sums - 1).abs() > 1e-3) & (sums != 0)
        if (t.dtype != torch.bool and bool((t < 0).any())) or bool(bad.any()):
            raise BigramError("each row of P must be non-negative and sum to 1")
        _refuse_empty_rows(m, t, "of P is all zeros: each row of P must sum to 1 (what follows that symbol?)")
        m.tensor = t
    elif not bool(torch.isfinite(t.float()).all()):
        raise BigramError("the weights are too large for float32 (softmax(W) would be NaN)")
    else:
        m.tensor = t


def _refuse_empty_rows(m: ModelFile, t: torch.Tensor, why: str) -> None:
    """A word list enters and leaves every symbol: no row of N or P can be empty."""
    empty = t.any(1).logical_not()  # (any() of uint8 is uint8, whose ~ is not a logical not)
    if bool(empty.any()):
        raise BigramError(f"row {m.vocab.label(int(empty.nonzero()[0, 0]))!r} {why}")


def _vocab_from_labels(labels: list[str]) -> Vocab:
    if not labels:
        raise BigramError("the model file has no symbols")
    symbols = labels[1:]
    if len(set(symbols)) != len(symbols) or any(len(s) != 1 for s in symbols):
        raise BigramError("the model file's symbols must be distinct single characters")
    # Word lists drop lines with control characters and split lines at separators, so no list has them as
    # symbols; in a stranger's file they could drive a terminal (escape sequences) or break what is printed.
    odd = next((s for s in symbols if unicodedata.category(s) in ("Cc", "Cs", "Zl", "Zp")), None)
    if odd is not None:
        raise BigramError(
            f"the model file's symbols include {odd.encode('unicode_escape', 'backslashreplace').decode('ascii')}, "
            "a control character or line separator, which no word list has"
        )
    vocab = Vocab(symbols)
    if list(vocab.itos[1:]) != symbols:
        raise BigramError("the model file's symbols are not in code-point order")
    return vocab


# -- safetensors -----------------------------------------------------------------------------------


def to_safetensors(m: ModelFile) -> bytes:
    from safetensors.torch import save

    header = {
        "format": "bigram-lab",
        "version": FORMAT_VERSION,
        "kind": m.kind,
        "context": "1",
        "boundary": m.vocab.boundary,
        "symbols": json.dumps(list(m.vocab.symbols), ensure_ascii=False),
        "meta": json.dumps(m.meta, ensure_ascii=False),
    }
    tensor = m.tensor
    if m.kind == "counts" and tensor.dtype == torch.int64 and (tensor.numel() == 0 or int(tensor.max()) < 2**31):
        # Half the bytes: a counts file at the command line's 5,000 symbols stays under MODEL_FILE_MAX_BYTES.
        tensor = tensor.to(torch.int32)
    return save({"matrix": tensor.contiguous()}, metadata=header)


def _too_large(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise BigramError(f"the model file is larger than the limit of {MAX_FILE_BYTES // 1_000_000:,} MB")


def _check_size(n_symbols: int, context: int, max_symbols: int) -> tuple[int, int]:
    """The matrix shape a vocabulary and context need, refused before it is allocated if it is too large."""
    if n_symbols > max_symbols:
        raise BigramError(f"the model file has {n_symbols:,} symbols, more than the limit of {max_symbols:,}")
    if context not in (1, 2, 3):
        raise BigramError(f"the model file's context must be 1, 2 or 3, got {context}")
    V = n_symbols + 1
    if context > 1 and V**context * V > MODEL_MAX_CELLS:  # with one symbol of context, the symbols are the cap
        raise BigramError(
            f"a context of {context} over {n_symbols:,} symbols needs a matrix of {V**context * V:,} cells, "
            f"more than the limit of {MODEL_MAX_CELLS:,}"
        )
    return V**context, V


def from_safetensors(data: bytes, *, max_symbols: int = MODEL_MAX_SYMBOLS) -> ModelFile:
    """A model from safetensors bytes. The header is read and checked first, then only the declared matrix."""
    from safetensors import SafetensorError
    from safetensors.torch import load

    _too_large(data)
    entries = _safetensors_header(data)
    header = entries.pop("__metadata__", {})
    if not isinstance(header, dict) or header.get("format") != "bigram-lab" or "matrix" not in entries:
        raise BigramError(
            "this safetensors file was not written by Bigram Lab (no 'bigram-lab' header or 'matrix' tensor)"
        )
    if len(entries) > 1:
        others = ", ".join(repr(name) for name in list(entries)[:5] if name != "matrix")
        raise BigramError(f"this model file holds other tensors besides 'matrix' ({others}); Bigram Lab writes one")
    try:
        symbols = json.loads(header["symbols"])
        context = int(header.get("context", "1"))
        meta = json.loads(header.get("meta", "{}"))
    except (KeyError, ValueError, TypeError):
        raise BigramError("the safetensors header of this model file is damaged") from None
    if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
        raise BigramError("the safetensors header of this model file is damaged")
    _check_context(context)
    want = _check_size(len(symbols), context, max_symbols)
    info = entries["matrix"]
    dtype, shape = (info.get("dtype"), info.get("shape")) if isinstance(info, dict) else (None, None)
    if dtype not in SAFETENSORS_DTYPES:
        raise BigramError(
            f"the model file's matrix holds {str(dtype)[:20]} values, which Bigram Lab does not read; "
            f"it reads {', '.join(SAFETENSORS_DTYPES)}"
        )
    if shape != list(want):
        shown = tuple(shape) if isinstance(shape, list) and len(shape) < 5 else shape
        raise BigramError(
            f"the model file's matrix is {str(shown)[:40]} but its {want[1]} symbols and context {context} need {want}"
        )
    try:
        tensors = load(data)
    except (SafetensorError, ValueError) as exc:
        raise BigramError(f"this is not a readable safetensors file ({str(exc).splitlines()[0][:120]})") from None
    vocab = _vocab_from_labels(["", *symbols])
    return ModelFile(
        kind=header.get("kind", ""), tensor=tensors["matrix"], vocab=vocab, meta=meta if isinstance(meta, dict) else {}
    )


def _check_context(context: int) -> None:
    if context != 1:
        raise BigramError(
            f"this model file declares a context of {context} previous symbols; only bigram model files "
            "(context 1) can be read"
        )


def _safetensors_header(data: bytes) -> dict:
    """The JSON header of a safetensors file (8-byte little-endian length, then JSON), without reading the rest."""
    n = int.from_bytes(data[:8], "little")
    if len(data) < 8 or n > len(data) - 8:
        raise BigramError(f"this is not a readable safetensors file (its header length {n:,} is past its end)")
    if n > MODEL_HEADER_MAX_BYTES:
        raise BigramError(
            f"the safetensors header of this model file is {n:,} bytes, "
            f"more than the limit of {MODEL_HEADER_MAX_BYTES:,}"
        )
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BigramError(f"this is not a readable safetensors file ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(header, dict):
        raise BigramError("this is not a readable safetensors file (its header is not a JSON object)")
    return header


# -- CSV -------------------------------------------------------------------------------------------


def to_csv(m: ModelFile) -> str:
    """Header: the kind and the context, then the next symbols; each row: the previous symbol, then its values."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    labels = list(m.vocab.itos)
    w.writerow([f"{m.kind}:context=1", *labels])
    for name, row in zip(labels, m.tensor.tolist()):
        w.writerow([name, *(str(v) if m.kind == "counts" else repr(float(v)) for v in row)])
    return out.getvalue()


def from_csv(text: str | bytes, *, max_symbols: int = MODEL_MAX_SYMBOLS) -> ModelFile:
    """A model from CSV: the header (kind, context, symbols) is checked first, then rows are read one at a time."""
    if isinstance(text, bytes):
        _too_large(text)
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BigramError("the model CSV is not UTF-8 text") from None
    # Lines split after each \n, lazily (as io.StringIO gives them, without its copy of the text).
    rows = csv.reader(m.group() for m in re.finditer(r"[^\n]*\n|[^\n]+", text))
    try:
        return _read_csv_rows(rows, max_symbols)
    except csv.Error as exc:
        raise BigramError(f"the model CSV cannot be parsed at line {rows.line_num}: {exc}") from None


def _check_cells(row: list[str], line: int) -> None:
    longest = max(map(len, row), default=0)
    if longest > MODEL_CSV_MAX_CELL:
        raise BigramError(
            f"the model CSV has a cell of {longest:,} characters at line {line:,}; "
            f"its cells are numbers and symbols (at most {MODEL_CSV_MAX_CELL})"
        )


def _read_csv_rows(rows, max_symbols: int) -> ModelFile:
    head = next(rows, None)
    if not head:
        raise BigramError("the model CSV needs a header row and at least one row of numbers")
    _check_cells(head, 1)
    kind, _, ctx = head[0].partition(":context=")
    if kind not in KINDS:
        raise BigramError(
            f"the model CSV's first cell must say what it holds (counts, probabilities or weights), got {head[0]!r}"
        )
    try:
        context = int(ctx or "1")
    except ValueError:
        raise BigramError(f"the model CSV's context is not a number: {head[0]!r}") from None
    _check_context(context)
    labels = head[1:]
    if not labels:
        raise BigramError("the model file has no symbols")
    R, V = _check_size(len(labels) - 1, context, max_symbols)
    vocab = _vocab_from_labels(labels)
    if labels[0] != vocab.boundary:
        raise BigramError(f"the boundary label {labels[0]!r} does not fit these symbols (expected {vocab.boundary!r})")
    dtype = torch.float64 if kind != "weights" else torch.float32
    if kind == "counts":
        dtype = torch.int64  # read exactly: a float64 would round a count above 2**53 without a word
    values = torch.empty((R, V), dtype=dtype)
    # Rows are read by their labels, not their order: a spreadsheet sort keeps each row whole but moves it.
    row_of = {label: i for i, label in enumerate(labels)}
    seen: dict[str, int] = {}  # a row's label -> the line it was read from
    for row in rows:
        if not row:
            continue
        line = rows.line_num
        _check_cells(row, line)
        if len(row) - 1 != V:
            raise BigramError("every row of the model CSV must have one value per symbol")
        label = row[0]
        if label not in row_of:
            raise BigramError(
                f"the model CSV's row label {label!r} at line {line:,} is not one of its symbols "
                "(each row starts with the symbol it follows, as in the header)"
            )
        if label in seen:
            raise BigramError(f"the model CSV has two rows labelled {label!r} (lines {seen[label]:,} and {line:,})")
        seen[label] = line
        values[row_of[label]] = _csv_row(row[1:], kind, line)
    if len(seen) < R:
        missing = next(label for label in labels if label not in seen)
        raise BigramError(
            f"the model CSV has no row for {missing!r}: it needs one row for each of its {R:,} symbols, "
            f"and has {len(seen):,}"
        )
    return ModelFile(kind=kind, tensor=values, vocab=vocab)


def _csv_row(cells: list[str], kind: str, line: int) -> torch.Tensor:
    """One row of numbers; counts as exact integers (at most 2**53 each), the rest as floats."""
    if kind == "counts":
        try:
            counts = [int(x) if x.strip().lstrip("+-").isdigit() else _whole(float(x)) for x in cells]
        except ValueError as exc:
            raise BigramError(f"the model CSV has a cell that is not a number at line {line:,} ({exc})") from None
        big = max(counts, key=abs)
        if abs(big) > MODEL_MAX_TOTAL_COUNT:
            raise BigramError(
                f"the model CSV has a count of {big:,} at line {line:,}, above 2**53 ({MODEL_MAX_TOTAL_COUNT:,}): "
                "these are not counts of a word list"
            )
        return torch.tensor(counts, dtype=torch.int64)
    try:
        floats = [float(x) for x in cells]
    except ValueError as exc:
        raise BigramError(f"the model CSV has a cell that is not a number ({exc})") from None
    if not all(map(math.isfinite, floats)):
        raise BigramError("the model CSV has NaN or infinite values")
    return torch.tensor(floats, dtype=torch.float64)


def _whole(value: float) -> int:
    """A count written as a float (``3.0``, ``1e3``): its exact integer, or a refusal."""
    if not math.isfinite(value):
        raise BigramError("the model CSV has NaN or infinite values")
    if value != int(value):
        raise BigramError("counts must be whole numbers")
    if abs(value) > MODEL_MAX_TOTAL_COUNT:  # a float this large has already lost its last digits
        raise BigramError(
            f"the model CSV has a count of {value:g}, above 2**53 ({MODEL_MAX_TOTAL_COUNT:,}): "
            "these are not counts of a word list"
        )
    return int(value)


def load_model_bytes(data: bytes, name: str = "", *, max_symbols: int = MODEL_MAX_SYMBOLS) -> ModelFile:
    """A model file by its name's extension (.safetensors or .csv), or by sniffing.

    ``max_symbols`` defaults to the app's cap on uploaded lists (``bigram.limits``).
    """
    if not data:
        raise BigramError("the model file is empty")
    lower = name.lower()
    if lower.endswith(".csv"):
        return from_csv(data, max_symbols=max_symbols)
    if lower.endswith(".safetensors") or data[8:9] == b"{":
        return from_safetensors(data, max_symbols=max_symbols)
    raise BigramError("a model file must be .safetensors or .csv (as written by Bigram Lab)")


def load_model(path, *, max_symbols: int = MODEL_MAX_SYMBOLS) -> ModelFile:
    """A model file from disk: a regular file of at most ``MAX_FILE_BYTES``, read in bounded chunks."""
    from pathlib import Path

    from .files import read_limited

    p = Path(path)
    return load_model_bytes(read_limited(p, MAX_FILE_BYTES, "model"), p.name, max_symbols=max_symbols)
