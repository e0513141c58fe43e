"""The catalogue of bad input, shared by the package, CLI and app tests (docs/bad-input.md describes it).

Word lists (``CASES``, ``SLOW_CASES``): a file name, its bytes, and what it gets: ("error", text
in the one-line message) or ("ok", number of words kept). Model files (``MODEL_CASES``): a file
name, a function making its bytes, and ("error", text) or ("ok", kind) in the app and the package
(``MODEL_CASES_CLI`` says where the command line differs). Command lines
(``CLI_CASES``): the arguments and a text of the one-line error.
"""

import codecs
import io
import json
import random
import zipfile

import torch

NAMES = ["emma", "olivia", "ava", "zoë"]


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("names.txt", "\n".join(NAMES))
    return buf.getvalue()


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))


def _random() -> bytes:
    rng = random.Random(1234)
    return bytes(rng.randrange(256) for _ in range(4096))


def _million() -> bytes:
    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return "\n".join(
        "".join(rng.choice(letters) for _ in range(rng.randrange(3, 9))) for _ in range(1_000_000)
    ).encode()


def _many_symbols(n: int) -> bytes:
    chars = [chr(0x4E00 + i) for i in range(n)]
    return "\n".join("".join(chars[i : i + 3]) for i in range(0, n, 3)).encode()


def _stray_byte() -> bytes:
    """UTF-8 names with accents, and one line holding a Latin-1 byte (0xe9) from another editor."""
    return "zoë\nchloé\nrenée\n".encode() + b"caf\xe9\n" + b"emma\n"


def _eight_million_lines() -> bytes:
    """25,000,000 bytes: 1,000,000 three-letter and 7,000,000 two-letter lines."""
    two = [bytes([97 + i % 26, 97 + i // 26]) for i in range(676)]
    three = [bytes([97 + i % 26, 97 + i // 26 % 26, 97 + i // 676]) for i in range(17576)]
    return b"\n".join([three[i % 17576] for i in range(1_000_000)] + [two[i % 676] for i in range(7_000_000)]) + b"\n"


CASES = {
    "empty file": ("empty.txt", b"", ("error", "is empty")),
    "white space only": ("blank.txt", b"  \n\t\n\r\n   ", ("error", "no words left after cleaning")),
    "PNG image": ("photo.txt", _png(), ("error", "PNG image")),
    "ZIP archive": ("names.zip.txt", _zip(), ("error", "ZIP archive")),
    "random bytes": ("noise.txt", _random(), ("error", "")),
    "UTF-16 with BOM": ("u16.txt", codecs.BOM_UTF16_LE + "\n".join(NAMES).encode("utf-16-le"), ("ok", 4)),
    "UTF-16 without BOM": ("u16nobom.txt", "\n".join(NAMES).encode("utf-16-le"), ("error", "UTF-16")),
    "Latin-1": ("latin1.txt", "\n".join(NAMES).encode("latin-1"), ("ok", 4)),
    "UTF-8 with BOM": ("bom.txt", codecs.BOM_UTF8 + "\n".join(NAMES).encode(), ("ok", 4)),
    "mixed line ends": ("mixed.txt", b"emma\r\nolivia\rava\nmia\r\n", ("ok", 4)),
    "a single 5 MB line": ("long.txt", b"ab" * 2_500_000, ("error", "longer than 100")),
    "emoji and combining accents": ("emoji.txt", "zoe\u0308\nðŸ™‚\n👩‍💻dev\ne\u0301mile".encode(), ("ok", 4)),
    "words containing '.'": ("dots.txt", b"st.john\nj.r.\nann\n", ("ok", 3)),
    "CSV with header and several columns": ("people.csv", b"id,name,year\n1,Ada,1815\n2,Alan,1912\n", ("ok", 2)),
    "UTF-8 with one invalid byte": ("stray.txt", _stray_byte(), ("ok", 4)),
    "tab-separated values saved as .txt": (
        "table.txt",
        b"name\tyear\nemma\t1990\nava\t2001\n",
        ("error", "looks like a table of tab-separated columns; save it as .csv and pick the column"),
    ),
    "a CSV header of 200,000 columns": (
        "columns.csv",
        (",".join(f"c{i}" for i in range(200_000)) + "\n" + ",".join(["x"] * 200_000) + "\n").encode(),
        ("ok", 1),
    ),
    "a CSV cell of 200,000 characters": (
        "wide.csv",
        b"name\nemma\n" + b"a" * 200_000 + b"\n",
        ("error", "field larger than field limit"),
    ),
}

SLOW_CASES = {
    "a million words": ("million.txt", _million, ("ok", 1_000_000)),
    "thousands of distinct symbols (3,500)": (
        "cjk.txt",
        lambda: _many_symbols(3500),
        ("error", "distinct symbols, more than the limit"),
    ),
    "2,000 distinct symbols": ("cjk2000.txt", lambda: _many_symbols(2000), ("ok", 667)),
    "8 million short lines (25 MB)": (
        "lines.txt",
        _eight_million_lines,
        ("error", "has more than 1,000,000 words, the limit here"),
    ),
}


# -- model files -----------------------------------------------------------------------------------

MODEL_WORDS = ["emma", "olivia", "ava"]  # 8 ids: . a e i l m o v


def _counts() -> torch.Tensor:
    from bigram import CountModel

    return CountModel.from_words(MODEL_WORDS).N


def safetensors_file(matrix, kind="counts", symbols=None, context="1", extra=None) -> bytes:
    """A safetensors model file laid out as Bigram Lab writes it, with whatever matrix and header one wants."""
    from safetensors.torch import save

    header = {
        "format": "bigram-lab",
        "version": "1",
        "kind": kind,
        "context": context,
        "boundary": ".",
        "symbols": json.dumps(sorted(set("".join(MODEL_WORDS))) if symbols is None else symbols, ensure_ascii=False),
        "meta": "{}",
    }
    return save({"matrix": matrix, **(extra or {})}, metadata=header)


def _zero_row() -> bytes:
    P = (_counts() + 1).double()
    P = P / P.sum(1, keepdim=True)
    P[3] = 0  # the row of 'i'
    return safetensors_file(P, "probabilities")


def _csv_model(cell: str) -> bytes:
    from bigram import CountModel
    from bigram.modelfile import ModelFile, to_csv

    m = CountModel.from_words(MODEL_WORDS)
    lines = to_csv(ModelFile("counts", m.N, m.vocab)).splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + "," + cell
    return ("\n".join(lines) + "\n").encode()


def _csv_rows(edit) -> bytes:
    """The counts CSV of ``MODEL_WORDS`` with its rows of numbers (lines 2 on) changed by ``edit``."""
    from bigram import CountModel
    from bigram.modelfile import ModelFile, to_csv

    m = CountModel.from_words(MODEL_WORDS)
    head, *rows = to_csv(ModelFile("counts", m.N, m.vocab)).splitlines()
    return ("\n".join([head, *edit(rows)]) + "\n").encode()


def _relabel(rows: list[str], i: int, label: str) -> list[str]:
    rows = list(rows)
    rows[i] = label + rows[i][rows[i].index(",") :]
    return rows


def _cjk(n: int) -> list[str]:
    return [chr(0x4E00 + i) for i in range(n)]


def _corpus_counts() -> bytes:
    """A counts file as ``python -m bigram count`` writes it: two files, one gzip, the report in its header."""
    import gzip
    import tempfile
    from pathlib import Path

    from bigram.corpus import count_files
    from bigram.modelfile import to_safetensors

    with tempfile.TemporaryDirectory() as folder:
        a, b = Path(folder) / "a.txt", Path(folder) / "b.txt.gz"
        a.write_bytes("Zoë\r\nchloé\r\n\r\n  emma \n".encode())
        b.write_bytes(gzip.compress(b"st.john\nava\n"))
        return to_safetensors(count_files([a, b]).model_file())


MODEL_CASES = {
    "a counts file of a corpus (python -m bigram count)": ("corpus.safetensors", _corpus_counts, ("ok", "counts")),
    "probabilities with an all-zero row": ("zero.safetensors", _zero_row, ("error", "row 'i' of P is all zeros")),
    "counts stored as float 1e300": (
        "huge.safetensors",
        lambda: safetensors_file(torch.full((8, 8), 1e300, dtype=torch.float64)),
        ("error", "the counts add up to more than 2**53"),
    ),
    "uint32 counts": ("u32.safetensors", lambda: safetensors_file(_counts().to(torch.uint32)), ("ok", "counts")),
    "uint32 probabilities": (
        "u32p.safetensors",
        lambda: safetensors_file(torch.eye(8).to(torch.uint32), "probabilities"),
        ("ok", "probabilities"),
    ),
    "weights beyond float32": (
        "w.safetensors",
        lambda: safetensors_file(torch.full((8, 8), 1e300, dtype=torch.float64), "weights"),
        ("error", "too large for float32"),
    ),
    "complex numbers": (
        "c.safetensors",
        lambda: safetensors_file(torch.zeros((8, 8), dtype=torch.complex64), "weights"),
        ("error", "holds C64 values, which Bigram Lab does not read"),
    ),
    "a second tensor": (
        "two.safetensors",
        lambda: safetensors_file(_counts(), extra={"payload": torch.zeros(1000)}),
        ("error", "other tensors besides 'matrix'"),
    ),
    "4,990 symbols (a 25 MB bool matrix)": (
        "big.safetensors",
        lambda: safetensors_file(torch.ones((4990, 4990), dtype=torch.bool), symbols=_cjk(4989)),
        ("error", "the model file has 4,989 symbols, more than the limit of 3,000"),
    ),
    "a longer context (even one too large for its symbols)": (
        "ctx.safetensors",
        lambda: safetensors_file(_counts(), symbols=_cjk(299), context="3"),
        ("error", "only bigram model files"),
    ),
    "a shape that does not fit": (
        "shape.safetensors",
        lambda: safetensors_file(torch.zeros((8, 9), dtype=torch.int64)),
        ("error", "need (8, 8)"),
    ),
    "an escape character as a symbol": (
        "esc.safetensors",
        lambda: safetensors_file(torch.ones((4, 4), dtype=torch.int64), symbols=["\x1b", "[", "m"]),
        ("error", "symbols include \\x1b, a control character"),
    ),
    "a header longer than the file": (
        "cut.safetensors",
        lambda: safetensors_file(_counts())[:60],
        ("error", "not a readable safetensors file"),
    ),
    "a CSV model with a 200,000-character cell": (
        "wide.csv",
        lambda: _csv_model("1" * 200_000),
        ("error", "field larger than field limit"),
    ),
    "a CSV model with a 1,000-character cell": (
        "long.csv",
        lambda: _csv_model("1" * 1000),
        ("error", "a cell of 1,000 characters at line 3"),
    ),
    "a CSV model with its rows sorted in another order (a spreadsheet sort)": (
        "sorted.csv",
        lambda: _csv_rows(lambda rows: sorted(rows, key=lambda r: r.split(",")[1:], reverse=True)),
        ("ok", "counts"),
    ),
    "a CSV model with a row label that is not one of its symbols": (
        "unknown.csv",
        lambda: _csv_rows(lambda rows: _relabel(rows, 2, "q")),
        ("error", "the model CSV's row label 'q' at line 4 is not one of its symbols"),
    ),
    "a CSV model with a row label twice": (
        "twice.csv",
        lambda: _csv_rows(lambda rows: _relabel(rows, 2, "a")),
        ("error", "the model CSV has two rows labelled 'a' (lines 3 and 4)"),
    ),
    "a CSV model with a row missing": (
        "missing.csv",
        lambda: _csv_rows(lambda rows: rows[:3] + rows[4:]),
        ("error", "the model CSV has no row for 'i'"),
    ),
    "a CSV count above 2**53": (
        "exact.csv",
        lambda: b"counts:context=1,.,a\n.,0,9007199254740993\na,1,0\n",  # float64 would make it 2**53, silently
        ("error", "the model CSV has a count of 9,007,199,254,740,993 at line 2, above 2**53"),
    ),
}

#: Where the command line differs: it reads model files with as many symbols as its word lists may have (5,000).
MODEL_CASES_CLI = {"4,990 symbols (a 25 MB bool matrix)": ("ok", "counts")}


# -- links -------------------------------------------------------------------------------------------

#: Links a stranger can make: the query, the setting it tries to set, and the text the page's note names it by.
#: Every one is ignored (the setting keeps its default), named in one note, and, in a locked link, locks nothing.
LINK_CASES = {
    "smoothing below 0": ({"k": "-3"}, "k", "k=-3"),
    "a list that is not built in": ({"list": "../../etc/passwd"}, "list", "list=../../etc/passwd"),
    "a pick outside the list's 27 symbols": ({"pick": "99,99"}, "pick", "pick=99,99"),
    "a pick one past the last symbol, locked": ({"pick": "3,27", "lock": "1"}, "pick", "pick=3,27"),
    "a pick inside surnames' symbols but not names'": ({"pick": "1,28", "lock": "1"}, "pick", "pick=1,28"),
    "a seed past 2**53, locked": ({"seed": str(2**53), "lock": "1"}, "seed", f"seed={2**53}"),
}


# -- command lines ---------------------------------------------------------------------------------

_HERE = __import__("pathlib").Path(__file__).resolve().parent
_NAMES = str(_HERE.parent / "data" / "names.txt")

CLI_CASES = {
    "count a file that is not there": (["count", "/no/such/words.txt", "-o", "/tmp/x.safetensors"], "no such file"),
    "count /dev/zero": (["count", "/dev/zero", "-o", "/tmp/x.safetensors"], "is a device"),
    "count a folder": (["count", str(_HERE), "-o", "/tmp/x.safetensors"], "is a folder"),
    "count into a CSV": (["count", _NAMES, "-o", "/tmp/x.csv"], "must end in .safetensors"),
    "count into a missing folder": (["count", _NAMES, "-o", "/no/such/dir/x.safetensors"], "does not exist"),
    "count with a scheduler but no Dask": (
        ["count", _NAMES, "-o", "/tmp/x.safetensors", "--scheduler", "tcp://127.0.0.1:1"],
        "give it with --engine dask",
    ),
    "count with a million local workers": (
        ["count", _NAMES, "-o", "/tmp/x.safetensors", "--workers", "1000000"],
        "at most 64",
    ),
    "merge a word list": (["merge", _NAMES, "-o", "/tmp/x.safetensors"], "a model file must be .safetensors or .csv"),
    "a seed past 2**53": (["sample", "names", "--seed", "99999999999999999999"], "at most 9,007,199,254,740,991"),
    "smoothing 1e308": (["sample", "names", "--smoothing", "1e308"], "between 0 and 1000"),
    "smoothing 7e306 when scoring": (["score", "names", "-k", "7e306"], "between 0 and 1000"),
    "infinite smoothing": (["score", "names", "-k", "1e400"], "must be a finite number"),
    "temperature 1e-320": (["sample", "names", "--temperature", "1e-320"], "between 0.05 and 10"),
    "a hundred million batched samples": (["sample", "names", "--mode", "batched", "-n", "100000000"], "at most 500"),
    "an endless number of samples": (["sample", "names", "-n", "99999999999999999999"], "at most 500"),
    "ten million training steps": (["train", "names", "--steps", "10000000"], "at most 5,000"),
    "regularisation 1e30": (["train", "names", "--reg", "1e30"], "between 0 and 10"),
    "a learning rate of 1e30": (["train", "names", "--lr", "1e30"], "between 0.0001 and 10000"),
    "regularisation too strong for the learning rate": (
        ["train", "names", "--lr", "100", "--reg", "10", "--steps", "50"],
        "the regularisation 10 is too large for the learning rate 100",
    ),
    "a learning rate that diverges": (
        ["train", "names", "--lr", "1000", "--optimizer", "adam", "--steps", "5"],
        "the learning rate 1000 is too large for this list; try 100",
    ),
    "a sweep of 101 values": (["tune", "names", "--ks", *["1"] * 101], "--ks takes at most 100 values"),
    "an endless --top": (["stats", "names", "--top", "99999999999999999999"], "at most 1,000"),
    "an endless --max-len": (["stats", "names", "--max-len", "99999999999999999999"], "at most 64,000,000"),
    "knob with ten million steps": (["knob", "names", "--steps", "10000000"], "at most 5,000"),
    "a sampled word of 100,000 symbols": (["sample", "names", "--max-length", "100000"], "at most 200"),
}


# -- counts files with odd headers (merge, stats) ----------------------------------------------------


def corpus_counts_with(edit) -> bytes:
    """The counts file of ``_corpus_counts`` with the JSON text of its ``meta`` header changed by ``edit``."""
    from safetensors.torch import load, save

    data = _corpus_counts()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])["__metadata__"]
    header["meta"] = edit(header["meta"])
    return save(load(data), metadata=header)


def _corpus_field(key: str, value: str):
    """An edit of the meta text that sets corpus field ``key`` to the raw JSON ``value`` (which may be 1e400)."""

    def edit(text: str) -> str:
        meta = json.loads(text)
        meta["corpus"][key] = "@@"
        return json.dumps(meta).replace('"@@"', value)

    return edit


def _corpus_drop(key: str):
    def edit(text: str) -> str:
        meta = json.loads(text)
        del meta["corpus"][key]
        return json.dumps(meta)

    return edit


def _corpus_as_text(text: str) -> str:
    meta = json.loads(text)
    meta["corpus"] = "x"
    return json.dumps(meta)


def _min_len(value: str):
    def edit(text: str) -> str:
        meta = json.loads(text)
        meta["corpus"]["cleaning"]["min_len"] = "@@"
        return json.dumps(meta).replace('"@@"', value)

    return edit


_ONE_FILE = '{"name": "a.txt", "encoding": "utf-8", "bytes": 1, "lines_read": "x", "kept": 1}'

#: A counts file (``count``) whose header a stranger edited: (edit of the meta JSON text, the field named).
COUNTS_HEADER_CASES = {
    "lines read 1e400 (infinity in JSON)": (_corpus_field("lines_read", "1e400"), "field 'lines_read' is Infinity"),
    "kept as text": (_corpus_field("kept", '"many"'), "field 'kept' is \"many\""),
    "no kept": (_corpus_drop("kept"), "has no 'kept'"),
    "dropped as a list": (_corpus_field("dropped", "[1, 2]"), "field 'dropped' is not a record"),
    "a dropped count of 1e400": (_corpus_field("dropped", '{"too long": 1e400}'), "'too long' is Infinity"),
    "a file's name as a number": (_corpus_field("files", '[{"name": 3}]'), "field 'name' is 3"),
    "a file's lines as text (merge wrote its output first)": (
        _corpus_field("files", f"[{_ONE_FILE}]"),
        "field 'lines_read' is \"x\"",
    ),
    "files as text": (_corpus_field("files", '"abc"'), "field 'files' is not a list of records"),
    "the corpus record as text": (_corpus_as_text, "corpus record is not a record"),
    "min_len 1e400": (_min_len("1e400"), "field 'min_len' is Infinity"),
    "a negative file count": (_corpus_field("file_count", "-5"), "field 'file_count' is -5"),
}
