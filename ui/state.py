"""Every ``st.session_state`` key the app uses, with its default, in one place.

Pages never invent keys: they call ``setting(name)`` for the shareable settings and the
helpers below for the data the user brought (the word list) and made (the trained net).

Shareable settings (the list, smoothing, seed, sampling options) also live in the URL's
query parameters, so a copied link opens the same view: ``restore_from_url`` reads them once
per session, ``write_to_url`` keeps the address bar in step after every run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from bigram import limits
from bigram.builtin import builtin_lists, default_list
from bigram.defaults import (
    LECTURE_K,
    LECTURE_SEED,
    NET_SEED,
    SAMPLE_SEED,
    SMOOTHING_GRID,
    TRAIN_LR,
    TRAIN_REG,
    TRAIN_STEPS,
)


@dataclass(frozen=True)
class Setting:
    key: str  # session-state key, widget key and query parameter name
    default: Any
    parse: Callable[[str], Any]
    shared: bool = True  # travels in links


def _float_in(lo: float, hi: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = float(text)
        if not (math.isfinite(value) and lo <= value <= hi):
            raise ValueError(text)
        return value

    return parse


def _int_in(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError(text)
        return value

    return parse


def _builtin_list(text: str) -> str:
    """A built-in list's key, as links carry it ("" is the default list)."""
    if text and text not in {b.key for b in builtin_lists()}:
        raise ValueError(text)
    return text


def _pair(text: str) -> str:
    """A picked bigram as links carry it: "i,j", two symbol ids ("" is no pick)."""
    if text and not re.fullmatch(r"\d{1,4},\d{1,4}", text):
        raise ValueError(text)
    return text


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(text)
        return text

    return parse


# The bounds of every setting: bigram.limits owns them, so the app and the command line refuse the same values.
SMOOTHING_MAX, SAMPLE_MAX, MAX_LEN_MAX = limits.SMOOTHING_MAX, limits.SAMPLE_MAX, limits.MAX_LEN_MAX
LR_MIN, LR_MAX, REG_MAX = limits.LR_MIN, limits.LR_MAX, limits.REG_MAX
STEPS_MAX = limits.STEPS_MAX  # training steps per press of Train (or Continue)

#: The bounds of the typed training settings, as the page says them.
RANGES = {
    "lr": f"{LR_MIN:g} to {LR_MAX:g}",
    "steps": f"1 to {STEPS_MAX:,} a press",
    "reg": f"0 to {REG_MAX:g}",
    "seed": f"0 to {limits.SEED_MAX:,}",
    "n": f"1 to {SAMPLE_MAX:,} words",
    "max_len": f"1 to {MAX_LEN_MAX} symbols",
}

SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("list", "", _builtin_list),  # a built-in list's key; "" means the default list
        Setting("k", LECTURE_K, _float_in(0.0, SMOOTHING_MAX)),
        Setting(
            "seed", SAMPLE_SEED, _int_in(0, limits.SEED_MAX)
        ),  # the sampler's; a number box is exact up to 2**53 - 1
        Setting("net_seed", NET_SEED, _int_in(0, limits.SEED_MAX)),  # the generator of the net's initial W
        Setting("n", 20, _int_in(1, SAMPLE_MAX)),
        Setting("temperature", 1.0, _float_in(limits.TEMPERATURE_MIN, limits.TEMPERATURE_MAX)),
        Setting("max_len", 30, _int_in(1, MAX_LEN_MAX)),
        Setting("mode", "sequential", _choice("sequential", "batched")),
        Setting("pick", "", _pair),  # the bigram picked on any heatmap (ui/pick.py)
        Setting("teach", "", _choice("", "1")),  # the presentation view (ui/teach.py)
        Setting("lock", "", _choice("", "1")),  # the link's settings are fixed for whoever opens it (ui/teach.py)
        Setting("source", "counts", _choice("counts", "net")),
        Setting("lr", TRAIN_LR, _float_in(LR_MIN, LR_MAX)),
        Setting("steps", TRAIN_STEPS, _int_in(1, STEPS_MAX)),
        Setting("reg", TRAIN_REG, _float_in(0.0, REG_MAX)),
        Setting("method", "counts", _choice("onehot", "index", "counts")),
        Setting("optimizer", "sgd", _choice("sgd", "adam")),
    )
}

# Plain keys for what the user brought and made; widget values are page-scoped, these are not.
UPLOAD = "upload"  # the parsed uploaded list (a ui.wordlists.WordSource), kept after the uploader is gone
UPLOAD_ERROR = "upload_error"  # the last refusal, shown until the next upload
UPLOAD_DIGEST = "upload_digest"  # which file was parsed last, so a rerun does not parse it again
UPLOAD_RETRY_AT = "upload_retry_at"  # time.monotonic() after which an upload refused for memory is read again
USE_UPLOAD = "use_upload"  # True while the uploaded list is the one in use
LIST_CHOICE = "list_choice"  # the sidebar's list picker: a built-in list's key or "upload"; set, never popped
TRAINED = "trained"  # dict: list id -> ui.training.TrainedNet
NETS_LET_GO = "nets_let_go"  # frozenset of list ids whose nets ui/memory.py let go to keep the session in bound
RESTORED = "url_restored"  # the URL has been read for this session
URL_NOTICE = "url_notice"  # a one-line note about a link that could not be honoured
SCORE_WORD = "score_word"
COUNT_VIEW = "count_view"
COUNT_ROW = "count_row"
COUNT_TABLE = "count_table"  # the Counts page's table expander (open/closed: the table is drawn only while it is open)
K_EXACT = "k_exact"  # the Smoothing page's exact-k box; mirrors "k" (the slider owns the setting)
SMOOTH_ROW = "smooth_row"  # the row shown before/after smoothing
SAMPLE_PRESET = "sample_preset"  # the "As in the lecture" button
SAMPLE_DOWNLOAD = "sample_download"
DRAW_ROW = "draw_row"  # the row torch.multinomial draws from in the Sample page's demonstration
DRAW_COUNT = "draw_count"  # how many draws it makes
NET_TRAIN = (
    "net_train"  # the Neural net page's buttons: train from the seed's W, continue from the current W, forget it
)
NET_CONTINUE = "net_continue"
NET_RESET = "net_reset"
NET_ROW = "net_row"  # the row compared between the net and the counts
NET_SYMBOL = "net_symbol"  # the input symbol followed through the forward pass
NET_COMPARE = "net_compare"  # button: compare the three loss methods
NET_COMPARISON = "net_comparison"  # dict: list id -> ui.training.MethodComparison, the last comparison made
NET_SWEEP = "net_sweep"  # the regularisation expander (open/closed: the sweep only runs while it is open)
NET_REPLAY = "net_replay"  # the replay expander (open/closed: its charts are drawn only while it is open)
NET_RUN_LOCK = (
    "net_run_lock"  # a threading.RLock held while this session trains: readers wait for a stopped run to store its net
)

#: Stops of the smoothing slider: the package's one grid of k, also the NLL curve's points and tuning's.
K_STEPS = SMOOTHING_GRID
#: Stops of the temperature slider: fine around 1, coarse at the ends.
TEMPERATURE_STEPS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)


def steps_with(steps: tuple[float, ...], value: float) -> list[float]:
    """A slider's stops plus the current value, so a value from a link or the exact box is kept, not snapped."""
    return sorted({*steps, float(value)})


def set_k_from_exact() -> None:
    """on_change of the exact-k box: it writes the shared setting, which the slider then shows."""
    value = st.session_state.get(K_EXACT)
    if value is not None:
        st.session_state["k"] = float(value)


def apply_lecture_preset() -> None:
    """on_click of "As in the lecture": the lecture's seed, add-one smoothing, its sampling loop, the counting model.

    The lecture's loop has no length limit, so the limit goes to its maximum: a truncated word
    would stop drawing early and every later word would differ from the lecture's.
    """
    st.session_state["seed"] = LECTURE_SEED
    st.session_state["k"] = LECTURE_K
    st.session_state["mode"] = "sequential"
    st.session_state["temperature"] = 1.0
    st.session_state["source"] = "counts"
    st.session_state["max_len"] = MAX_LEN_MAX


#: A learning rate that suits each optimizer on these problems: the lecture's 50 for plain gradient
#: descent; Adam's steps are about lr per weight whatever the gradient's size, so it wants far less.
SUGGESTED_LR = {"sgd": 50.0, "adam": 0.5}


def suggest_lr() -> None:
    """on_change of the optimizer: move the learning rate to one that suits it, unless the person chose their own."""
    chosen = st.session_state.get("optimizer")
    lr = st.session_state.get("lr")
    if chosen in SUGGESTED_LR and lr in SUGGESTED_LR.values():
        st.session_state["lr"] = SUGGESTED_LR[chosen]


def init() -> None:
    """Give every setting its default (once per session) and read a shared link's values."""
    for s in SETTINGS.values():
        st.session_state.setdefault(s.key, s.default)
    st.session_state.setdefault(TRAINED, {})
    st.session_state.setdefault(USE_UPLOAD, False)
    if not st.session_state.get(RESTORED):
        restore_from_url()
        st.session_state[RESTORED] = True


def out_of_range(values: dict[str, Any]) -> str | None:
    """Why one of these typed settings cannot be used (its bound, in words), or None when all are in range."""
    for name, value in values.items():
        try:
            SETTINGS[name].parse(str(value))
        except (ValueError, TypeError):
            return f"{name} = {value:g} is out of range ({RANGES[name]})"
    return None


def start_row(key: str, default: int, V: int) -> None:
    """Give a row select box its first value, or a valid one after the list changed; a pick may set it later."""
    value = st.session_state.get(key)
    if not isinstance(value, int) or not 0 <= value < V:
        st.session_state[key] = default


def setting(name: str) -> Any:
    return st.session_state.get(name, SETTINGS[name].default)


def restore_from_url() -> None:
    """Adopt valid query parameters; ignore invalid ones and say which."""
    ignored: dict[str, str] = {}  # key -> how the note names it
    taken = set()  # the settings the link set
    for key, value in st.query_params.to_dict().items():
        s = SETTINGS.get(key)
        if s is None or not s.shared:
            continue
        if key == "list" and value == "upload":  # the default list is shown instead (below), and locked with it
            taken.add(key)
            continue
        try:
            st.session_state[key] = s.parse(value)
            taken.add(key)
        except (ValueError, TypeError):
            ignored[key] = f"{key}={value[:40]}" + ("…" if len(value) > 40 else "")
    if "pick" in taken and st.session_state["pick"] and not _pick_fits_linked_list(st.session_state["pick"]):
        ignored["pick"] = f"pick={st.session_state['pick']} (not a bigram of this list)"
        st.session_state["pick"] = ""
        taken.discard("pick")
    if st.session_state.get("lock"):  # a teacher's locked link: remember what it fixed (an ignored value, nothing)
        st.session_state[LOCKED] = {k: st.session_state[k] for k in taken if k not in ("lock", "teach")}
    if st.session_state.get("pick"):  # a linked pick opens every row chart on its row
        for key in ROW_KEYS:
            st.session_state[key] = int(st.session_state["pick"].split(",")[0])
    if st.query_params.get("list") == "upload":
        st.session_state["list"] = ""
        st.session_state[URL_NOTICE] = (
            "This link was made with an uploaded list, which cannot travel in a link: showing the default list instead."
        )
    elif ignored:
        # Shown as plain text (the values are whatever the link held); the address bar is then rewritten
        # from the settings in use, so a bad value does not travel on in copied links.
        st.session_state[URL_NOTICE] = "Ignored invalid link settings: " + ", ".join(ignored.values())


def _pick_fits_linked_list(pick: str) -> bool:
    """True when both symbol ids of a linked pick are symbols of the list the link names (a built-in list)."""
    from .wordlists import load_builtin, model_for

    V = model_for(load_builtin(setting("list") or default_list().key)).V
    return all(int(x) < V for x in pick.split(","))


def shared_params() -> dict[str, str]:
    """The shareable settings that differ from their defaults, as query parameters."""
    params = {}
    for s in SETTINGS.values():
        if not s.shared:
            continue
        value = st.session_state.get(s.key, s.default)
        if s.key == "list" and st.session_state.get(USE_UPLOAD):
            value = "upload"
        if value != s.default:
            params[s.key] = f"{value:g}" if isinstance(value, float) else str(value)
    return params


def link_params() -> dict[str, str]:
    """What a link inside the app carries to the next page: the shared settings, less an upload (it cannot travel)."""
    return {k: v for k, v in shared_params().items() if not (k == "list" and v == "upload")}


def write_to_url() -> None:
    """Make the address bar describe the current view (only when it changed, to avoid needless messages)."""
    params = shared_params()
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


# The exercise pages (longer contexts, splits, tuning, comparing lists, model files).
CTX_CONTEXT = "ctx_context"  # 1, 2 or 3 previous symbols
CTX_PADDING = "ctx_padding"  # "full" or "single"
CTX_SPLIT_SEED = "ctx_split_seed"
CTX_ROW = "ctx_row"  # the context whose next-symbol distribution is shown
CTX_NEURAL = "ctx_neural"  # button: train the neural model for this context
CTX_REG = "ctx_reg"  # the regularisation of that neural model
HOME_WORD = "home_word"  # the word of the list whose chain rule Home writes out
CMP_OTHER = "cmp_other"  # the list compared with the one in use
MODEL_WHAT = "model_what"  # counts, probabilities or weights
MODEL_FORMAT = "model_format"  # safetensors or csv
MODEL_DOWNLOAD = "model_download"  # the model-file download button
MODEL_UPLOAD = "model_upload"  # the model-file uploader
LOADED_MODEL = "loaded_model"  # (file name, bigram.modelfile.ModelFile) loaded by this person
LOADED_MODEL_ERROR = "loaded_model_error"
LOADED_MODEL_DIGEST = "loaded_model_digest"
LOADED_WORD = "loaded_word"  # a word scored under the loaded model

# Picking a bigram (ui/pick.py): its two select boxes, and the row charts that follow a pick.
PICK_ROW = "pick_row"
PICK_COL = "pick_col"
ROW_KEYS = (COUNT_ROW, SMOOTH_ROW, NET_ROW)

# Sampling one character at a time (ui/stepthrough.py).
STEP_AT = "step_at"  # how many draws are shown
STEP_PLAYING = "step_playing"
STEP_FOR = "step_for"  # the settings the steps were drawn with: others start again from the first draw
STEP_NEXT = "step_next"
STEP_PLAY = "step_play"
STEP_RESET = "step_reset"

# Replaying a finished training run (ui/replay.py).
REPLAY_STEP = "replay_step"  # the snapshot shown
REPLAY_PLAYING = "replay_playing"
REPLAY_PLAY = "replay_play"


def predict_key(name: str, part: str) -> str:
    """The session keys of a "Predict, then see" card (ui/predict.py): its guess, whether it is shown, its buttons."""
    return f"predict_{name}_{part}"


# Teacher mode (ui/teach.py).
LOCKED = "locked"  # dict: the settings a locked link fixed, and their values
UNLOCK = "unlock"  # the button that unlocks them for this person
CLASS_TEACH = "class_teach"  # "Link for my class": presentation view on?
CLASS_LOCK = "class_lock"  # "Link for my class": lock the settings?


def locked(name: str) -> bool:
    """True while a teacher's link fixes setting ``name`` for this person (widgets for it are disabled)."""
    return bool(st.session_state.get("lock")) and name in st.session_state.get(LOCKED, {})
