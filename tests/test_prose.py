"""The pages' prose lives in ui/text/*.md: every section a page asks for exists, every section is used, and the
values filled in are escaped."""

import re

import pytest
from apputil import ROOT, shown

from ui import prose

CALL = re.compile(r"""\b(?:say|note|text)\(\s*PAGE,\s*(?:"([\w-]+)"|([^,)]+))""")


def pages_using_prose():
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        src = path.read_text(encoding="utf-8")
        m = re.search(r'^PAGE = "([\w-]+)"', src, re.M)
        if m:
            yield path, m.group(1), src


@pytest.mark.parametrize("path,page,src", list(pages_using_prose()), ids=lambda v: getattr(v, "name", ""))
def test_every_section_asked_for_exists_and_every_section_is_used(path, page, src):
    have = set(prose.sections(page))
    asked = {m.group(1) for m in CALL.finditer(src) if m.group(1)}
    assert asked <= have, f"{path.name} asks for sections missing from ui/text/{page}.md: {sorted(asked - have)}"
    named = set(re.findall(r'"([\w-]+)"', src))  # a section may be chosen by a conditional expression
    assert have <= named, f"ui/text/{page}.md has sections no page uses: {sorted(have - named)}"


def test_values_are_escaped_and_forms_can_be_asked_for(tmp_path, monkeypatch):
    (tmp_path / "t.md").write_text(
        "<!-- a -->\nThe word {w}, as code {w!c},\nwrapped line; a number {x:.2f}; trusted {f!x}.\n\n- a list item\n"
    )
    monkeypatch.setattr(prose, "TEXT", tmp_path)
    prose.sections.cache_clear()
    out = prose.text("t", "a", w="[a](https://x.example)", x=3.14159, f="**bold**")
    prose.sections.cache_clear()
    assert "](" not in out.split("as code")[0]  # no link in the plain part
    assert "`[a](https://x.example)`" in out  # the code span shows it as it is
    assert "3.14" in shown(out) and "**bold**" in out
    assert "\nwrapped" not in out and "\n\n- a list item" in out  # soft breaks joined, paragraphs and lists kept
