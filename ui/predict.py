"""Predict, then see: the learner may guess a key number before it is revealed, and sees how far off they were.

Optional and never blocking: a card with a guess box and a Reveal button; "Just show me" reveals
without a guess. The guess and whether the answer is shown live in the session (keys from
``ui.state``), so a page switch keeps them; the answer itself is computed by the page from
``bigram`` like every other number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from . import escape, state

#: A widget's value is dropped when another page runs; this keeps the guess across pages.
KEPT = {"persist_state": "session"}


def _reveal(name: str) -> None:
    st.session_state[state.predict_key(name, "shown")] = True


def card(
    name: str,
    question: str,
    answer,
    *,
    options: Sequence | None = None,
    fmt: Callable[[object], str] = lambda v: f"{v:.4f}",
    unit: str = "",
    ready: bool = True,
    waiting: str = "",
) -> None:
    """A question, a guess (a number, or one of ``options``), and the answer once revealed.

    ``ready`` False keeps the answer back until it exists (e.g. until the net is trained), saying ``waiting``.
    """
    shown_key, guess_key = state.predict_key(name, "shown"), state.predict_key(name, "guess")
    with st.container(border=True):
        st.markdown(f":material/psychology_alt: **Predict, then see.** {question}")
        if options is not None:
            guess = st.selectbox(
                "Your guess", options, index=None, key=guess_key, format_func=fmt, placeholder="pick one", **KEPT
            )
        else:
            guess = st.number_input(
                "Your guess", value=None, key=guess_key, format="%.4f", placeholder="type a number", **KEPT
            )
        shown = st.session_state.get(shown_key, False)
        if not shown:
            with st.container(horizontal=True):
                st.button(
                    "Reveal", key=state.predict_key(name, "go"), on_click=_reveal, args=(name,), disabled=guess is None
                )
                st.button(
                    "Just show me", key=state.predict_key(name, "skip"), on_click=_reveal, args=(name,), type="tertiary"
                )
            return
        if not ready:
            st.caption(waiting)
            return
        if guess is None:
            st.markdown(f"The answer: **{escape.md(fmt(answer))}**{unit}.")
        elif options is not None:
            verdict = "Right." if guess == answer else f"Not quite: you said {escape.md(fmt(guess))}."
            st.markdown(f"The answer: **{escape.md(fmt(answer))}**{unit}. {verdict}")
        else:
            off = float(guess) - float(answer)
            st.markdown(
                f"The answer: **{escape.md(fmt(answer))}**{unit}. You said {escape.md(fmt(guess))}: "
                f"{'spot on' if abs(off) < 5e-5 else ('too high' if off > 0 else 'too low')} by {abs(off):.4f}."
            )
