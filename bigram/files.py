"""Reading a file a person named: a regular file, read in bounded chunks, refused past a size cap.

``Path.read_bytes`` reads ``/dev/zero`` until memory runs out and blocks forever on a named
pipe (FIFO) nobody writes to. So a path is checked before it is opened (a regular file, not a
folder, a device, a pipe or a socket), opened without blocking and checked again (the path may
have changed in between), and read a chunk at a time, stopping as soon as it exceeds the cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import BigramError
from .limits import MB

CHUNK_BYTES = 1 << 20


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_regular(path, what: str) -> os.stat_result:
    """The file's status if ``path`` is a regular file (symbolic links followed), else a one-line refusal."""
    p = Path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise BigramError(f"no such file: {p}") from None
    except OSError as exc:
        raise BigramError(f"cannot read {p}: {exc.strerror or exc}") from None
    kind = _kind(st.st_mode)
    if kind is not None:
        raise BigramError(f"{p} is {kind}, not a {what} file")
    return st


def _refuse_size(p: Path, max_bytes: int, what: str, size: int | None = None) -> BigramError:
    got = f" ({size / MB:,.1f} MB)" if size is not None else ""
    return BigramError(f"{p} is larger than the limit of {max_bytes / MB:,g} MB for a {what} file{got}")


def read_limited(path, max_bytes: int, what: str) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them (else refused, before reading on)."""
    p = Path(path)
    st = check_regular(p, what)
    if st.st_size > max_bytes:
        raise _refuse_size(p, max_bytes, what, st.st_size)
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise BigramError(f"no such file: {p}") from None
    except OSError as exc:
        raise BigramError(f"cannot read {p}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb", buffering=0) as f:
        kind = _kind(os.fstat(fd).st_mode)  # the path may have been replaced since it was checked
        if kind is not None:
            raise BigramError(f"{p} is {kind}, not a {what} file")
        chunks, total = [], 0
        try:
            while chunk := f.read(min(CHUNK_BYTES, max_bytes + 1 - total)):
                chunks.append(chunk)
                total += len(chunk)
                if total > max_bytes:  # a file that grew, or one whose size the system does not know
                    raise _refuse_size(p, max_bytes, what)
        except OSError as exc:
            raise BigramError(f"cannot read {p}: {exc.strerror or exc}") from None
    return b"".join(chunks)


def shown_name(path) -> str:
    """A file's name as text that can be printed and stored (JSON, a model file's header, a notebook): a name
    that is not UTF-8 (bytes b'\\xff\\xfe.txt' on Linux) arrives with surrogate escapes, which no encoder takes,
    so its stray bytes are written as backslash escapes ('\\xff\\xfe.txt')."""
    return os.fsencode(Path(path).name).decode("utf-8", "backslashreplace")


def same_file(a, b) -> bool:
    """Whether two paths name one file: the same file through a hard link or a symbolic link, or the same
    resolved path for a file that does not exist yet."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


def check_output(path, suffixes=(".safetensors",), inputs=()) -> Path:
    """An output path a file can be written to (export, count, merge, notebook), checked before the work starts:
    not after an hour of counting, never a pipe that would block or a device, and never one of the ``inputs``."""
    out = Path(path)
    if out.suffix.lower() not in suffixes:
        raise BigramError(f"the output file must end in {' or '.join(suffixes)}")
    for source in inputs:
        if source is not None and Path(source).exists() and same_file(out, source):
            raise BigramError(f"{out} is {source}, which this command reads: give another file to write")
    if out.exists() and not out.is_file():  # a pipe would block, a device or a folder is not a file to keep
        raise BigramError(f"{out} exists and is not a regular file; give a file to write")
    if not out.parent.is_dir():
        raise BigramError(f"cannot write {out}: the folder {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK):
        raise BigramError(f"cannot write {out}: the folder {out.parent} is not writable")
    return out
