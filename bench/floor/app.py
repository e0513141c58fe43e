"""The floor: what Streamlit itself costs on this machine. A title, a slider and a metric (bench/browser_bench.py).

Every figure of the app's benchmark is read against this app, measured in the same run on the same machine: a
slider step here is Streamlit's own round trip, and the switch to ``pages/heatmap.py`` is what a page with one
annotated 27 x 27 plotly heatmap costs with nothing else on it.
"""

import streamlit as st

st.set_page_config(page_title="Floor", layout="wide")
with st.sidebar:
    st.page_link("app.py", label="Floor home")
    st.page_link("pages/heatmap.py", label="Floor heatmap")
st.title("Floor")
k = st.slider("k", 0, 100, 1)
st.metric(f"value at k = {k}", f"{k * 1.5:.4f}")
