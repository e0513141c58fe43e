"""The trained neural net of each word list, kept in the person's own session state.

A trained W belongs to the person who trained it: it lives in ``st.session_state`` (never a
shared cache), keyed by the word list's id, and survives reruns and page switches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st
import torch

from . import state


@dataclass
class TrainedNet:
    source_id: str
    settings: dict  # lr, reg, steps, method, optimizer, seed
    W: torch.Tensor
    history: list[float] = field(default_factory=list)
    nll_history: list[float] = field(default_factory=list)
    seconds: float = 0.0
    finished: bool = True  # False when the run was interrupted and kept what it reached
    message: str | None = None

    @property
    def steps(self) -> int:
        return max(len(self.history) - 1, 0)

    def probabilities(self) -> torch.Tensor:
        """softmax(W): the net's next-symbol probabilities, samplable like the counting model's P."""
        from bigram import net_probabilities

        return net_probabilities(self.W)


def get(source_id: str) -> TrainedNet | None:
    return st.session_state.get(state.TRAINED, {}).get(source_id)


def put(net: TrainedNet) -> None:
    st.session_state.setdefault(state.TRAINED, {})[net.source_id] = net
