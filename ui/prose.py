"""The pages' explanations, kept as Markdown in ``ui/text/<page>.md`` apart from the code that computes their numbers.

A teacher can change a paragraph without reading Python: each file is a sequence of named
sections, each starting with a line ``<!-- name -->``, written in Markdown with named
placeholders in braces (Python's format syntax, so ``{nll:.4f}`` formats a number). The page
fills them in with ``say("smoothing", "why-k", k=k, ...)``.

Every value is escaped for Markdown on its way in (``ui.escape.md``), so a list's symbols, a
file name or a typed word are shown as the text they are. A field can ask for another form:
``{word!c}`` puts it in a code span (``ui.escape.code``); ``{fragment!x}`` inserts Markdown the page
built itself from trusted parts (never user text). A literal brace is written ``{{`` or ``}}``.
"""

from __future__ import annotations

import functools
import re
import string
from pathlib import Path
from typing import Any

import streamlit as st

from . import escape

TEXT = Path(__file__).with_name("text")
_SECTION = re.compile(r"^<!--\s*([\w-]+)\s*-->\s*$", re.M)


@functools.cache
def sections(page: str) -> dict[str, str]:
    """The named sections of ``ui/text/<page>.md``: read once per process."""
    parts = _SECTION.split((TEXT / f"{page}.md").read_text(encoding="utf-8"))
    return {name: _unwrap(body.strip()) for name, body in zip(parts[1::2], parts[2::2])}


#: A line break inside a paragraph (not before a list item, a heading, a quote or a table row) is a space in
#: Markdown: joining the lines makes the text the same whether a teacher wraps it at 80 columns or not.
_SOFT_BREAK = re.compile(r"(?<=\S)\n(?=[^\n\s\-*#>|\d])")


def _unwrap(body: str) -> str:
    return _SOFT_BREAK.sub(" ", body)


class _Filler(string.Formatter):
    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion in ("c", "x"):
            return (conversion, value)
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, tuple) and len(value) == 2 and value[0] in ("c", "x"):
            kind, inner = value
            text = format(inner, format_spec)
            return escape.code(text) if kind == "c" else text
        return escape.md(format(value, format_spec))


def text(page: str, name: str, **values: Any) -> str:
    """Section ``name`` of the page's text, its placeholders filled in and escaped."""
    try:
        template = sections(page)[name]
    except KeyError:
        raise KeyError(f"ui/text/{page}.md has no section <!-- {name} -->") from None
    return _Filler().format(template, **values)


def say(page: str, name: str, **values: Any) -> None:
    """Draw section ``name`` of the page's text as Markdown."""
    st.markdown(text(page, name, **values))


def note(page: str, name: str, **values: Any) -> None:
    """Draw section ``name`` as a caption (small print under a chart)."""
    st.caption(text(page, name, **values))
