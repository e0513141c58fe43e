"""ui.escape: user text made plain for Markdown, code spans, LaTeX and plotly (the browser test checks the DOM)."""

import string

from apputil import shown

from ui import escape


def test_markdown_escapes_every_ascii_punctuation_mark_and_reads_back_as_given():
    text = string.punctuation + " [a](https://x.example) ![](y) $z$ :red[w] www.q.example a@b.c"
    out = escape.md(text)
    bare = out.replace("\\" + "\\", "")  # an escaped backslash
    assert all(f"\\{ch}" in bare or ch == "\\" for ch in string.punctuation)
    assert "](" not in out and "$z$" not in out and "://" not in out.replace("\\", "")
    assert shown(out) == text  # what a reader sees is the text itself


def test_control_characters_and_direction_overrides_are_shown_as_code_points():
    assert escape.visible("abc\u202edef\x1b[31m") == "abcU+202EdefU+001B[31m"
    assert escape.visible("two\nlines") == "two lines"


def test_a_code_span_holds_backticks():
    assert escape.code("a`b") == "``a`b``"
    assert escape.code("`") == "`` ` ``"
    assert escape.code("plain") == "`plain`"


def test_latex_specials_become_commands():
    assert escape.tex("snake_case 50% c# $x$ {a} ~^\\") == (
        r"snake\_case 50\% c\# \$x\$ \{a\} \textasciitilde{}\textasciicircum{}\textbackslash{}"
    )


def test_plotly_text_has_no_tags():
    assert escape.plot('<a href="https://x">x</a> & <b>') == '&lt;a href="https://x"&gt;x&lt;/a&gt; &amp; &lt;b&gt;'
