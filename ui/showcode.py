"""Show the real source of functions on a page, so the code shown is the code that runs.

As Streamlit's own "hello" demo does with its ``show_code``: ``inspect.getsource`` of the
functions themselves (the lecture's plain way lives in ``bigram.lecture``), never a copy typed
into the page that could drift from what runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import streamlit as st


def source_of(*functions: Callable) -> str:
    """The source of each function, one after the other."""
    return "\n\n".join(inspect.getsource(f).rstrip() for f in functions)


def show_code(*functions: Callable) -> None:
    st.code(source_of(*functions), language="python")
