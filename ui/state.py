"""Every ``st.session_state`` key the app uses, with its default, in one place.

Pages never invent keys: they call ``setting(name)`` for the shareable settings and the
helpers below for the data the user brought (the word list) and made (the trained net).

Shareable settings (the list, smoothing, seed, sampling options) also live in the URL's
query parameters, so a copied link opens the same view: ``restore_from_url`` reads them once
per session, ``write_to_url`` keeps the address bar in step after every run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from bigram.sampling import LECTURE_SEED


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


def _choice(*options: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(text)
        return text

    return parse


SMOOTHING_MAX = 1000.0
SAMPLE_MAX = 500
MAX_LEN_MAX = 200

SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("list", "", str),  # a built-in list's key; "" means the default list
        Setting("k", 1.0, _float_in(0.0, SMOOTHING_MAX)),
        Setting("seed", LECTURE_SEED, _int_in(0, 2**63 - 1)),
        Setting("n", 20, _int_in(1, SAMPLE_MAX)),
        Setting("temperature", 1.0, _float_in(0.05, 10.0)),
        Setting("max_len", 30, _int_in(1, MAX_LEN_MAX)),
        Setting("mode", "sequential", _choice("sequential", "batched")),
        Setting("source", "counts", _choice("counts", "net")),
        Setting("lr", 50.0, _float_in(1e-4, 1e4), shared=False),
        Setting("steps", 100, _int_in(1, 5000), shared=False),
        Setting("reg", 0.01, _float_in(0.0, 10.0), shared=False),
        Setting("method", "counts", _choice("onehot", "index", "counts"), shared=False),
        Setting("optimizer", "sgd", _choice("sgd", "adam"), shared=False),
    )
}

# Plain keys for what the user brought and made; widget values are page-scoped, these are not.
UPLOAD = "upload"  # the parsed uploaded list (a ui.data.WordSource), kept after the uploader is gone
UPLOAD_ERROR = "upload_error"  # the last refusal, shown until the next upload
UPLOAD_DIGEST = "upload_digest"  # which file was parsed last, so a rerun does not parse it again
USE_UPLOAD = "use_upload"  # True while the uploaded list is the one in use
TRAINED = "trained"  # dict: list id -> ui.training.TrainedNet
RESTORED = "url_restored"  # the URL has been read for this session
URL_NOTICE = "url_notice"  # a one-line note about a link that could not be honoured
SCORE_WORD = "score_word"
COUNT_VIEW = "count_view"
COUNT_ROW = "count_row"


def init() -> None:
    """Give every setting its default (once per session) and read a shared link's values."""
    for s in SETTINGS.values():
        st.session_state.setdefault(s.key, s.default)
    st.session_state.setdefault(TRAINED, {})
    st.session_state.setdefault(USE_UPLOAD, False)
    if not st.session_state.get(RESTORED):
        restore_from_url()
        st.session_state[RESTORED] = True


def setting(name: str) -> Any:
    return st.session_state.get(name, SETTINGS[name].default)


def restore_from_url() -> None:
    """Adopt valid query parameters; ignore invalid ones and say which."""
    ignored = []
    for key, value in st.query_params.to_dict().items():
        s = SETTINGS.get(key)
        if s is None or not s.shared:
            continue
        try:
            st.session_state[key] = s.parse(value)
        except (ValueError, TypeError):
            ignored.append(f"{key}={value}")
    if st.query_params.get("list") == "upload":
        st.session_state["list"] = ""
        st.session_state[URL_NOTICE] = "This link was made with an uploaded list, which cannot travel in a link: showing the default list instead."
    elif ignored:
        st.session_state[URL_NOTICE] = "Ignored invalid link settings: " + ", ".join(ignored)


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


def write_to_url() -> None:
    """Make the address bar describe the current view (only when it changed, to avoid needless messages)."""
    params = shared_params()
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
