"""The bad-input catalogue through the app: a one-line error in the sidebar, the previous list kept, no traceback."""

import pytest
from apputil import open_page, shown, upload
from badinput import CASES, LINK_CASES, MODEL_CASES, SLOW_CASES

from ui import state


def words_in_use(at) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


@pytest.fixture(scope="module")
def app():
    return open_page("pages/1_Data.py")


@pytest.mark.parametrize("case", list(CASES))
def test_catalogue_upload(app, case):
    name, data, (kind, expected) = CASES[case]
    before = words_in_use(app)
    upload(app, name, data, "text/csv" if name.endswith(".csv") else "text/plain")
    assert not app.exception, [e.value for e in app.exception]
    errors = [shown(e.value) for e in app.sidebar.error]
    if kind == "error":
        assert len(errors) == 1 and errors[0].startswith(f"{name}: ") and expected in errors[0]
        assert "\n" not in errors[0]
        assert words_in_use(app) == before  # nothing the person had is lost
    else:
        assert not errors
        assert f"**{expected:,}** words" in words_in_use(app)
        assert not app.main.error, [shown(e.value) for e in app.main.error]


@pytest.mark.slow
@pytest.mark.parametrize("case", list(SLOW_CASES))
def test_catalogue_upload_large(app, case):
    name, make, (kind, expected) = SLOW_CASES[case]
    upload(app, name, make())
    assert not app.exception
    if kind == "error":
        assert any(expected in shown(e.value) for e in app.sidebar.error)
    else:
        assert f"**{expected:,}** words" in words_in_use(app)


@pytest.mark.slow
def test_every_page_works_on_a_2000_symbol_list():
    from ui.sidebar import PAGES

    name, make, _ = SLOW_CASES["2,000 distinct symbols"]
    at = open_page()
    upload(at, name, make())
    for page in PAGES[1:]:
        at.switch_page(page.file).run()
        assert not at.exception, (page.file, [e.value for e in at.exception])
        assert "**667** words" in words_in_use(at)


@pytest.fixture(scope="module")
def exercises():
    return open_page("pages/7_Exercises.py")


@pytest.mark.parametrize("case", list(MODEL_CASES))
def test_model_catalogue_upload(exercises, case):
    """A model file from a stranger: loaded and used, or refused in one line; never a traceback."""
    name, make, (kind, expected) = MODEL_CASES[case]
    at = exercises
    at.file_uploader(key="model_upload").set_value((name, make(), "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [shown(e.value) for e in at.error]
    if kind == "error":
        assert len(errors) == 1 and errors[0].startswith(f"{name}: ") and expected in errors[0], errors
        assert "\n" not in errors[0]
    else:
        assert not errors, errors
        assert any(f"Loaded {name}: {expected}" in shown(s.value) for s in at.success)
        assert any("Samples from it" in md.value for md in at.markdown)


@pytest.mark.parametrize("case", list(LINK_CASES))
def test_link_catalogue(case):
    """A link a stranger made: its bad setting is ignored, named in one note, and locks nothing."""
    query, key, named = LINK_CASES[case]
    at = open_page(query=query)  # the note is shown once, on the page the link opens
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[key] == state.SETTINGS[key].default
    notes = [shown(i.value) for i in at.info if "Ignored invalid link settings" in shown(i.value)]
    assert len(notes) == 1 and named in notes[0] and "\n" not in notes[0], notes
    assert key not in at.session_state[state.LOCKED] if "lock" in query else True
    assert not any(named in shown(i.value) for i in at.info if "teacher's link" in shown(i.value))
