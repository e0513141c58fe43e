"""Data: the words in use, what cleaning did, lengths, symbols, duplicates and the vocabulary."""

import pandas as pd
import streamlit as st

from ui import cached, escape, figures, sidebar, wordlists
from ui.prose import note, say, text

PAGE = "data"
PREVIEW = 1000  # words shown in the preview table


def overview(source, model, stats) -> None:
    st.title("The word list")
    note(PAGE, "upload" if source.is_upload else "builtin", title=source.title)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Words", f"{len(source.words):,}")
    c2.metric("Distinct words", f"{stats.distinct:,}")
    c3.metric("Symbols", f"{model.V - 1:,} + boundary")
    c4.metric("Mean length", f"{stats.mean_length:.2f}")


def preview(source, stats) -> None:
    """The first words, in file order, beside the histogram of all words' lengths."""
    st.subheader("Preview")
    left, right = st.columns([1, 2])
    with left:
        st.dataframe(pd.DataFrame({"word": list(source.words[:PREVIEW])}), height=320, width="stretch")
        if len(source.words) > PREVIEW:
            note(PAGE, "preview-cut", shown=PREVIEW, words=len(source.words))
    with right:
        st.plotly_chart(
            figures.histogram(stats.lengths, title="Word lengths", xlabel="length (symbols)"), key="length_hist"
        )


def cleaning(report) -> None:
    """What the cleaning kept and dropped, and why."""
    st.subheader("What cleaning did")
    say(PAGE, "summary", summary=report.summary())
    note(PAGE, "cleaning")
    if report.dropped:
        dropped = [
            {"reason": r, "lines": n, "examples": ", ".join(report.examples.get(r, []))}
            for r, n in report.dropped.items()
        ]
        st.dataframe(pd.DataFrame(dropped), hide_index=True, width="stretch")
    for line in report.notes:
        st.info(escape.md(line), icon=":material/info:")


def symbols(source, model, stats) -> None:
    """How often each symbol occurs, and the vocabulary's ids."""
    st.subheader("Symbols")
    b = model.vocab.boundary
    moved = "" if b == "." else text(PAGE, "boundary-moved", boundary=b)
    say(PAGE, "symbols", boundary=b, moved=moved)
    st.plotly_chart(
        figures.symbol_frequencies(
            [model.vocab.itos[i] for i in stats.symbol_ids], stats.symbol_counts, title="How often each symbol occurs"
        ),
        key="symbol_freq",
    )
    vocab = pd.DataFrame(
        {
            "id": range(model.V),
            "symbol": model.vocab.itos,
            "code point": ["boundary"] + [f"U+{ord(s):04X}" for s in model.vocab.symbols],
            "occurrences": [len(source.words)] + stats.occurrences,
        }
    )
    with st.expander(f"The vocabulary: stoi and itos ({model.V} ids)"):
        st.dataframe(vocab, hide_index=True, width="stretch")
        note(PAGE, "vocab")


def duplicates(report, stats) -> None:
    st.subheader("Duplicates")
    if not stats.duplicates:
        say(PAGE, "no-duplicates")
        return
    say(PAGE, "duplicates", repeats=report.duplicates)
    st.dataframe(pd.DataFrame(stats.duplicates[:50], columns=["word", "times"]), hide_index=True, width="stretch")


source = sidebar.page("Data")
model = wordlists.model_for(source)
stats = cached.describe_list(source.id, source.words)
overview(source, model, stats)
preview(source, stats)
cleaning(source.report)
symbols(source, model, stats)
duplicates(source.report, stats)
