"""The word list in use: a built-in list or the person's own upload, cleaned, with where it came from.

What a person uploaded lives in their own session state; only its content hash (the ``id``)
keys the shared caches of ``ui.cached``, so nobody sees another's list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st

from bigram import BigramError, CountModel, WordList, limits, parse_words
from bigram.builtin import builtin_lists, default_list, find_builtin
from bigram.wordlist import CleanReport

from . import state
from .cache import MB, bounded

#: Bounds for uploads on a shared server (bigram.limits owns them; see BENCHMARKS.md for what they cost).
UPLOAD_MAX_WORDS, UPLOAD_MAX_VOCAB, UPLOAD_MAX_WORD_LEN = (
    limits.UPLOAD_MAX_WORDS,
    limits.UPLOAD_MAX_VOCAB,
    limits.UPLOAD_MAX_WORD_LEN,
)


@dataclass(frozen=True)
class WordSource:
    """A cleaned word list and where it came from.

    A person's upload stays in their session for as long as it lasts, so it is kept compact: the
    words as one string, one a line (a byte or two a character), not as a tuple of str (about 60
    bytes a word: 60 MB a session for a million-word upload). ``words`` splits it once into a
    shared cache bounded by bytes, keyed by the list's id. Cleaned words never hold a control
    character (``bigram.wordlist.clean_line``), so the newline cannot be part of a word.
    """

    id: str  # "builtin:<key>" or "upload:<sha256 of bytes and options>"
    title: str
    text: str  # the words joined by "\n"
    report: CleanReport
    builtin_key: str | None = None

    @classmethod
    def of(cls, id: str, title: str, words, report: CleanReport, builtin_key: str | None = None) -> WordSource:
        return cls(id=id, title=title, text="\n".join(words), report=report, builtin_key=builtin_key)

    @property
    def words(self) -> tuple[str, ...]:
        return _words(self.id, self.text)

    @property
    def is_upload(self) -> bool:
        return self.builtin_key is None


@bounded(max_entries=16, max_bytes=192 * MB)
def _words(source_id: str, _text: str) -> tuple[str, ...]:
    """A list's words as a tuple, split once from its text and shared by every session that uses the list."""
    return tuple(_text.split("\n")) if _text else ()


@bounded(max_entries=8, max_bytes=64 * MB)  # the built-in lists: five, 88,799 words at the most
def load_builtin(key: str) -> WordSource:
    entry = find_builtin(key) or default_list()
    wl = parse_words(entry.path.read_bytes(), source=entry.file)
    return WordSource.of(f"builtin:{entry.key}", entry.title, wl.words, wl.report, builtin_key=entry.key)


def builtin_titles() -> dict[str, str]:
    return {b.key: b.title for b in builtin_lists()}


def parse_upload(
    data: bytes, name: str, *, lowercase: bool, dedupe: bool, min_len: int, max_len: int, column: str | None
) -> WordSource:
    """Parse an upload with the app's bounds; raises BigramError with a one-line reason."""
    options = (lowercase, dedupe, min_len, max_len, column or "")
    digest = hashlib.sha256(data + repr(options).encode()).hexdigest()[:16]
    wl: WordList = parse_words(
        data,
        source=name,
        lowercase=lowercase,
        dedupe=dedupe,
        min_len=min_len,
        max_len=max_len,
        csv_column=column or None,
        max_words=UPLOAD_MAX_WORDS,
        max_vocab=UPLOAD_MAX_VOCAB,
    )
    return WordSource.of(f"upload:{digest}", name, wl.words, wl.report)


def current() -> WordSource:
    """The list in use: the upload if the person chose it, else the built-in list of the settings."""
    upload = st.session_state.get(state.UPLOAD)
    if st.session_state.get(state.USE_UPLOAD) and upload is not None:
        return upload
    return load_builtin(state.setting("list") or default_list().key)


def model_for(source: WordSource) -> CountModel:
    """The count model of a list (cached: ``ui.cached.count_model``)."""
    from .cached import count_model

    return count_model(source.id, source.words)


__all__ = ["BigramError", "WordSource", "builtin_titles", "current", "load_builtin", "model_for", "parse_upload"]
