"""Helpers for AppTest: every page is reached the way a person reaches it, through app.py."""

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 60  # pages import torch; the first run of a fresh AppTest can take a few seconds


def open_page(page: str | None = None, *, query: dict | None = None) -> AppTest:
    """An AppTest of app.py, switched to ``page`` (e.g. "pages/2_Counts.py") and run once."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if page:
        at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest, name: str, data: bytes, mime: str = "text/plain") -> AppTest:
    """Upload a file through the sidebar's uploader and rerun."""
    at.file_uploader(key="uploader").set_value((name, data, mime))
    at.run()
    return at


def shown(markdown: str) -> str:
    """What a reader sees of Markdown the app escaped (ui.escape.md): the text without its backslash escapes."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")
