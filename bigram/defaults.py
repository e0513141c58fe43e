"""The named defaults that the command line, the app and the tests share: one constant each.

A flag of ``python -m bigram`` and the widget of the app that sets the same thing start from
the same constant here, so the terminal and the app give the same answer when nobody changes a
setting. Each constant says what it is for; the code that uses it imports it from here.
"""

from __future__ import annotations

#: The seed of "makemore, part 1": ``torch.Generator().manual_seed(2147483647)``.
LECTURE_SEED = 2147483647
#: The seed of the generator that draws the net's initial W (``torch.randn``).
NET_SEED = LECTURE_SEED
#: The seed of the generator that samples words (``torch.multinomial``). The lecture uses the same
#: number for both; they are separate settings so that changing one never changes the other.
SAMPLE_SEED = LECTURE_SEED

#: The lecture's add-one smoothing, P = (N + 1) normalised: the smoothing to sample from and to show by default.
LECTURE_K = 1.0

#: Smoothing values k, roughly log-spaced, 0 (plain counts) first: the stops of the app's smoothing
#: slider, the points of its NLL-against-k curve and the values the tuning workflow tries on dev.
#: One grid, so that the k a curve shows, the slider can reach and tuning can choose are the same.
SMOOTHING_GRID = (
    0.0,
    0.001,
    0.003,
    0.01,
    0.03,
    0.1,
    0.2,
    0.3,
    0.5,
    1.0,
    2.0,
    3.0,
    5.0,
    10.0,
    20.0,
    50.0,
    100.0,
    200.0,
    500.0,
    1000.0,
)

#: Exercise E02: 80% of the words to count on, 10% to choose smoothing on (dev), 10% to test once.
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)
#: The seed of the shuffle before the split.
SPLIT_SEED = 42

#: The budget for fitting W "near its optimum" (counts form, Adam): on the default list these steps
#: end within 1e-5 of a 4,000-step fit, for every regularisation strength and for contexts 1 and 2.
FIT_STEPS = 500
FIT_LR = 0.5

#: Regularisation strengths at which the smoothing/regularisation exchange is computed: 0 (no pull)
#: to 100 (nearly uniform rows), one or two a decade.
EXCHANGE_REGS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0)

#: Training the net by hand (the Neural net page, ``python -m bigram train``): the lecture's settings.
TRAIN_LR = 50.0
TRAIN_REG = 0.01
TRAIN_STEPS = 100
