"""Keep and share a model as data: the counts N, the probabilities P or the net's weights W.

Two data-only formats, never pickle, so loading a file from a stranger cannot run code:

* safetensors (``.safetensors``): the tensor plus a small JSON header with the vocabulary
  and what the tensor is; read with the ``safetensors`` library.
* CSV (``.csv``): a header row of next symbols, then one row per previous symbol starting
  with its label: opens in any spreadsheet.

Both formats name the context (how many previous symbols a row stands for). Only bigram models
(context 1) are written and read: a file that declares a longer context is refused in one line.

Loading checks everything a person could get wrong (shape against vocabulary, non-negative
counts, rows of P summing to 1, finite weights) and raises ``BigramError`` in one line.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field

import torch

from .counting import smoothed_log_probabilities, smoothed_probabilities
from .errors import BigramError
from .neural import net_log_probabilities, net_probabilities
from .vocab import Vocab

KINDS = ("counts", "probabilities", "weights")
FORMAT_VERSION = "1"
MAX_FILE_BYTES = 200_000_000


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
    if not bool(torch.isfinite(t.double()).all()):
        raise BigramError("the model file's matrix has NaN or infinite entries")
    if m.kind == "counts":
        if t.is_floating_point() and not bool((t == t.round()).all()):
            raise BigramError("counts must be whole numbers")
        if bool((t < 0).any()):
            raise BigramError("counts must not be negative")
        m.tensor = t.to(torch.int64)
    elif m.kind == "probabilities":
        sums = t.double().sum(1)
        bad = ((sums - 1).abs() > 1e-3) & (sums != 0)
        if bool((t < 0).any()) or bool(bad.any()):
            raise BigramError("each row of P must be non-negative and sum to 1")


def _vocab_from_labels(labels: list[str]) -> Vocab:
    if not labels:
        raise BigramError("the model file has no symbols")
    symbols = labels[1:]
    if len(set(symbols)) != len(symbols) or any(len(s) != 1 for s in symbols):
        raise BigramError("the model file's symbols must be distinct single characters")
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
    return save({"matrix": m.tensor.contiguous()}, metadata=header)


def from_safetensors(data: bytes) -> ModelFile:
    from safetensors import SafetensorError
    from safetensors.torch import load

    if len(data) > MAX_FILE_BYTES:
        raise BigramError("the model file is larger than the limit of 200 MB")
    try:
        tensors = load(data)
        header = _safetensors_metadata(data)
    except (SafetensorError, ValueError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BigramError(f"this is not a readable safetensors file ({str(exc).splitlines()[0][:120]})") from None
    if header.get("format") != "bigram-lab" or "matrix" not in tensors:
        raise BigramError(
            "this safetensors file was not written by Bigram Lab (no 'bigram-lab' header or 'matrix' tensor)"
        )
    try:
        symbols = json.loads(header["symbols"])
        context = int(header.get("context", "1"))
        meta = json.loads(header.get("meta", "{}"))
    except (KeyError, ValueError, TypeError):
        raise BigramError("the safetensors header of this model file is damaged") from None
    if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
        raise BigramError("the safetensors header of this model file is damaged")
    _check_context(context)
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


def _safetensors_metadata(data: bytes) -> dict:
    """The ``__metadata__`` of a safetensors file: 8-byte little-endian header length, then JSON."""
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    meta = header.get("__metadata__", {})
    return meta if isinstance(meta, dict) else {}


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


def from_csv(text: str | bytes) -> ModelFile:
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise BigramError("the model file is larger than the limit of 200 MB")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BigramError("the model CSV is not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        raise BigramError("the model CSV needs a header row and at least one row of numbers")
    head = rows[0]
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
    vocab = _vocab_from_labels(labels)
    if labels[0] != vocab.boundary:
        raise BigramError(f"the boundary label {labels[0]!r} does not fit these symbols (expected {vocab.boundary!r})")
    try:
        values = [[float(x) for x in row[1:]] for row in rows[1:] if row]
    except ValueError as exc:
        raise BigramError(f"the model CSV has a cell that is not a number ({exc})") from None
    if any(len(r) != len(labels) for r in values):
        raise BigramError("every row of the model CSV must have one value per symbol")
    if any(not math.isfinite(v) for r in values for v in r):
        raise BigramError("the model CSV has NaN or infinite values")
    dtype = torch.float64 if kind != "weights" else torch.float32
    return ModelFile(kind=kind, tensor=torch.tensor(values, dtype=dtype), vocab=vocab)


def load_model_bytes(data: bytes, name: str = "") -> ModelFile:
    """A model file by its name's extension (.safetensors or .csv), or by sniffing."""
    if not data:
        raise BigramError("the model file is empty")
    lower = name.lower()
    if lower.endswith(".csv"):
        return from_csv(data)
    if lower.endswith(".safetensors") or data[8:9] == b"{":
        return from_safetensors(data)
    raise BigramError("a model file must be .safetensors or .csv (as written by Bigram Lab)")


def load_model(path) -> ModelFile:
    from pathlib import Path

    p = Path(path)
    try:
        return load_model_bytes(p.read_bytes(), p.name)
    except FileNotFoundError:
        raise BigramError(f"no such file: {p}") from None
    except OSError as exc:
        raise BigramError(f"cannot read {p}: {exc.strerror or exc}") from None
