"""Bigram counts of blocks of complete lines, vectorised, with ``clean_line`` for the lines that need it.

``bigram.stream`` cuts a file into blocks that end just after a ``\\n``. Most lines of a big word
list need nothing from the cleaning rules: no white space at their ends, no control character,
not empty, already lowercase or lowercased with the rest. For them the count of a block is one
``bincount`` of neighbouring pairs, and this module gets there without making a Python object per line:

* a block of ASCII bytes is lowercased by ``bytes.lower`` and its byte pairs are counted straight
  from its buffer: read as 16-bit integers at even and at odd offsets, each integer *is* the pair
  code ``previous + 256 * next`` (no arithmetic, no copy), and ``\\n`` stands for the boundary;
* any other block is decoded once, lowercased and NFC-normalised as one string (line ends and white
  space never take part in case mapping or composition, so this equals doing it line by line), turned
  into code points in one ``encode('utf-32-le')``, mapped to ids with one gather, and counted.

Which lines need the general rules is read off the pair counts themselves, at no extra cost: a
pair with a control character, a line end followed by a line end (an empty line), a space next to
a line end (white space to strip), a ``\\r`` not followed by ``\\n``. Only when one of those is
there are the block's lines located; those lines, taken from the block as it was read, go through
``wordlist.clean_line`` one by one in file order (so the report's counts, examples and line numbers
are the general path's), and the other lines are counted again without them. Word-length limits
make a line special the same way. Counts are the same either way; ``tests/test_corpus.py`` checks
it on random text with every line end, byte-order marks, capitals, decomposed accents and control
characters, cut at every chunk size.
"""

from __future__ import annotations

import unicodedata
import warnings

import torch

from .errors import BigramError
from .vocab import Vocab
from .wordlist import CONTROL_CHARACTERS, LINE_BREAKS

#: Ids with a fixed meaning in the counter: the boundary (``\\n`` between words), a character that
#: makes its line special (see ``_special_codepoints``), and ``\\r``, which is a line end only before ``\\n``.
BOUNDARY, SPECIAL, CR = 0, 1, 2
_RESERVED = 3
LF_CP, CR_CP, SPACE_CP = 10, 13, 32
#: Every white-space character and line break is at or below this code point (a test checks all of Unicode).
WHITESPACE_TOP = 0x3000
_SURROGATES = (0xD800, 0xE000)


def _special_codepoints(limit: int) -> list[int]:
    """Code points below ``limit`` that make a line special wherever they are in it.

    Control characters (the line is dropped), white space other than the space (``strip`` would
    treat it at a line's ends; a rare symbol inside a word), line breaks other than ``\\n``, and
    lone surrogates (bytes that are not UTF-8). ``\\n``, ``\\r`` and the space have their own rules.
    """
    out = [
        c
        for c in range(min(limit, WHITESPACE_TOP + 1))
        if c not in (LF_CP, CR_CP, SPACE_CP)
        and (CONTROL_CHARACTERS.match(chr(c)) or chr(c).isspace() or chr(c) in LINE_BREAKS)
    ]
    return out + list(range(_SURROGATES[0], min(limit, _SURROGATES[1])))


def _ascii_special_codes() -> torch.Tensor:
    """The byte-pair codes (``previous + 256 * next``) that make an ASCII line special."""
    special = set(_special_codepoints(128))
    codes = {p + 256 * q for p in range(128) for q in range(128) if p in special or q in special}
    codes |= {LF_CP + 256 * LF_CP, LF_CP + 256 * CR_CP}  # an empty line ("\n\n", "\n\r")
    codes |= {LF_CP + 256 * SPACE_CP, SPACE_CP + 256 * LF_CP, SPACE_CP + 256 * CR_CP}  # a space at a line end
    codes |= {CR_CP + 256 * q for q in range(128) if q != LF_CP}  # a "\r" that is not part of "\r\n"
    return torch.tensor(sorted(codes), dtype=torch.int64)


_ASCII_SPECIAL = _ascii_special_codes()


def byte_pair_counts(buf: bytearray) -> torch.Tensor:
    """Counts of the pairs of neighbouring bytes of ``buf`` (all below 128), indexed ``previous + 256 * next``.

    A little-endian 16-bit integer read at offset i is exactly ``buf[i] + 256 * buf[i + 1]``: reading the
    buffer as int16 at offset 0 gives the pairs starting at even offsets, at offset 1 the odd ones.
    """
    n = len(buf)
    with warnings.catch_warnings():  # frombuffer warns that a bytearray it does not own may change; it is ours
        warnings.simplefilter("ignore")
        even = torch.frombuffer(buf, dtype=torch.int16, count=n // 2) if n >= 2 else None
        odd = torch.frombuffer(buf, dtype=torch.int16, count=(n - 1) // 2, offset=1) if n >= 3 else None
    hist = torch.zeros(65536, dtype=torch.int64)
    for half in (even, odd):
        if half is not None and half.numel():
            hist += torch.bincount(half, minlength=65536)
    return hist


class PairCounter:
    """Running bigram counts over a vocabulary that grows as blocks arrive.

    Code points get ids in order of first appearance through a code-point -> id table (one
    gather per block), the counts live in a dense matrix over those ids, padded when the
    vocabulary grows, and ``result`` keeps the ids that were counted and puts them in
    code-point order, the order ``Vocab`` uses. ASCII blocks are counted apart, by byte pair
    (a 256 x 256 table), and folded in at the end. Ids of symbols met only in dropped lines are
    never counted; they are cleared out whenever the vocabulary passes its limit.
    """

    def __init__(self, max_vocab: int, source: str):
        self.max_vocab = max_vocab
        self.source = source
        self.codepoints = [LF_CP, -1, CR_CP]  # id -> code point (the reserved ids first)
        self.table = torch.full((256,), -1, dtype=torch.int32)
        self._mark_reserved(0)
        self.N = torch.zeros((_RESERVED, _RESERVED), dtype=torch.int64)
        self.byte_pairs = torch.zeros(65536, dtype=torch.int64)  # ASCII blocks, by byte pair
        self.inner_space: dict[int, int] = {}  # code point -> id of white space met inside words (not in the table)

    # ------------------------------------------------------------------ ids
    def _mark_reserved(self, start: int) -> None:
        self.table[LF_CP], self.table[CR_CP] = BOUNDARY, CR
        special = [c for c in _special_codepoints(self.table.numel()) if c >= start]
        if special:
            self.table[special] = SPECIAL

    def ids(self, cps: torch.Tensor) -> torch.Tensor:
        """Ids (int32) of code points, new ones given the next free ids."""
        top = int(cps.max())
        if top >= self.table.numel():
            old = self.table.numel()
            grown = torch.full((max(top + 1, 2 * old),), -1, dtype=torch.int32)
            grown[:old] = self.table
            self.table = grown
            self._mark_reserved(old)
        ids = torch.index_select(self.table, 0, cps)  # (several times faster than self.table[cps])
        if int(ids.min()) < 0:
            new = torch.unique(cps[ids < 0]).tolist()
            self.table[new] = torch.arange(len(self.codepoints), len(self.codepoints) + len(new), dtype=torch.int32)
            self.codepoints += new
            ids = torch.index_select(self.table, 0, cps)
        return ids

    @property
    def V(self) -> int:
        return len(self.codepoints)

    def space_id(self) -> int | None:
        i = int(self.table[SPACE_CP])
        return i if i >= 0 else None

    # ------------------------------------------------------------------ counting
    def pair_counts(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(previous ids, next ids, counts) of the neighbouring pairs of an id sequence (int64 each)."""
        V = self.V
        if V <= 128:  # ids fit in a byte: count byte pairs straight from the buffer (see byte_pair_counts)
            hist = byte_pair_counts(bytearray(ids.to(torch.uint8).numpy().tobytes()))
            seen = hist.nonzero().squeeze(1)
            return seen % 256, seen // 256, hist[seen]
        if V * V < 2**31:
            codes = ids[:-1] * V + ids[1:]
        else:
            codes = ids[:-1].long() * V + ids[1:]
        if V * V <= 4 * codes.numel() + 65536:  # a dense count costs no more than the block itself
            hist = torch.bincount(codes, minlength=V * V)
            seen = hist.nonzero().squeeze(1)
            counts = hist[seen]
        else:  # a large vocabulary and a small block: count only the pairs that occur
            seen, counts = torch.unique(codes, return_counts=True)
        seen = seen.long()
        return seen // V, seen % V, counts

    def add_pairs(self, prev: torch.Tensor, nxt: torch.Tensor, counts: torch.Tensor) -> None:
        self._check_vocab(torch.cat([prev, nxt]))
        V = self.V
        if self.N.shape[0] < V:
            grown = torch.zeros((V, V), dtype=torch.int64)
            grown[: self.N.shape[0], : self.N.shape[0]] = self.N
            self.N = grown
        self.N.view(-1).index_add_(0, prev.long() * V + nxt.long(), counts)

    def add(self, words: list[str]) -> None:
        """Count words cleaned by ``clean_line`` (the general path)."""
        if not words:
            return
        text = "\n" + "\n".join(words) + "\n"  # ". w1 . w2 . ... wn .": the bigrams of the words
        cps = torch.frombuffer(bytearray(text.encode("utf-32-le")), dtype=torch.int32)
        ids = self.ids(cps)
        odd = ids == SPECIAL
        if bool(odd.any()):  # white space inside a word (U+00A0, U+3000, ...): a symbol, kept out of the table
            found = cps[odd].tolist()
            for cp in set(found):
                if cp not in self.inner_space:
                    self.inner_space[cp] = len(self.codepoints)
                    self.codepoints.append(cp)
            ids[odd] = torch.tensor([self.inner_space[cp] for cp in found], dtype=ids.dtype)
        self.add_pairs_renumbering(*self.pair_counts(ids))

    def _check_vocab(self, pending: torch.Tensor) -> None:
        """Refuse more than ``max_vocab`` symbols; ids of symbols never counted are cleared out first."""
        if self.V - _RESERVED <= self.max_vocab:
            return
        used = torch.zeros(self.V, dtype=torch.bool)
        n = self.N.shape[0]
        used[:n] = (self.N.sum(0) > 0) | (self.N.sum(1) > 0)
        used[pending.long()] = True
        used[:_RESERVED] = True
        ascii_used = self._ascii_symbols()
        n_used = int(used[_RESERVED:].sum()) + sum(
            1 for c in ascii_used if not (0 <= int(self.table[c]) < self.V and used[int(self.table[c])])
        )
        if n_used > self.max_vocab:
            raise BigramError(f"{self.source} uses more than {self.max_vocab:,} distinct symbols, the limit")
        # Renumber: the used ids keep their order; the others are forgotten (their code points unseen again).
        keep = used.nonzero().squeeze(1)
        remap = torch.full((self.V,), -1, dtype=torch.int64)
        remap[keep] = torch.arange(keep.numel())
        codepoints = torch.tensor(self.codepoints)
        dropped = codepoints[~used]
        self.table[dropped[dropped >= 0]] = -1
        self.table[codepoints[keep][_RESERVED:]] = torch.arange(_RESERVED, keep.numel(), dtype=torch.int32)
        self.inner_space = {int(codepoints[i]): int(remap[i]) for i in self.inner_space.values() if used[i]}
        if self.inner_space:
            self.table[list(self.inner_space)] = SPECIAL
        old_keep = keep[keep < n]
        self.N = self.N[old_keep][:, old_keep].contiguous()
        self.codepoints = [self.codepoints[i] for i in keep.tolist()]
        raise _Renumbered(remap)

    def _ascii_symbols(self) -> list[int]:
        if not bool(self.byte_pairs.any()):
            return []
        seen = self.byte_pairs.view(256, 256)
        present = (seen.sum(0) > 0) | (seen.sum(1) > 0)
        return [c for c in present.nonzero().squeeze(1).tolist() if c not in (LF_CP, CR_CP)]

    def result(self) -> tuple[Vocab, torch.Tensor]:
        """The vocabulary and counts, rows and columns in code-point order, ``\\r\\n`` folded into one line end."""
        if bool(self.byte_pairs.any()):
            H = self.byte_pairs.view(256, 256)  # H[next, previous]
            nxt, prev = H.nonzero(as_tuple=True)
            counts = H[nxt, prev]
            present = torch.unique(torch.cat([prev, nxt]))
            lookup = torch.full((256,), -1, dtype=torch.int64)
            lookup[present] = self.ids(present.to(torch.int32)).long()
            self.byte_pairs = torch.zeros(65536, dtype=torch.int64)
            self.add_pairs_renumbering(lookup[prev], lookup[nxt], counts)
        N = self.N
        # "x\r\n": the pair (x, \r) is the pair (x, end); the pair (\r, \n) is no pair at all.
        N[:, BOUNDARY] += N[:, CR]
        N[CR, :] = 0
        N[:, CR] = 0
        used = (N.sum(0) > 0) | (N.sum(1) > 0)
        used[BOUNDARY] = True
        if bool(used[SPECIAL]):
            raise AssertionError("a special character was counted as a symbol")  # a bug, never the input
        used[SPECIAL] = used[CR] = False
        keep = used.nonzero().squeeze(1)
        cps = [self.codepoints[i] for i in keep.tolist()]
        if len(cps) - 1 > self.max_vocab:
            raise BigramError(f"{self.source} uses more than {self.max_vocab:,} distinct symbols, the limit")
        vocab = Vocab(chr(cp) for cp in cps[1:])
        order = keep[torch.argsort(torch.tensor([-1] + cps[1:]))]  # the boundary first, then by code point
        return vocab, N[order][:, order].contiguous()

    def add_pairs_renumbering(self, prev: torch.Tensor, nxt: torch.Tensor, counts: torch.Tensor) -> None:
        """``add_pairs``, retried with the new ids if clearing out unused ids renumbered them."""
        try:
            self.add_pairs(prev, nxt, counts)
        except _Renumbered as r:
            self.add_pairs(r.remap[prev], r.remap[nxt], counts)


class _Renumbered(Exception):
    """The counter cleared out ids of symbols it never counted; pending ids must be mapped through ``remap``."""

    def __init__(self, remap: torch.Tensor):
        self.remap = remap


# ---------------------------------------------------------------------- blocks


def count_ascii_block(
    block: bytes,
    counter: PairCounter,
    *,
    lowercase: bool,
    length_limits: tuple[int, int | None] | None,
) -> tuple[int, list[int]]:
    """Count the clean lines of an ASCII block ending in ``\\n``: (lines in the block, indices of special lines)."""
    low = block.lower() if lowercase else block
    buf = bytearray(b"\n")
    buf += low
    hist = byte_pair_counts(buf)
    lines = int(hist.view(256, 256)[LF_CP].sum())  # pairs whose next byte is "\n": one per line
    special: list[int] = []
    if bool(hist[_ASCII_SPECIAL].any()) or length_limits is not None:
        s = torch.frombuffer(buf, dtype=torch.uint8) if len(buf) else torch.zeros(0, dtype=torch.uint8)
        lf, cr, sp = s == LF_CP, s == CR_CP, s == SPACE_CP
        odd = ((s < 32) & ~lf & ~cr) | (s == 127)
        special = special_lines(lf, cr, sp, odd, length_limits)
        if special:
            keep = _without_lines(s, lf, special)
            kept = bytearray(keep.numpy().tobytes())
            hist = byte_pair_counts(kept)
    counter.byte_pairs += hist
    return lines, special


def count_text_block(
    text: str,
    counter: PairCounter,
    *,
    lowercase: bool,
    normalize: bool,
    length_limits: tuple[int, int | None] | None,
) -> tuple[int, list[int]]:
    """Count the clean lines of a text block ending in ``\\n``: (lines in the block, indices of special lines)."""
    t = text.lower() if lowercase else text
    if normalize and not unicodedata.is_normalized("NFC", t):
        t = unicodedata.normalize("NFC", t)
    cps = torch.frombuffer(bytearray(("\n" + t).encode("utf-32-le", "surrogatepass")), dtype=torch.int32)
    ids = counter.ids(cps)
    prev, nxt, counts = counter.pair_counts(ids)
    lines = int(counts[nxt == BOUNDARY].sum())
    sp = counter.space_id()
    odd = (
        (prev == SPECIAL)
        | (nxt == SPECIAL)
        | ((prev == BOUNDARY) & ((nxt == BOUNDARY) | (nxt == CR)))
        | ((prev == CR) & (nxt != BOUNDARY))
    )
    if sp is not None:
        odd |= ((prev == BOUNDARY) & (nxt == sp)) | ((prev == sp) & ((nxt == BOUNDARY) | (nxt == CR)))
    special: list[int] = []
    if bool(odd.any()) or length_limits is not None:
        lf, cr = ids == BOUNDARY, ids == CR
        spaces = ids == sp if sp is not None else torch.zeros_like(lf)
        special = special_lines(lf, cr, spaces, ids == SPECIAL, length_limits)
        if special:
            prev, nxt, counts = counter.pair_counts(_without_lines(ids, lf, special))
    counter.add_pairs_renumbering(prev, nxt, counts)
    return lines, special


def special_lines(
    lf: torch.Tensor,
    cr: torch.Tensor,
    sp: torch.Tensor,
    odd: torch.Tensor,
    length_limits: tuple[int, int | None] | None,
) -> list[int]:
    """Indices of the lines that need ``clean_line``, in a sequence that starts with a line end.

    Line i runs from just after line end i to line end i + 1, inclusive. ``odd`` marks characters
    that make their line special wherever they are.
    """
    bad = odd.clone()
    bad[1:] |= lf[1:] & lf[:-1]  # an empty line
    bad[1:] |= cr[1:] & lf[:-1]  # a line that starts with "\r": empty ("\r\n"), or a lone "\r"
    bad[:-1] |= cr[:-1] & ~lf[1:]  # a "\r" that is a line end of its own
    bad[1:] |= sp[1:] & lf[:-1]  # a space at the start of a line
    bad[:-1] |= sp[:-1] & (lf[1:] | cr[1:])  # a space at the end of a line
    ends = lf.nonzero().squeeze(1)  # ends[0] == 0: the line end put in front
    found = torch.searchsorted(ends, bad.nonzero().squeeze(1)) - 1
    if length_limits is not None:
        lo, hi = length_limits
        lengths = ends[1:] - ends[:-1] - 1 - cr[(ends[1:] - 1).clamp(min=0)].long()
        wrong = lengths < lo
        if hi is not None:
            wrong |= lengths > hi
        found = torch.cat([found, wrong.nonzero().squeeze(1)])
    return torch.unique(found).tolist()


def _without_lines(s: torch.Tensor, lf: torch.Tensor, lines: list[int]) -> torch.Tensor:
    """The sequence without the given lines (each from just after its opening line end to its closing one)."""
    ends = lf.nonzero().squeeze(1)
    which = torch.tensor(lines, dtype=torch.int64)
    marks = torch.zeros(s.numel() + 1, dtype=torch.int32)
    marks.index_add_(0, ends[which] + 1, torch.ones(len(lines), dtype=torch.int32))
    marks.index_add_(0, ends[which + 1] + 1, torch.full((len(lines),), -1, dtype=torch.int32))
    return s[torch.cumsum(marks[:-1], 0) == 0]


def lines_with_non_ascii(block: bytes, skip: list[int]) -> int:
    """How many lines of a block (each ending in ``\\n``) hold a byte above 127, the lines ``skip`` apart."""
    u = torch.frombuffer(bytearray(block), dtype=torch.uint8)
    high = torch.cumsum(u >= 128, 0, dtype=torch.int32)
    ends = (u == LF_CP).nonzero().squeeze(1)
    at_ends = high[ends]
    per_line = torch.diff(at_ends, prepend=torch.zeros(1, dtype=torch.int32)) > 0
    if skip:
        per_line[torch.tensor(skip)] = False
    return int(per_line.sum())
