"""Data: the words in use, what cleaning did, lengths, symbols, duplicates and the vocabulary."""

import pandas as pd
import streamlit as st

from ui import cached, escape, figures, sidebar, wordlists

source = sidebar.page("Data")
model = wordlists.model_for(source)
stats = cached.describe_list(source.id, source.words)
report = source.report
b = model.vocab.boundary

st.title("The word list")
st.caption(escape.md(source.title) + (" (your upload, kept in this browser session only)" if source.is_upload else ""))

c1, c2, c3, c4 = st.columns(4)
c1.metric("Words", f"{len(source.words):,}")
c2.metric("Distinct words", f"{stats.distinct:,}")
c3.metric("Symbols", f"{model.V - 1:,} + boundary")
c4.metric("Mean length", f"{stats.mean_length:.2f}")

st.subheader("Preview")
left, right = st.columns([1, 2])
with left:
    st.dataframe(pd.DataFrame({"word": list(source.words[:1000])}), height=320, width="stretch")
    if len(source.words) > 1000:
        st.caption(f"The first 1,000 of {len(source.words):,} words, in file order.")
with right:
    st.plotly_chart(
        figures.histogram(stats.lengths, title="Word lengths", xlabel="length (symbols)"), key="length_hist"
    )

st.subheader("What cleaning did")
st.markdown(f"**{escape.md(report.summary())}**")
st.caption(
    "Cleaning: decode (byte-order mark, UTF-8, then Windows-1252/Latin-1), split lines (any line end), "
    "strip white space, drop empty lines, lowercase, Unicode NFC (a letter typed with a combining accent "
    "becomes one symbol), drop lines with control characters, apply the length limits."
)
if report.dropped:
    st.dataframe(
        pd.DataFrame(
            [
                {"reason": r, "lines": n, "examples": ", ".join(report.examples.get(r, []))}
                for r, n in report.dropped.items()
            ]
        ),
        hide_index=True,
        width="stretch",
    )
for note in report.notes:
    st.info(escape.md(note), icon=":material/info:")

st.subheader("Symbols")
st.markdown(
    f"The vocabulary is every distinct character of the list, in code-point order, plus the boundary token "
    f"`{b}` at id 0. "
    + (f"The list itself contains `.`, so the boundary is shown as `{b}` instead." if b != "." else "")
)
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
    st.caption(
        "`stoi` maps a symbol to its id, `itos` an id back to its symbol. The boundary's occurrences "
        "are the number of words: each word has one start and one end."
    )

st.subheader("Duplicates")
if stats.duplicates:
    st.markdown(
        f"**{report.duplicates:,}** entries repeat an earlier word. The lecture keeps them: a name "
        "given twice counts twice, so common words weigh more. You can drop them when uploading."
    )
    st.dataframe(pd.DataFrame(stats.duplicates[:50], columns=["word", "times"]), hide_index=True, width="stretch")
else:
    st.markdown("No word occurs twice.")
