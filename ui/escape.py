"""User text made safe for the place it lands: Markdown, a code span, LaTeX, or a plotly label.

Streamlit interprets what ``st.markdown``, ``st.caption``, ``st.error``, metric labels and ``st.latex``
are given: a word, a file name, a CSV header or a model file's metadata could otherwise become a live
link, an image fetched from anywhere by every visitor's browser, coloured text, an icon or math.
Everything a stranger controls goes through one of these functions on its way to the screen, and
is shown as the plain characters it is.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata

#: Characters that reorder the text around them (right-to-left overrides and isolates, the marks):
#: shown as their code points, so a word cannot make the text beside it read backwards.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_ASCII_PUNCTUATION = frozenset(string.punctuation)

_TEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
}


def visible(text: object) -> str:
    """``str(text)`` with control characters and direction overrides written as ``U+XXXX``, on one line."""
    out = []
    for ch in str(text):
        if ord(ch) in _BIDI or unicodedata.category(ch) == "Cc":
            out.append(" " if ch in "\n\r\t" else f"U+{ord(ch):04X}")
        else:
            out.append(ch)
    return "".join(out)


#: U+2060 WORD JOINER: invisible, and it breaks the runs GitHub-flavoured Markdown turns into links by themselves.
_JOINER = "\u2060"


def md(text: object) -> str:
    """Plain text inside Markdown: every ASCII punctuation mark backslash-escaped (CommonMark allows it for all of
    them), so no link, image, emphasis, math (``$``), HTML, Streamlit icon or colour (``:...:``) can form.

    Escapes do not stop GFM's bare autolinks (``https://...``, ``www.``, ``a@b.c``), so an invisible word
    joiner breaks each of those runs, and only those: elsewhere the text stays exactly what was given.
    """
    out = "".join("\\" + ch if ch in _ASCII_PUNCTUATION else ch for ch in visible(text))
    out = out.replace("\\:\\/\\/", "\\:" + _JOINER + "\\/\\/")
    out = re.sub(r"(?<=\w)\\@(?=\w)", "\\\\@" + _JOINER, out)
    return re.sub(r"(?i)(www)(\\\.)", r"\1" + _JOINER + r"\2", out)


def code(text: object) -> str:
    """A Markdown code span that shows ``text`` as it is, backticks included: the fence is longer than any run of
    backticks inside, and padded where the text starts or ends with one."""
    body = visible(text)
    runs = [len(r) for r in re.findall(r"`+", body)]
    fence = "`" * (max(runs, default=0) + 1)
    if body.startswith("`") or body.endswith("`") or not body.strip():
        body = f" {body} "
    return f"{fence}{body}{fence}"


def tex(text: object) -> str:
    """Plain text for LaTeX text mode (inside ``\\texttt{...}``): the ten special characters written as commands."""
    return "".join(_TEX.get(ch, ch) for ch in visible(text))


def plot(text: object) -> str:
    """Plain text for a plotly title, label or hover text: plotly reads a few HTML tags (``<a href>``, ``<b>``,
    ``<br>``) and entities, so ``<``, ``>`` and ``&`` become entities."""
    return html.escape(visible(text), quote=False)
