"""The guided path: every step points at a real page and a heading that page draws, in the lecture's order."""

import re

from apputil import ROOT

from ui import guide


def test_every_step_names_a_page_and_a_section_it_has():
    for step in guide.STEPS:
        src = (ROOT / step.page).read_text(encoding="utf-8")
        text_files = list((ROOT / "ui" / "text").glob("*.md"))
        anywhere = src + "".join(f.read_text(encoding="utf-8") for f in text_files)
        assert step.where in anywhere, f"{step.id}: {step.page} has no section {step.where!r}"


def test_nav_is_called_for_steps_that_exist_and_ids_are_unique():
    ids = [s.id for s in guide.STEPS]
    assert len(ids) == len(set(ids))
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]:
        for used in re.findall(r'guide\.nav\("([\w]+)"\)', path.read_text(encoding="utf-8")):
            assert used in ids, f"{path.name} calls guide.nav({used!r}), which is not a step"
