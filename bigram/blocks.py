"""Bigram counts of blocks of complete lines, vectorised, with ``clean_line`` for the lines that need it.

``bigram.stream`` cuts a file into blocks that end just after a ``\\n``. Most lines of a big word
list need nothing from the cleaning rules: no white space at their ends, no control character,
not empty, already lowercase or lowercased with the rest. For them the count of a block is one
``bincount`` of neighbouring pairs, and this module gets there without making a Python object per line:

* a block of ASCII bytes is lowercased by ``bytes.lower`` and its byte pairs are counted straight
  from its buffer: read as 16-bit integers at even and at odd offsets, each integer *is* the pair
  code ``previous + 256 * next`` (no arithmetic, no copy), and ``\\n`` stands for the boundary;
* any other block is decoded once, lowercased as one string (line ends and white space never take
  part in case mapping, so this equals lowercasing line by line), turned into code points in one
  ``encode('utf-32-le')``, mapped to ids with one ``index_select`` on a code point -> id table, and counted.

Which lines need the general rules is read off the pair counts themselves, at no extra cost: a
pair with a control character, a line end followed by a line end (an empty line), a space next to
a line end (white space to strip), a ``\r`` not followed by ``\n``, a character NFC may change
(``is_nfc_sensitive``: a combining mark, a character never found in NFC text; a line without any is
NFC already). Only when one of those is there are those lines located (``bytes.find`` around the
flagged positions); their pairs are taken away from the block's (counts add up), and the lines,
taken from the block as it was read, go through ``wordlist.clean_line`` one by one in file order, so
the report's counts, examples and line numbers are the general path's. Word-length limits make a
line special the same way. A block where many lines are NFC-sensitive (text written decomposed) is
normalised whole instead, in pieces (``nfc``). Counts are the same either way:
``tests/test_fastcount.py`` checks it on random text with every line end, byte-order marks, capitals,
decomposed accents, white space and control characters, cut at every chunk size.
"""

from __future__ import annotations

import unicodedata
import warnings

import torch

from .errors import BigramError
from .vocab import Vocab
from .wordlist import CONTROL_CHARACTERS, LINE_BREAKS

#: Ids with a fixed meaning in the counter: the boundary (``\\n`` between words), a character that
#: makes its line special (see ``_special_codepoints``), ``\\r``, which is a line end only before ``\\n``,
#: and a character NFC may change (``is_nfc_sensitive``).
BOUNDARY, SPECIAL, CR, NFC_SENSITIVE = 0, 1, 2, 3
_RESERVED = 4
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


#: Below U+0300 every character is NFC on its own, whatever surrounds it (a test checks it).
NFC_SAFE_BELOW = 0x300
#: No character from here on has a decomposition or a combining class (a test checks it).
NFC_TOP = 0x30000


#: Characters without a combining class that NFC composes with the character before them: vowel signs
#: of Indic and other scripts (Unicode 14, as Python 3.11's unicodedata; a test checks them against its
#: table), and the Hangul vowels and final consonants, which compose by rule.
COMPOSING_STARTERS = frozenset(
    [0x9BE, 0x9D7, 0xB3E, 0xB56, 0xB57, 0xBBE, 0xBD7, 0xCC2, 0xCD5, 0xCD6, 0xD3E, 0xD57, 0xDCF, 0xDDF, 0x102E]
    + [0x1B35, 0x11127, 0x1133E, 0x11357, 0x114B0, 0x114BA, 0x114BD, 0x115AF, 0x11930]
    + list(range(0x1161, 0x1176))
    + list(range(0x11A8, 0x11C3))
)


def is_nfc_sensitive(cp: int) -> bool:
    """Whether NFC may change or reorder this character, depending on its neighbours.

    That is Unicode's NFC quick check answering other than "yes": characters with a combining
    class (reordered, composed), characters that are never NFC (singletons, composition
    exclusions), and characters composed with the one before them (combining marks, and
    ``COMPOSING_STARTERS``). A line without any is NFC already.
    """
    if not NFC_SAFE_BELOW <= cp < NFC_TOP:
        return False
    ch = chr(cp)
    return bool(unicodedata.combining(ch)) or cp in COMPOSING_STARTERS or not unicodedata.is_normalized("NFC", ch)


def _ascii_special_codes() -> dict[str, torch.Tensor]:
    """The byte-pair codes (``previous + 256 * next``) that make an ASCII line special, by the rule they break."""
    special = set(_special_codepoints(128))
    rules = {
        "odd": {p + 256 * q for p in range(128) for q in range(128) if p in special or q in special},
        "empty": {LF_CP + 256 * LF_CP},  # "\n\n"
        "cr": {CR_CP + 256 * q for q in range(128) if q != LF_CP} | {LF_CP + 256 * CR_CP, SPACE_CP + 256 * CR_CP},
        "space": {LF_CP + 256 * SPACE_CP, SPACE_CP + 256 * LF_CP, SPACE_CP + 256 * CR_CP},
    }
    return {rule: torch.tensor(sorted(codes), dtype=torch.int64) for rule, codes in rules.items()}


_ASCII_SPECIAL = _ascii_special_codes()
_ASCII_CR_PAIRS = torch.tensor([p + 256 * CR_CP for p in range(128)], dtype=torch.int64)  # any "\r" at all


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


def _id_pair_counts(ids8: torch.Tensor) -> torch.Tensor:
    """``byte_pair_counts`` of a uint8 tensor, read as int16 in place (the odd offsets from one copy)."""
    n = ids8.numel()
    hist = torch.zeros(65536, dtype=torch.int64)
    if n >= 2:
        hist += torch.bincount(ids8[: n // 2 * 2].view(torch.int16), minlength=65536)
    if n >= 3:
        hist += torch.bincount(ids8[1 : 1 + (n - 1) // 2 * 2].clone().view(torch.int16), minlength=65536)
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

    def __init__(self, max_vocab: int, source: str, normalize: bool = True):
        self.max_vocab = max_vocab
        self.source = source
        self.normalize = normalize  # NFC-sensitive characters make their line special (see count_text_block)
        self.codepoints = [LF_CP, -1, CR_CP, -1]  # id -> code point (the reserved ids first)
        self.table = torch.full((256,), -1, dtype=torch.int32)
        self._mark_reserved(0)
        self.N = torch.zeros((_RESERVED, _RESERVED), dtype=torch.int64)
        self.byte_pairs = torch.zeros(65536, dtype=torch.int64)  # ASCII blocks, by byte pair
        # Code point -> id of characters the table marks special or NFC-sensitive, met inside kept words
        # (white space inside a word, a combining mark NFC left alone): symbols, kept out of the table.
        self.inner: dict[int, int] = {}

    def _mark_reserved(self, start: int) -> None:
        self.table[LF_CP], self.table[CR_CP] = BOUNDARY, CR
        n = self.table.numel()
        special = [c for c in _special_codepoints(n) if c >= start]
        if special:
            self.table[special] = SPECIAL
        if self.normalize and n > NFC_SAFE_BELOW:  # (computed as the table grows: a few µs a code point)
            sensitive = [c for c in range(max(start, NFC_SAFE_BELOW), min(n, NFC_TOP)) if is_nfc_sensitive(c)]
            if sensitive:
                self.table[sensitive] = NFC_SENSITIVE

    def _reserved_kind(self, cp: int) -> int:
        return NFC_SENSITIVE if self.normalize and is_nfc_sensitive(cp) else SPECIAL

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
            hist = _id_pair_counts(ids.to(torch.uint8))
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
        ids = self.symbol_ids(cps, (SPECIAL, NFC_SENSITIVE))
        self.add_pairs_renumbering(*self.pair_counts(ids))

    def symbol_ids(self, cps: torch.Tensor, kinds: tuple[int, ...]) -> torch.Tensor:
        """``ids``, with the characters the table marks as one of ``kinds`` given their ids as symbols."""
        ids = self.ids(cps)
        odd = ids == kinds[0]
        for kind in kinds[1:]:
            odd |= ids == kind
        if bool(odd.any()):
            found = cps[odd].tolist()
            for cp in set(found):
                if cp not in self.inner:
                    self.inner[cp] = len(self.codepoints)
                    self.codepoints.append(cp)
            ids[odd] = torch.tensor([self.inner[cp] for cp in found], dtype=ids.dtype)
        return ids

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
        self.inner = {cp: int(remap[i]) for cp, i in self.inner.items() if used[i]}
        for cp in self.inner:
            self.table[cp] = self._reserved_kind(cp)
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
        if bool(used[SPECIAL]) or bool(used[NFC_SENSITIVE]):
            raise AssertionError("a special character was counted as a symbol")  # a bug, never the input
        used[SPECIAL] = used[CR] = used[NFC_SENSITIVE] = False
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


#: Special lines come back as (index in the block, the line as read, with its "\n").
Special = list[tuple[int, str]]


def count_ascii_block(
    block: bytes,
    counter: PairCounter,
    *,
    lowercase: bool,
    length_limits: tuple[int, int | None] | None,
) -> tuple[int, Special]:
    """Count the clean lines of an ASCII block ending in ``\n``: (lines in the block, its special lines)."""
    low = block.lower() if lowercase else block
    buf = bytearray(b"\n")
    buf += low
    hist = byte_pair_counts(buf)
    lines = int(hist.view(256, 256)[LF_CP].sum())  # pairs whose next byte is "\n": one per line
    special: Special = []
    broken = {rule: bool(hist[codes].any()) for rule, codes in _ASCII_SPECIAL.items()}
    if any(broken.values()) or length_limits is not None:
        s = torch.frombuffer(buf, dtype=torch.uint8)
        lf = s == LF_CP
        has_cr = broken["cr"] or (length_limits is not None and bool(hist[_ASCII_CR_PAIRS].any()))
        cr = s == CR_CP if has_cr else None
        sp = s == SPACE_CP if broken["space"] or broken["cr"] else None
        odd = ((s < 32) & ~lf & (s != CR_CP)) | (s == 127) if broken["odd"] else None
        flagged = _flagged(lf, cr, sp, odd, length_limits, empty=broken["empty"])
        segments = _segments(buf, b"\n", flagged, number=False)  # no ASCII line can be "not UTF-8": no numbers
        if segments:
            # Counts add up: the clean lines' pairs are the block's pairs less the special lines' pairs.
            # Special line i's pairs are those of buf[opening : closing + 1], its two line ends included.
            joined = torch.frombuffer(bytearray(b"".join(buf[o : c + 1] for _, o, c in segments)), dtype=torch.uint8)
            codes = joined[:-1].long() + 256 * joined[1:].long()
            hist.index_add_(0, codes, torch.full_like(codes, -1))
            hist[LF_CP + 256 * LF_CP] += len(segments) - 1  # the pairs made by joining them were never there
            special = [(i, block[o:c].decode("ascii")) for i, o, c in segments]  # buf is block shifted by one
    counter.byte_pairs += hist
    return lines, special


def count_text_block(
    text: str,
    counter: PairCounter,
    *,
    lowercase: bool,
    normalize: bool,
    length_limits: tuple[int, int | None] | None,
    number_lines: bool = False,
) -> tuple[int, Special]:
    """Count the clean lines of a text block ending in ``\n``: (lines in the block, its special lines).

    Special lines are numbered (their index in the block) if ``number_lines`` or if one may be "not
    UTF-8" (the report gives those lines' numbers); else their index is None.
    """
    lowered = text.lower() if lowercase else text
    # Lowercasing keeps every character's length but that of U+0130 (İ): without it a line is where it was in
    # the text as read, give or take what NFC changed in the pieces before it (``original_line``).
    aligned = not lowercase or "\u0130" not in text
    t, pieces = lowered, []
    stream = "\n" + t
    cps = torch.frombuffer(bytearray(stream.encode("utf-32-le", "surrogatepass")), dtype=torch.int32)
    ids = counter.ids(cps)
    prev, nxt, counts = counter.pair_counts(ids)
    lines = int(counts[nxt == BOUNDARY].sum())
    sensitive = int(counts[prev == NFC_SENSITIVE].sum()) if normalize else 0
    if sensitive > lines // 16:
        # Much of the block may change under NFC (text written decomposed): normalise it (in pieces), and count
        # what NFC left of those characters as symbols. A few such lines are special lines instead (below).
        t, pieces = nfc(lowered)
        stream = "\n" + t
        cps = torch.frombuffer(bytearray(stream.encode("utf-32-le", "surrogatepass")), dtype=torch.int32)
        ids = counter.symbol_ids(cps, (NFC_SENSITIVE,))
        prev, nxt, counts = counter.pair_counts(ids)
        sensitive = 0
    sp = counter.space_id()
    starts = prev == BOUNDARY
    broken = {
        "odd": bool(((prev == SPECIAL) | (nxt == SPECIAL)).any()),
        "empty": bool((starts & (nxt == BOUNDARY)).any()),
        "cr": bool(((starts & (nxt == CR)) | ((prev == CR) & (nxt != BOUNDARY))).any()),
        "space": sp is not None and bool(((starts & (nxt == sp)) | ((prev == sp) & (nxt == BOUNDARY))).any()),
    }
    if sp is not None:
        broken["cr"] |= bool(((prev == sp) & (nxt == CR)).any())
    surrogates = broken["odd"]  # (lines not UTF-8 are reported by number)
    broken["odd"] |= sensitive > 0
    special: Special = []
    if any(broken.values()) or length_limits is not None:
        lf = ids == BOUNDARY
        has_cr = broken["cr"] or (length_limits is not None and bool((nxt == CR).any()))
        cr = ids == CR if has_cr else None
        spaces = ids == sp if sp is not None and (broken["space"] or broken["cr"]) else None
        odd = ((ids == SPECIAL) | (ids == NFC_SENSITIVE)) if broken["odd"] else None
        flagged = _flagged(lf, cr, spaces, odd, length_limits, empty=broken["empty"])
        segments = _segments(stream, "\n", flagged, number=number_lines or surrogates or not aligned)
        if segments:
            # As for ASCII blocks: the special lines' pairs are taken away from the block's (ids follow stream).
            joined = torch.cat([ids[o : c + 1] for _, o, c in segments])
            sp_prev, sp_next, sp_counts = counter.pair_counts(joined)
            sp_counts[(sp_prev == BOUNDARY) & (sp_next == BOUNDARY)] -= len(segments) - 1
            prev, nxt, counts = _net(
                torch.cat([prev, sp_prev]), torch.cat([nxt, sp_next]), torch.cat([counts, -sp_counts]), counter.V
            )
            if aligned:
                special = [(i, original_line(text, t, pieces, o, c)) for i, o, c in segments]
            else:  # line i as read (lowercasing and NFC keep every line end, so line i is still line i)
                lines_read = text.split("\n")
                special = [(i, lines_read[i] + "\n") for i, _, _ in segments]
    counter.add_pairs_renumbering(prev, nxt, counts)
    return lines, special


#: Pieces of a block normalised on their own: text written decomposed costs NFC only where it is.
NFC_PIECE_CHARS = 4096


def nfc(t: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    """``unicodedata.normalize('NFC', t)``, a piece of about 4,096 characters at a time, cut after line ends.

    ``is_normalized`` answers at C speed where every character is surely NFC; a single decomposed
    accent makes it (and ``normalize``) go over the whole string, 7 ms for a block of 256 KiB. Pieces
    keep that cost to the pieces that have one. A line end is never part of a composition, so the
    pieces normalise to the same text as the whole. Also returns the pieces NFC changed, as
    (start and end in the result, start and end in ``t``).
    """
    if len(t) <= NFC_PIECE_CHARS:
        if unicodedata.is_normalized("NFC", t):
            return t, []
        done = unicodedata.normalize("NFC", t)
        return done, [(0, len(done), 0, len(t))]
    out, changed, start, at = [], [], 0, 0
    while start < len(t):
        end = t.find("\n", start + NFC_PIECE_CHARS) + 1 or len(t)
        piece = t[start:end]
        if not unicodedata.is_normalized("NFC", piece):
            piece = unicodedata.normalize("NFC", piece)
            changed.append((at, at + len(piece), start, end))
        out.append(piece)
        at += len(piece)
        start = end
    return ("".join(out) if changed else t), changed


def original_line(text: str, t: str, changed: list[tuple[int, int, int, int]], opening: int, closing: int) -> str:
    """The line ``t[opening:closing]`` (with its line end) as it was in ``text``, which ``nfc`` turned into ``t``.

    Outside the pieces NFC changed, ``t`` is ``text`` shifted by what the changed pieces before gained
    or lost; inside one, the line is found by its number in the piece. (Lines never cross pieces.)
    """
    shift = 0  # index in t - index in text, here
    for at, at_end, start, end in changed:
        if opening < at:
            break
        if opening < at_end:
            return text[start:end].split("\n")[t.count("\n", at, opening)] + "\n"
        shift = at_end - end
    return text[opening - shift : closing - shift]


def _net(prev, nxt, counts, V):
    """Pair counts with repeats added up and zeros left out."""
    codes, where = torch.unique(prev * V + nxt, return_inverse=True)
    total = torch.zeros(codes.numel(), dtype=torch.int64).index_add_(0, where, counts)
    keep = total != 0
    return codes[keep] // V, codes[keep] % V, total[keep]


def _flagged(
    lf: torch.Tensor,
    cr: torch.Tensor | None,
    sp: torch.Tensor | None,
    odd: torch.Tensor | None,
    length_limits: tuple[int, int | None] | None,
    *,
    empty: bool,
) -> list[int]:
    """Positions that make their line special, in a sequence that starts with a line end.

    ``odd`` marks characters that make their line special wherever they are; the rest are the
    rules about empty lines, ``\r``, spaces at line ends, and (with ``length_limits``) the words'
    lengths. A rule whose mask is None (or ``empty`` False) is known from the pair counts to hold.
    """
    bad = odd.clone() if odd is not None else torch.zeros_like(lf)
    if empty:
        bad[1:] |= lf[1:] & lf[:-1]  # an empty line
    if cr is not None:
        bad[1:] |= cr[1:] & lf[:-1]  # a line that starts with "\r": empty ("\r\n"), or a lone "\r"
        bad[:-1] |= cr[:-1] & ~lf[1:]  # a "\r" that is a line end of its own
    if sp is not None:
        bad[1:] |= sp[1:] & lf[:-1]  # a space at the start of a line
        bad[:-1] |= sp[:-1] & (lf[1:] | (cr[1:] if cr is not None else False))  # a space at the end of a line
    if length_limits is not None:  # every line's length: the closing line end of each line too long or short
        lo, hi = length_limits
        ends = lf.nonzero().squeeze(1)  # ends[0] == 0: the line end put in front
        lengths = ends[1:] - ends[:-1] - 1
        if cr is not None:
            lengths -= cr[(ends[1:] - 1).clamp(min=0)].long()
        wrong = lengths < lo
        if hi is not None:
            wrong |= lengths > hi
        bad[ends[1:][wrong]] = True
    return bad.nonzero().squeeze(1).tolist()


def _segments(stream, lf, positions: list[int], *, number: bool) -> list[tuple[int | None, int, int]]:
    """(index, opening line end, closing line end) of the lines holding ``positions``, each line once.

    ``stream`` is the block with a line end put in front (bytes or str, indexed as the positions are);
    line i runs from just after its opening line end to its closing one, inclusive. Indices (which cost
    a count of the line ends before each line) only if ``number``, else None.
    """
    out = []
    closing = -1
    seen_ends, counted_to = 0, 0  # line ends in stream[:counted_to]
    for p in positions:
        if p <= closing:
            continue
        opening = stream.rfind(lf, 0, p)
        closing = stream.find(lf, p)
        index = None
        if number:
            seen_ends += stream.count(lf, counted_to, opening + 1)
            counted_to = opening + 1
            index = seen_ends - 1
        out.append((index, opening, closing))
    return out


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
