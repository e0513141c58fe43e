"""Teacher mode, from the URL: a presentation view, and links whose settings are locked for the class.

``?teach=1`` is the presentation view: large type, the sidebar folded away, the page's content
in front. ``?lock=1`` fixes every setting the link carries (list, k, seeds, training and sampling
settings), so every student sees the teacher's numbers: the widgets for them are disabled, a note
says so, and "Unlock for myself" gives the student their own settings back (their own link then
carries no lock). Both are shared settings, so page links and copied links keep them.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import streamlit as st

from bigram.builtin import default_list

from . import escape, state

#: The presentation view's type: big enough for the back of a classroom.
PRESENTATION_CSS = """<style>
html { font-size: 21px; }  /* Streamlit sizes text, widgets and metrics in rem: everything grows together */
</style>"""


def presenting() -> bool:
    return bool(state.setting("teach"))


def sidebar_state() -> str:
    """The sidebar's first state for ``st.set_page_config``: folded away while presenting."""
    return "collapsed" if presenting() else "auto"


def _unlock() -> None:
    st.session_state["lock"] = ""
    st.session_state.pop(state.LOCKED, None)


def frame() -> None:
    """Apply the presentation view and the lock for this run; say what is locked."""
    if presenting():
        st.html(PRESENTATION_CSS)
    fixed = st.session_state.get(state.LOCKED, {}) if state.setting("lock") else {}
    for key, value in fixed.items():
        st.session_state[key] = value  # before any widget is drawn: a locked value cannot drift
    if "list" in fixed:
        st.session_state[state.USE_UPLOAD] = False
    if fixed:
        with st.container(horizontal=True, vertical_alignment="center"):
            shown = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in fixed.items())
            st.info(
                "Your teacher's link fixes these settings, so that everyone sees the same numbers: "
                f"{escape.md(shown)}.",
                icon=":material/lock:",
            )
            st.button("Unlock for myself", key=state.UNLOCK, on_click=_unlock, icon=":material/lock_open:")


def class_link(page_link: str) -> None:
    """ "Link for my class": the link to this view, with the presentation view and the lock as chosen."""
    with st.expander("Link for my class", icon=":material/co_present:"):
        teach = st.checkbox("Presentation view (large type)", key=state.CLASS_TEACH, value=True)
        lock = st.checkbox("Lock the settings for the class", key=state.CLASS_LOCK, value=True)
        base, _, query = page_link.partition("?")
        params = {k: v for k, v in parse_qsl(query) if k not in ("teach", "lock")}
        # A link carries only what differs from the defaults, and locks only what it carries: a locked link
        # carries every setting as shown, defaults too.
        if lock:
            params = {**_shown_settings(), **params}
        params |= {"teach": "1"} if teach else {}
        params |= {"lock": "1"} if lock else {}
        st.code(base + ("?" + urlencode(params) if params else ""), language=None, wrap_lines=True)
        upload = bool(st.session_state.get(state.USE_UPLOAD))
        st.caption(
            "Students who open it see this page with "
            + (
                "the default list (your uploaded list cannot travel in a link: they must upload it themselves), "
                if upload
                else "your list, "
            )
            + "k, seeds and training settings"
            + (", locked (they can unlock them for themselves)" if lock else "")
            + "."
        )


def _shown_settings() -> dict[str, str]:
    """Every shared setting at its value in this session, as a link carries it (the view's own keys aside)."""
    out = {}
    for s in state.SETTINGS.values():
        if not s.shared or s.key in ("teach", "lock", "pick"):
            continue
        if s.key == "list":  # the list in use, by its key (the default list too); an upload cannot travel
            if not st.session_state.get(state.USE_UPLOAD):
                out["list"] = st.session_state.get("list") or default_list().key
            continue
        value = st.session_state.get(s.key, s.default)
        out[s.key] = f"{value:g}" if isinstance(value, float) else str(value)
    return out
