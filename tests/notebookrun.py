"""Running the notebooks of ``bigram.notebook`` in a Jupyter kernel, and reading what they print.

Starting a kernel and importing torch takes seconds, so the tests share one kernel: each notebook
runs after ``%reset -f``, which empties the kernel's namespace, so a notebook that used a name it
does not define itself would fail as it would in a fresh kernel (modules stay imported, which
only saves time). One test runs a notebook in a kernel of its own, as a person would.
"""

from __future__ import annotations

import ast
import copy
import math
import os
import time

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

RESET = "get_ipython().run_line_magic('reset', '-f')"


def printed(nb: nbformat.NotebookNode) -> str:
    """Everything the notebook's cells printed, in order."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stdout":
                out.append(o["text"])
    return "".join(out)


def values(text: str) -> dict:
    """The ``name = value`` lines of a notebook's output, values read as Python literals where they are."""
    found = {}
    for line in text.splitlines():
        name, sep, value = line.partition(" = ")
        if not sep or " " in name or not name:
            continue
        if value in ("inf", "-inf", "nan"):
            found[name] = float(value)
            continue
        try:
            found[name] = _read(value) if "inf" in value or "nan" in value else ast.literal_eval(value)
        except (ValueError, SyntaxError):
            found[name] = value
    return found


def _read(value: str):
    """A literal that may hold inf or nan (repr writes them bare): read with only those names, no builtins."""
    return eval(value, {"__builtins__": {}}, {"inf": math.inf, "nan": math.nan})


class Kernel:
    """One kernel, many notebooks, each in an emptied namespace."""

    def __init__(self, timeout: int = 300):
        self.client = NotebookClient(new_notebook(), kernel_name="python3", timeout=timeout)
        self._setup = None
        self.home = os.getcwd()  # the kernel starts here; each run goes back here unless told otherwise

    def __enter__(self) -> Kernel:
        self._setup = self.client.setup_kernel(cleanup_kc=True)
        self._setup.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._setup.__exit__(*exc)

    def run(self, nb: nbformat.NotebookNode, *, after: str = "", cwd=None) -> tuple[nbformat.NotebookNode, float]:
        """Execute a copy of ``nb`` (in the folder ``cwd``), then ``after`` (test-only code that prints more).

        Returns the executed notebook and the seconds the notebook's own cells took.
        """
        nb = copy.deepcopy(nb)
        chdir = f"\nimport os\nos.chdir({str(cwd or self.home)!r})\ndel os"
        nb.cells.insert(0, new_code_cell(RESET + chdir))
        self.client.nb = nb
        self.client.reset_execution_trackers()
        self.client.execute_cell(nb.cells[0], 0)
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells[1:], start=1):
            self.client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
        if after:
            nb.cells.append(new_code_cell(after))
            self.client.execute_cell(nb.cells[-1], len(nb.cells) - 1)
        return nb, seconds


def run_alone(nb: nbformat.NotebookNode, cwd: str | None = None, timeout: int = 300) -> nbformat.NotebookNode:
    """Execute a copy of ``nb`` in a kernel of its own, as Jupyter would."""
    nb = copy.deepcopy(nb)
    NotebookClient(
        nb, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": cwd}} if cwd else {}
    ).execute()
    return nb
