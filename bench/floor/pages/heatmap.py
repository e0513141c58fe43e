"""The floor's heatmap page: one 27 x 27 plotly heatmap, each cell labelled by ``texttemplate``, nothing else."""

import random

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="Floor heatmap", layout="wide")
with st.sidebar:
    st.page_link("app.py", label="Floor home")
    st.page_link("pages/heatmap.py", label="Floor heatmap")
st.title("Floor heatmap")
labels = [".", *"abcdefghijklmnopqrstuvwxyz"]
rng = random.Random(0)
z = [[rng.randrange(0, 5000) for _ in labels] for _ in labels]
text = [[f"{a}{b}<br>{z[i][j]}" for j, b in enumerate(labels)] for i, a in enumerate(labels)]
fig = go.Figure(
    go.Heatmap(z=z, x=labels, y=labels, text=text, texttemplate="%{text}", textfont=dict(size=8), colorscale="Blues")
)
# Fixed margins, as the app's heatmaps have: left to grow them itself, plotly would draw the figure twice.
fig.update_layout(
    height=870,
    yaxis=dict(autorange="reversed"),
    xaxis=dict(side="top"),
    margin=dict(l=52, r=96, t=100, b=14, autoexpand=False),
)
st.plotly_chart(fig, key="floor_heatmap")
