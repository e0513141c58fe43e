"""Sampling one character at a time: the row drawn from, the draw, the symbol it picks, the word so far.

The steps are ``bigram.sampling.trace``: the sampler's own ``torch.multinomial`` calls with the
page's seed, so the word stepped through is the first word of the sample table, and the page can
say so. Step, Play and Reset move one shared position; Play advances it in a fragment that
reruns itself (``st.fragment(run_every=...)``), so the rest of the page does not rerun.
"""

from __future__ import annotations

import streamlit as st
import torch

from bigram import Vocab
from bigram.sampling import trace

from . import escape, figures, state

#: Seconds between two draws while playing.
PLAY_SECONDS = 0.8


def _reset() -> None:
    st.session_state[state.STEP_AT] = 0
    st.session_state[state.STEP_PLAYING] = False


def _step(last: int) -> None:
    st.session_state[state.STEP_AT] = min(st.session_state.get(state.STEP_AT, 0) + 1, last)


def _play() -> None:
    st.session_state[state.STEP_PLAYING] = not st.session_state.get(state.STEP_PLAYING, False)


def section(P: torch.Tensor, vocab: Vocab, *, seed: int, temperature: float, max_len: int) -> None:
    """The step-through of the first word drawn with these settings."""
    steps = trace(P, vocab, seed=seed, temperature=temperature, max_len=max_len)
    signature = (seed, temperature, max_len, tuple(s.drawn for s in steps))
    if st.session_state.get(state.STEP_FOR) != signature:  # other settings: start again from the first draw
        st.session_state[state.STEP_FOR] = signature
        _reset()
    st.session_state.setdefault(state.STEP_AT, 0)
    st.session_state.setdefault(state.STEP_PLAYING, False)
    last = len(steps)
    # Play sits outside the fragment: pressing it reruns the page, which starts (or stops) the fragment's timer.
    st.button(
        "Pause" if st.session_state[state.STEP_PLAYING] else "Play",
        key=state.STEP_PLAY,
        icon=":material/pause:" if st.session_state[state.STEP_PLAYING] else ":material/play_arrow:",
        on_click=_play,
        disabled=st.session_state[state.STEP_AT] >= last,
        help=f"One draw every {PLAY_SECONDS:g} s, to the end of the word.",
    )

    @st.fragment(run_every=PLAY_SECONDS if st.session_state[state.STEP_PLAYING] else None)
    def view() -> None:
        at = st.session_state[state.STEP_AT]
        if st.session_state[state.STEP_PLAYING]:
            if at >= last:
                st.session_state[state.STEP_PLAYING] = False
                st.rerun()  # stop the timer: the whole section is drawn again without it
            else:
                at = st.session_state[state.STEP_AT] = at + 1
        with st.container(horizontal=True):
            st.button(
                "Step",
                icon=":material/skip_next:",
                key=state.STEP_NEXT,
                on_click=_step,
                args=(last,),
                disabled=at >= last,
            )
            st.button("Reset", icon=":material/restart_alt:", key=state.STEP_RESET, on_click=_reset)
        labels = vocab.itos
        if at == 0:
            st.markdown(
                f"The word starts at the boundary {escape.code(vocab.boundary)}: press **Step** to draw its first "
                f"symbol from row 0 of P ({last} draws to the end)."
            )
            return
        s = steps[at - 1]
        drawn = "the boundary: the word ends" if s.drawn == 0 else escape.code(labels[s.drawn])
        st.markdown(
            f"**Draw {at} of {last}.** From row {s.previous} ({escape.code(labels[s.previous])}), "
            f"`torch.multinomial` drew {s.drawn}: {drawn}, which had probability {float(s.probs[s.drawn]):.4f}. "
            f"The word so far: **{escape.md(s.word) or '(empty)'}**."
        )
        st.plotly_chart(
            figures.draw_step(s.probs, labels, s.drawn, title=f"Row {labels[s.previous]!r} of P: draw {at}"),
            key=f"step_chart_{at}",
        )
        if at == last:
            st.caption(
                "The same calls as the sequential sampler, with the same seed and generator: the first word it "
                "draws, one multinomial call at a time."
            )

    view()
