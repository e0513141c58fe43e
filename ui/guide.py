"""A guided path through the lecture: its order, each step mapped to the place in the app that shows it.

A learner following the video can follow along without hunting: every section that a step maps
to ends with Back / Next (``nav``), and Home has the whole map (``lecture_map``). The order and the
titles live in ``STEPS`` alone, so the map and the buttons cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from . import state


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    page: str  # the page file, as st.page_link wants it
    where: str  # the section of that page, as its heading reads


#: The lecture's order ("makemore, part 1").
STEPS = (
    Step("counting", "Counting bigrams", "pages/2_Counts.py", "How the counting is done"),
    Step("matrix", "The count matrix N", "pages/2_Counts.py", "The count matrix N"),
    Step("sampling", "Sampling from the counts", "pages/5_Sample.py", "Sample new words"),
    Step("broadcasting", "Normalising rows: broadcasting and keepdim", "pages/3_Smoothing.py", "The keepdim pitfall"),
    Step("loss", "The loss: likelihood and average NLL", "app.py", "A word, as the model sees it"),
    Step("smoothing", "Smoothing: fake counts", "pages/3_Smoothing.py", "Smoothing: fake counts"),
    Step("net", "The neural net: W instead of counts", "pages/4_Neural_net.py", "The neural net"),
    Step("onehot", "One-hot encoding", "pages/4_Neural_net.py", "One symbol through the net"),
    Step("softmax", "Logits, exp and softmax", "pages/4_Neural_net.py", "One symbol through the net"),
    Step("descent", "Gradient descent", "pages/4_Neural_net.py", "Training"),
    Step("regularisation", "Regularisation: smoothing for W", "pages/4_Neural_net.py", "Regularisation"),
    Step("net_sampling", "Sampling from the net", "pages/5_Sample.py", "Sample new words"),
    Step("exercises", "The exercises: longer contexts, splits, E01-E05", "pages/6_Contexts.py", "Longer contexts"),
)
_INDEX = {s.id: n for n, s in enumerate(STEPS)}


def _link(step: Step, label: str, icon: str) -> None:
    st.page_link(step.page, label=label, icon=icon, query_params=state.link_params() or None)


def nav(step_id: str) -> None:
    """Back / Next at the end of the section of step ``step_id``."""
    n = _INDEX[step_id]
    step = STEPS[n]
    with st.container(horizontal=True, horizontal_alignment="distribute"):
        if n > 0:
            prev = STEPS[n - 1]
            _link(prev, f"Back: {n}. {prev.title}", ":material/arrow_back:")
        st.caption(f"Lecture step {n + 1} of {len(STEPS)}: {step.title}")
        if n + 1 < len(STEPS):
            nxt = STEPS[n + 1]
            _link(nxt, f"Next: {n + 2}. {nxt.title}", ":material/arrow_forward:")


def lecture_map() -> None:
    """Every step of the lecture, in order, each a link to where the app shows it."""
    for n, step in enumerate(STEPS, 1):
        _link(step, f"{n}. {step.title} — {step.where}", ":material/school:")
