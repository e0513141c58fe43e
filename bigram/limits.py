"""Every bound on what a person may ask for, defined once, for the app and the command line alike.

A hosted demo is shared by strangers and a terminal by nobody, but the same numbers should
come out of both: a setting the app accepts, the command line accepts, and the other way
round. So each knob's range, and each cap on the size of what is read, lives here once;
``bigram.cli`` checks its flags against these, the package's readers enforce the caps while
they read (before allocating what a file claims to need), and ``ui/`` imports the same names.
Ranges are inclusive.
"""

from __future__ import annotations

MB = 1_000_000  # file sizes are given in decimal megabytes, as file managers and the uploader show them

# -- settings: the range of each knob --------------------------------------------------------------

#: Add-k smoothing. At k = 1000 every row of P of a list of names is already close to uniform;
#: far larger k only loses precision (and above about 1e306 the row sums overflow float64).
SMOOTHING_MAX = 1000.0
#: Sampling temperature: below 0.05 sampling is already the arg-max, above 10 nearly uniform.
TEMPERATURE_MIN, TEMPERATURE_MAX = 0.05, 10.0
#: Seeds of ``torch.Generator().manual_seed``: a browser's number box is exact up to 2**53 - 1.
SEED_MAX = 2**53 - 1
#: Words drawn in one request.
SAMPLE_MAX = 500
#: The longest word the sampler draws before it stops the word (marked as truncated).
MAX_LEN_MAX = 200
#: Symbols drawn in one call of ``bigram.sampling.sample`` (n words x max_len): 100 million ids are 800 MB.
SAMPLE_MAX_CELLS = 100_000_000
#: Learning rate of the net: the lecture's 50 sits in the middle.
LR_MIN, LR_MAX = 1e-4, 1e4
#: Regularisation strength: at 10 softmax(W) is already nearly uniform.
REG_MAX = 10.0
#: Training steps in one run (one press of Train or Continue in the app).
STEPS_MAX = 5000
#: Values in one sweep given on the command line (``tune --ks``, ``knob --reg``).
SWEEP_MAX_VALUES = 100
#: Rows shown by ``--top``.
TOP_MAX = 1000

# -- word lists ------------------------------------------------------------------------------------

#: A word-list file read from disk by the command line (``parse_words`` holds about 30 bytes of
#: memory per byte of file; ``bigram.stream`` counts larger files in bounded memory).
WORD_FILE_MAX_BYTES = 64 * MB
#: Defaults of ``parse_words`` (the command line's limits); a caller may raise or lower them.
WORDS_MAX = 2_000_000
VOCAB_MAX = 5_000
#: Uploads on the shared server (see BENCHMARKS.md for what they cost). The uploader itself
#: refuses files over 25 MB (``.streamlit/config.toml``).
UPLOAD_MAX_WORDS = 1_000_000
UPLOAD_MAX_VOCAB = 3_000
UPLOAD_MAX_WORD_LEN = 100

# -- the shared server's memory ---------------------------------------------------------------------

#: The budget of the whole server process (resident memory), every visitor and cache together. The parts
#: below add up to it; ``ui/memory.py`` keeps each part within its bound (BENCHMARKS.md, "Memory released").
SERVER_MAX_BYTES = 1000 * MB
#: The server at rest: Python, torch, plotly, pandas, Streamlit and the built-in lists (measured 290-370 MB).
SERVER_BASE_BYTES = 400 * MB
#: Temporaries of the computations in progress (one V x V float64 matrix is 72 MB at 3,001 symbols).
SERVER_WORK_BYTES = 120 * MB
#: Every shared cache of ``ui.cache`` together: past it the least recently used entries go first.
SHARED_CACHES_MAX_BYTES = 240 * MB
#: What visitors' sessions hold together (their uploads, trained nets, loaded model files): past it a new
#: upload is refused in one line, never the server.
SESSIONS_MAX_BYTES = 240 * MB
#: What one session may hold: past it the nets and comparisons of lists not in use are let go first.
SESSION_MAX_BYTES = 160 * MB

# -- tables and model files ------------------------------------------------------------------------

#: Cells of a longer-context table (V ** context x V): 20 million int64 counts are 160 MB.
NGRAM_MAX_CELLS = 20_000_000
#: A model file (.safetensors or .csv) read from disk or uploaded.
MODEL_FILE_MAX_BYTES = 200 * MB
#: Symbols of a model file, as for an uploaded list: the app and the command line load the
#: same files. 3,001 x 3,001 int64 counts are 72 MB in memory.
MODEL_MAX_SYMBOLS = UPLOAD_MAX_VOCAB
#: Cells of a model file's matrix (longer contexts): as for longer-context tables.
MODEL_MAX_CELLS = NGRAM_MAX_CELLS
#: The JSON header of a safetensors model file (the vocabulary and a few settings: a few kB).
MODEL_HEADER_MAX_BYTES = 1 * MB
#: A cell of a model CSV: a number or a label; 64 characters hold any float's repr.
MODEL_CSV_MAX_CELL = 64
#: The total of a counts file. Up to 2**53 every count and every sum is exact in float64 and
#: no sum overflows int64; no word list comes near it (1e300 stored as a count is not a count).
MODEL_MAX_TOTAL_COUNT = 2**53

# -- the neural net --------------------------------------------------------------------------------

#: One-hot and row indexing build a (bigrams x V) float matrix every step; above this many
#: elements (100 MB a matrix) only the counts form, which gives the same loss, is allowed.
DENSE_MAX_ELEMENTS = 25_000_000

# -- corpora (``python -m bigram count``) ------------------------------------------------------------

#: The longest line of a streamed file: one word a line, and no word is this long. A file without line
#: ends would otherwise be held whole; past this the file is refused in one line.
STREAM_LINE_MAX_BYTES = 16 * MB
#: Worker processes of the local Dask cluster ``count --engine dask`` starts when no scheduler is given.
DASK_LOCAL_WORKERS_MAX = 64
#: A shard of a file on a Dask cluster, in MB: more than this is one worker's memory for no gain.
SHARD_MB_MAX = 100_000
