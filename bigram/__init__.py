"""bigram: the character-level bigram language model of "makemore, part 1", pure and tested.

text -> words (``wordlist``) -> vocabulary (``vocab``) -> counts and probabilities
(``counting``) -> loss and samples (``sampling``); the neural version of the same model
(``neural``); what a regulariser is worth in smoothing (``exchange``); longer contexts and the
tuning workflow (``ngram``); train/dev/test splits (``split``); counts of files too large for
memory, read in chunks (``stream``, its blocks counted vectorised by ``blocks``), of many files into
one counts file (``corpus``, ``merge``), and the same on a Dask cluster (``cluster``); a command line
(``python -m bigram``). Every default the
command line and the app share is a named constant of ``defaults``. ``lecture`` is the lecture's
plain way, written out on its own: the independent reference the tests and the benchmark use.
Only torch and the standard library are used (tqdm for the command line's progress bar and Dask
for its cluster engine, both imported only there), so the app, the CLI and the tests compute
the same numbers.
"""

from .counting import (
    CountModel,
    PairScore,
    Score,
    WordScore,
    chain_log_likelihood,
    count_bigrams,
    count_ids,
    evaluate,
    keepdim_demo,
    keepdim_pitfall,
    nll_curve,
    score_counts,
    score_word,
    smoothed_log_probabilities,
    smoothed_nll,
    smoothed_probabilities,
    zero_cells,
)
from .defaults import LECTURE_SEED, NET_SEED, SAMPLE_SEED
from .describe import ListStats, describe_list
from .errors import BigramError, TrainingDiverged
from .neural import (
    METHODS,
    OPTIMIZERS,
    Trainer,
    TrainingData,
    TrainResult,
    fit_weights,
    init_weights,
    loss_and_grad,
    net_probabilities,
    train,
)
from .ngram import Tuning, tune
from .sampling import MODES, Sample, sample
from .split import split_words
from .stream import StreamCount, count_file, count_stream
from .vocab import Vocab
from .wordlist import CleanReport, WordList, decode_bytes, parse_words, read_words

__all__ = [name for name in dir() if not name.startswith("_")]
