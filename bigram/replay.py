"""Snapshots of W while the net trains, a bounded number whatever the step count, to replay the run afterwards.

A run of 5,000 steps cannot keep 5,001 copies of W. ``Snapshots`` keeps every ``stride``-th
step; when it holds more than ``limit``, it drops every other one and doubles the stride, so the
kept steps stay evenly spaced over the whole run (0, s, 2s, ...) and their number stays between
limit / 2 and limit. The budget in bytes sets the limit: a big vocabulary gets fewer snapshots,
and one whose single W exceeds it gets none (the replay then says so).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import torch

#: Snapshots per run at most, and the bytes they may take together (per trained net).
SNAPSHOT_LIMIT = 64
SNAPSHOT_BYTES = 16 << 20


def snapshot_limit(V_rows: int, V: int, budget: int = SNAPSHOT_BYTES, limit: int = SNAPSHOT_LIMIT) -> int:
    """How many float32 (V_rows x V) snapshots fit the budget (at most ``limit``; 0 when one does not fit)."""
    per = 4 * V_rows * V
    return min(limit, budget // per) if per else limit


@dataclass
class Snapshots:
    limit: int = SNAPSHOT_LIMIT
    stride: int = 1
    steps: list[int] = field(default_factory=list)
    weights: list[torch.Tensor] = field(default_factory=list, repr=False)

    def offer(self, step: int, W: torch.Tensor) -> None:
        """Called with W after each step (and at step 0): kept when the step falls on the stride."""
        if self.limit < 2 or step % self.stride or (self.steps and step <= self.steps[-1]):
            return
        self.steps.append(step)
        self.weights.append(W.detach().clone())
        if len(self.steps) > self.limit:
            self.stride *= 2
            kept = [i for i, s in enumerate(self.steps) if s % self.stride == 0]
            self.steps = [self.steps[i] for i in kept]
            self.weights = [self.weights[i] for i in kept]

    def at(self, step: int) -> tuple[int, torch.Tensor]:
        """The latest snapshot taken at or before ``step``: (its step, its W)."""
        if not self.steps:
            raise LookupError("no snapshots were kept")
        i = max(bisect.bisect_right(self.steps, step) - 1, 0)
        return self.steps[i], self.weights[i]

    def __len__(self) -> int:
        return len(self.steps)
