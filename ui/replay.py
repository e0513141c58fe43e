"""Training you can replay: scrub through a finished run and watch softmax(W) move onto the counts.

The trained net keeps a bounded number of snapshots of W (``bigram.replay.Snapshots``). A slider
over their steps, and Play, show softmax(W) at step t as a heatmap, one row of it beside the
counting model's row, and the loss at t marked on the curve. With regularisation the rows stay
flatter than the counts: the replay shows them flatten as reg pulls W towards 0.
"""

from __future__ import annotations

import streamlit as st
import torch

from bigram import CountModel
from bigram.neural import net_probabilities

from . import figures, grid, pick, state

PLAY_SECONDS = 0.5


def _toggle() -> None:
    st.session_state[state.REPLAY_PLAYING] = not st.session_state.get(state.REPLAY_PLAYING, False)


def section(net, model: CountModel, P0: torch.Tensor, *, baselines=None) -> None:
    """The replay of ``net``'s run (a ``ui.training.TrainedNet``), against the counts' P at k = 0."""
    snaps = net.snapshots
    if snaps is None or len(snaps) < 2:
        st.caption(
            "No replay for this run: with this many symbols one copy of W is larger than the replay's memory budget."
            if snaps is not None and snaps.limit < 2
            else "No replay for this run."
        )
        return
    steps = list(snaps.steps)
    if st.session_state.get(state.REPLAY_STEP) not in steps:
        st.session_state[state.REPLAY_STEP] = steps[-1]
    st.session_state.setdefault(state.REPLAY_PLAYING, False)
    playing = st.session_state[state.REPLAY_PLAYING]
    st.button(
        "Pause" if playing else "Play the run",
        key=state.REPLAY_PLAY,
        icon=":material/pause:" if playing else ":material/play_arrow:",
        on_click=_toggle,
        help=f"{len(steps)} snapshots of W, kept evenly over the {net.steps:,} steps.",
    )
    labels = model.vocab.itos
    ids = figures.top_symbols(model.N)

    @st.fragment(run_every=PLAY_SECONDS if playing else None)
    def view() -> None:
        if st.session_state[state.REPLAY_PLAYING]:
            i = steps.index(st.session_state[state.REPLAY_STEP])
            if i + 1 >= len(steps):
                st.session_state[state.REPLAY_PLAYING] = False
                st.rerun()
            st.session_state[state.REPLAY_STEP] = steps[i + 1]
        t = st.select_slider("Step of the run", options=steps, key=state.REPLAY_STEP, format_func=lambda v: f"{v:,}")
        step, W = snaps.at(t)
        Pt = net_probabilities(W)
        row = st.session_state.get(state.NET_ROW, 1 if model.V > 1 else 0)
        row = row if isinstance(row, int) and 0 <= row < model.V else 0
        left, right = st.columns(2)
        with left:
            pick.draw(
                grid.probability_grid(Pt, labels, ids=ids, title=f"softmax(W) after {step:,} steps", pickable=False),
                key=f"replay_heatmap_{step}",
            )
        with right:
            st.plotly_chart(
                figures.before_after_bars(
                    Pt[row],
                    P0[row],
                    labels,
                    labels[row],
                    names=(f"net at step {step:,}", "counts: P at k = 0"),
                    title=f"p(next | {labels[row]!r}): the net's row moving onto the counts",
                ),
                key=f"replay_row_{step}",
            )
            st.plotly_chart(
                figures.training_curve(
                    net.history,
                    nll_history=net.nll_history,
                    target=baselines.optimum if baselines else None,
                    baselines=baselines,
                    mark=step,
                    title="Loss, this step ringed",
                ),
                key=f"replay_curve_{step}",
            )

    view()
