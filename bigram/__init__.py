"""bigram: the character-level bigram language model of "makemore, part 1", pure and tested.

text -> words (``wordlist``) -> vocabulary (``vocab``) -> counts and probabilities
(``counting``) -> loss and samples (``sampling``); the neural version of the same model
(``neural``); train/dev/test splits (``split``); counts of files too large for memory,
read in chunks (``stream``); a command line (``python -m bigram``).
Only torch and the standard library are used, so the app, the CLI and the tests compute
the same numbers.
"""

from .counting import (
    CountModel,
    PairScore,
    Score,
    WordScore,
    count_bigrams,
    count_ids,
    evaluate,
    keepdim_pitfall,
    score_counts,
    score_word,
    smoothed_log_probabilities,
    smoothed_probabilities,
)
from .errors import BigramError, TrainingDiverged
from .neural import (
    METHODS,
    OPTIMIZERS,
    Trainer,
    TrainingData,
    TrainResult,
    init_weights,
    loss_and_grad,
    net_probabilities,
    train,
)
from .sampling import LECTURE_SEED, MODES, Sample, sample
from .split import split_words
from .stream import StreamCount, count_file, count_stream
from .vocab import Vocab
from .wordlist import CleanReport, WordList, decode_bytes, parse_words, read_words

__all__ = [name for name in dir() if not name.startswith("_")]
