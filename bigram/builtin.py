"""The built-in word lists shipped in ``data/`` and described by ``data/catalog.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
DEFAULT_FILE = "names.txt"


@dataclass(frozen=True)
class BuiltinList:
    file: str
    title: str
    description: str = ""
    words: int = 0
    default: bool = False
    source: str = ""
    licence: str = ""

    @property
    def key(self) -> str:
        """Short name used in links and on the command line: the file name without its extension."""
        return Path(self.file).stem

    @property
    def path(self) -> Path:
        return DATA_DIR / self.file


def builtin_lists() -> list[BuiltinList]:
    """Every built-in list, the default first."""
    try:
        entries = json.loads((DATA_DIR / "catalog.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        entries = [{"file": DEFAULT_FILE, "title": "US baby names", "default": True}]
    known = {f.name for f in BuiltinList.__dataclass_fields__.values()}
    lists = [BuiltinList(**{k: v for k, v in e.items() if k in known}) for e in entries]
    return sorted(lists, key=lambda b: not b.default)


def find_builtin(key: str) -> BuiltinList | None:
    """The built-in list called ``key`` (file name with or without extension), if any."""
    return next((b for b in builtin_lists() if key in (b.key, b.file)), None)


def default_list() -> BuiltinList:
    return builtin_lists()[0]
