"""The catalogue of bad input, shared by the package, CLI and app tests (docs/bad-input.md describes it).

Each case: a file name, its bytes, and what it gets: ("error", text in the one-line message)
or ("ok", number of words kept).
"""

import codecs
import io
import random
import zipfile

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
}

SLOW_CASES = {
    "a million words": ("million.txt", _million, ("ok", 1_000_000)),
    "thousands of distinct symbols (3,500)": (
        "cjk.txt",
        lambda: _many_symbols(3500),
        ("error", "distinct symbols, more than the limit"),
    ),
    "2,000 distinct symbols": ("cjk2000.txt", lambda: _many_symbols(2000), ("ok", 667)),
}
