"""The vocabulary: symbols to ids and back, with the start/end token at id 0.

As in the lecture, id 0 is the boundary token that marks both the start and the end of a
word, and it is shown as ``.``. The data's own symbols follow in code-point order. When the
data itself contains ``.`` (``st.john``, ``j.r.``), that ``.`` is an ordinary symbol with its
own id and the boundary is shown with another label, so the two are never confused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch

from .errors import BigramError

#: Labels for the boundary token, the first one the data does not use wins.
BOUNDARY_LABELS = (".", "•", "<.>")
#: Separator used when a whole list is encoded at once; never a symbol (control characters are cleaned out).
_SEPARATOR = "\x00"


class Vocab:
    """An ordered set of symbols; id 0 is the boundary token."""

    def __init__(self, symbols: Iterable[str]):
        syms = sorted(set(symbols))
        for s in syms:
            if len(s) != 1:
                raise BigramError(f"a symbol must be one character, got {s!r}")
            if s == _SEPARATOR:
                raise BigramError("the NUL character cannot be a symbol")
        self.boundary = next(label for label in BOUNDARY_LABELS if label not in syms)
        self.symbols: tuple[str, ...] = tuple(syms)
        self.itos: tuple[str, ...] = (self.boundary, *syms)
        # The boundary is deliberately absent from stoi: '.' may be a data symbol.
        self.stoi: dict[str, int] = {s: i for i, s in enumerate(syms, start=1)}
        # Code points in id order (ascending, since symbols are sorted by code point), for vectorised encoding.
        self._codepoints = torch.tensor([ord(_SEPARATOR)] + [ord(s) for s in syms], dtype=torch.int64)

    @classmethod
    def from_words(cls, words: Iterable[str]) -> Vocab:
        return cls("".join(words))

    def __len__(self) -> int:
        return len(self.itos)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.itos == other.itos

    def __repr__(self) -> str:
        return f"Vocab({len(self)} ids, boundary {self.boundary!r})"

    @property
    def size(self) -> int:
        return len(self.itos)

    def label(self, i: int) -> str:
        return self.itos[i]

    def pair_label(self, i: int, j: int) -> str:
        return self.itos[i] + self.itos[j]

    def encode(self, word: str) -> list[int]:
        """Ids of a word's symbols (no boundaries)."""
        try:
            return [self.stoi[ch] for ch in word]
        except KeyError as exc:
            raise BigramError(f"{exc.args[0]!r} in {word!r} is not in the vocabulary of this list") from None

    def decode(self, ids: Sequence[int]) -> str:
        """The word spelled by ids; boundary ids are left out."""
        return "".join(self.itos[i] for i in ids if i != 0)

    def decode_rows(self, ids: torch.Tensor, lengths: Sequence[int]) -> list[str]:
        """Many words at once: row i of ``ids`` (n x T) spells word i in its first ``lengths[i]`` ids.

        The whole block is turned into text in one go (ids -> code points -> one string), then cut.
        """
        n, T = ids.shape
        if n == 0 or T == 0:
            return [""] * n
        cps = self._codepoints[ids].to(torch.int32).contiguous()
        text = bytes(cps.numpy().tobytes()).decode("utf-32-le")
        return [text[i * T : i * T + length] for i, length in enumerate(lengths)]

    def _table(self) -> torch.Tensor:
        """Code point -> id, -1 for code points that are not symbols: one gather encodes a whole text.

        The table spans code points up to the largest symbol's (at most 1.1 M entries, for
        symbols from the last Unicode planes), built once per vocabulary.
        """
        table = getattr(self, "_lookup", None)
        if table is None:
            table = torch.full((int(self._codepoints.max()) + 2,), -1, dtype=torch.int64)
            table[self._codepoints] = torch.arange(len(self), dtype=torch.int64)
            self._lookup = table
        return table

    def encode_words(self, words: Sequence[str]) -> torch.Tensor:
        """All words as one id tensor with a boundary before, between and after them.

        ``. e m m a . o l i v i a .``: consecutive words share one boundary, so the pairs of
        neighbours are exactly the bigrams of every word wrapped in start/end tokens, and their
        number is the sum of (len + 1). Vectorised: the text is turned into code points once
        and looked up in a code-point table with one gather.
        """
        if not words:
            return torch.zeros(1, dtype=torch.int64)
        text = _SEPARATOR + _SEPARATOR.join(words) + _SEPARATOR
        if text.count(_SEPARATOR) != len(words) + 1:
            raise BigramError("words must not contain the NUL character")
        cps = torch.frombuffer(bytearray(text.encode("utf-32-le")), dtype=torch.int32).to(torch.int64)
        table = self._table()
        ids = table[cps.clamp(max=table.numel() - 1)]
        bad = (ids < 0) | (cps >= table.numel())
        if bool(bad.any()):
            ch = chr(int(cps[bad.nonzero()[0, 0]]))
            word = next((w for w in words if ch in w), "")
            raise BigramError(f"{ch!r} in {word!r} is not in the vocabulary of this list")
        return ids
