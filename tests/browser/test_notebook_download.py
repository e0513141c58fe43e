"""A page downloads as a notebook: a person sets a smoothing value, presses "Open as notebook" and gets a valid one.

The file is what Jupyter opens: it must pass ``nbformat.validate``, carry the person's settings as
constants, and its ``.py`` twin must hold the same cells.
"""

import nbformat
import pytest
from browserutil import open_view, page_title, screenshot

pytestmark = pytest.mark.browser


def test_the_smoothing_page_downloads_as_a_valid_notebook_with_its_settings(server, page):
    open_view(page, server.url, "/Smoothing?k=2&list=prenoms_fr", page_title("pages/3_Smoothing.py"))
    sidebar = page.get_by_test_id("stSidebar")

    with page.expect_download() as got:
        sidebar.get_by_role("button", name="Open as notebook").click()
    d = got.value
    assert d.suggested_filename == "bigram-lab-smoothing.ipynb"
    nb = nbformat.read(d.path(), as_version=4)
    nbformat.validate(nb)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "K = 2.0  # add-k smoothing: fake counts added to every cell of N" in "\n".join(code)
    assert "French first names" in nb.cells[0].source  # the list in use, written into the notebook
    assert all(before.cell_type == "markdown" for before, c in zip(nb.cells, nb.cells[1:]) if c.cell_type == "code")

    with page.expect_download() as got:
        sidebar.get_by_role("button", name="The same as a .py script").click()
    script = open(got.value.path(), encoding="utf-8").read()
    assert got.value.suggested_filename == "bigram-lab-smoothing.py"
    assert all(c in script for c in code)  # the same code cells, one after the other
    screenshot(page, "notebook-download")
