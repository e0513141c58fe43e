"""Neural net: train the one-layer net W on demand, watch it land on the counting model's loss, and look inside it."""

import math

import pandas as pd
import streamlit as st

from bigram import METHODS, OPTIMIZERS, init_weights, lecture
from bigram.defaults import EXCHANGE_REGS, FIT_LR, FIT_STEPS
from bigram.diagnostics import forward_one, largest_gap
from bigram.exchange import weakest_halfway_strongest
from ui import cached, escape, figures, sidebar, state, training, wordlists
from ui.showcode import show_code

source = sidebar.page("Neural net")
model = wordlists.model_for(source)
labels = model.vocab.itos
b = model.vocab.boundary
V = model.V
tdata = training.training_data(source.id, source.words, model.vocab)
target = cached.score_counts(source.id, 0.0, model).nll  # the maximum-likelihood optimum the net converges to
P0 = cached.probabilities(source.id, 0.0, model)
ids = figures.top_symbols(model.N)

METHOD_LABELS = {"onehot": "one-hot @ W", "index": "row indexing W[xs]", "counts": "counts form"}
OPTIMIZER_LABELS = {"sgd": "SGD (the lecture's)", "adam": "Adam"}

st.title("The neural net")
st.markdown(
    f"The same bigram model, learned instead of counted: a single {V}×{V} weight matrix **W** (one row per "
    "previous symbol, one column per next symbol; a bigram only ever looks one symbol back, so W needs no more). "
    "The input symbol is one-hot encoded and multiplied by W to give **logits**; softmax turns them into "
    "next-symbol probabilities; the loss is their average negative log-likelihood. Gradient descent on that loss "
    "ends where counting starts: at the counting model's P."
)

# --- controls ---------------------------------------------------------------------------------
c1, c2, c3 = st.columns(3)
# No max_value on these boxes: a browser holds a value typed above the maximum in the box without sending it,
# so Train would silently use the old one. Every value is sent, and one out of range is refused in words below.
lr = c1.number_input(
    "Learning rate",
    state.LR_MIN,
    step=0.1,
    format="%g",
    key="lr",
    persist_state="session",
    help="The size of each step. The lecture uses 50 with plain gradient descent; Adam wants about 0.1–1.",
)
steps = c2.number_input(
    "Steps",
    1,
    key="steps",
    persist_state="session",
    help=f"Full-batch updates per press of Train or Continue (at most {state.STEPS_MAX:,}).",
)
reg = c3.number_input(
    "Regularisation",
    0.0,
    step=0.01,
    format="%g",
    key="reg",
    persist_state="session",
    help="The loss adds reg × mean(W²), pulling W towards 0: uniform rows, like smoothing (see below).",
)
c4, c5, c6 = st.columns([1.3, 1, 0.7])
with c4:
    method = st.segmented_control(
        "Loss computed by",
        METHODS,
        format_func=METHOD_LABELS.get,
        key="method",
        required=True,
        persist_state="session",
        help="Three ways to the same loss and gradient (E04, E05; compared below).",
    )
with c5:
    optimizer = st.segmented_control(
        "Optimizer",
        OPTIMIZERS,
        format_func=lambda o: OPTIMIZER_LABELS.get(o, o),
        key="optimizer",
        required=True,
        persist_state="session",
        on_change=state.suggest_lr,
        help="Switching moves the learning rate to one that suits the optimizer, unless you typed your own.",
    )
seed = c6.number_input(
    "Seed of the initial W",
    0,
    key="net_seed",
    persist_state="session",
    help="W starts as torch.randn((V, V), generator=torch.Generator().manual_seed(seed)), as in the lecture.",
)
settings = {"lr": lr, "reg": reg, "method": method, "optimizer": optimizer, "net_seed": seed}

net = training.get(source.id)
refusal = state.out_of_range({"lr": lr, "steps": steps, "reg": reg}) or training.method_refusal(tdata, method)
with st.container(horizontal=True):
    train = st.button(
        "Train",
        type="primary",
        icon=":material/play_arrow:",
        key=state.NET_TRAIN,
        disabled=bool(refusal),
        help=f"Start from the seed's W and take {steps:,} steps.",
    )
    resume = st.button(
        f"Continue training (+{steps:,} steps)",
        icon=":material/fast_forward:",
        key=state.NET_CONTINUE,
        disabled=net is None or bool(refusal),
        help="More steps from the current W, with the settings above.",
    )
    st.button(
        "Forget the trained net",
        icon=":material/delete:",
        key=state.NET_RESET,
        disabled=net is None,
        on_click=training.forget,
        args=(source.id,),
    )
if refusal:
    st.warning(f"Not with these settings: {refusal}.", icon=":material/memory:")

with st.expander("What one training step does", icon=":material/school:"):
    show_code(lecture.loss, lecture.train)
    st.markdown(
        "`backward()` only fills `W.grad`; the update is a separate line. The gradient points uphill, so the step goes "
        "the other way (`-lr`). **Adam** uses the same gradient but scales each weight's step by a running estimate of "
        "its size, so every weight moves about `lr` per step: it reaches the optimum in far fewer steps, with a far "
        "smaller learning rate."
    )
    st.markdown(
        "**Why this loss?** Gradient descent needs a loss that is a differentiable function of W, so that "
        "`backward()` can compute how each weight moves it; the average negative log-likelihood is, because softmax, "
        "log and mean all are. Predicting the next symbol is *classification* (one of V classes), so the loss is the "
        "NLL, also called cross-entropy; mean squared error suits *regression*, where the target is a number. "
        "**Why `randn`?** `torch.randn` draws from a normal distribution with mean 0 and standard deviation 1: small "
        "random logits, so the first predictions are close to uniform and every weight starts out different."
    )

# --- training, live ----------------------------------------------------------------------------
progress_box = st.empty()
chart_box = st.empty()
if train or resume:
    try:
        training.run(
            source.id,
            tdata,
            settings,
            steps=int(steps),
            start=net if resume else None,
            target=target,
            progress=progress_box,
            chart=chart_box,
        )
    except training.ServerBusy as busy:
        st.warning(str(busy), icon=":material/hourglass_top:")
    else:
        st.rerun()  # draw the page again from the stored net: buttons and labels above were drawn before it existed
    progress_box.empty()

if net is None:
    chart_box.info(
        "Press **Train** to train the net on this list. The loss curve draws while it trains; the dashed line "
        f"is the counting model's NLL at k = 0 ({target:.4f}), the lowest loss any bigram model can reach on it.",
        icon=":material/play_arrow:",
    )
else:
    chart_box.plotly_chart(
        figures.training_curve(
            net.history, nll_history=net.nll_history, target=target, title=f"Training loss on {source.title}"
        ),
        key="net_loss_curve",
    )
    s = net.settings
    if net.message:
        st.error(
            f"Training stopped: {net.message}. The net keeps its last good W (after {net.steps:,} steps).",
            icon=":material/error:",
        )
    elif net.steps and net.loss > net.history[0]:
        st.warning(
            f"The loss went up, from {net.history[0]:.4f} to {net.loss:.4f}: each step overshoots the minimum. "
            f"The learning rate {s['lr']:g} is too large for {s['optimizer']}; try a smaller one.",
            icon=":material/trending_up:",
        )
    elif net.time_limited:
        st.info(
            f"This run stopped after {net.last_run_seconds:.0f} s, at {net.last_run_steps:,} of the "
            f"{s['steps']:,} steps asked: a press of Train computes for at most {training.RUN_MAX_SECONDS:.0f} s "
            "on this shared server. Press Continue to go on from here, or use the counts form, which gives the same "
            "loss far faster.",
            icon=":material/timer:",
        )
    elif not net.finished:
        st.info(
            f"The last run was interrupted; the net keeps what it reached ({net.steps:,} steps). "
            "Continue training to go on.",
            icon=":material/pause:",
        )
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric(
        "Steps",
        f"{net.steps:,}",
        help=f"lr {s['lr']:g}, reg {s['reg']:g}, {METHOD_LABELS[s['method']]}, {s['optimizer']}",
    )
    m2.metric("Loss (NLL + reg)", f"{net.loss:.4f}")
    m3.metric(
        "NLL",
        f"{net.nll:.4f}",
        delta=f"{net.nll - target:+.4f} vs counts",
        delta_color="off",
        help="The data term alone: the average negative log-likelihood of the list's bigrams under softmax(W).",
    )
    m4.metric(
        "Counting model NLL, k = 0",
        f"{target:.4f}",
        help="The maximum-likelihood optimum: no bigram model does better on this list.",
    )
    ms = net.ms_per_step
    m5.metric(
        "Time per step",
        f"{ms:.3g} ms" if ms is not None else "–",
        help=f"The latest run: {net.last_run_steps:,} steps in {net.last_run_seconds:.2f} s of wall time, redrawing "
        f"the chart included, {METHOD_LABELS[s['method']]}. The comparison below times the methods alone.",
    )
    if s["reg"] == 0:
        st.caption(
            f"With reg = 0 the NLL tends to the counting model's {target:.4f}: the net is learning the same P by a slower road."
        )
    else:
        st.caption(
            f"With reg = {s['reg']:g} the NLL levels off above the counting model's {target:.4f}: the regulariser "
            "costs some fit on the list, exactly as smoothing does (see the last section)."
        )

    # --- the net against the counts ------------------------------------------------------------
    st.subheader("softmax(W) against the counting model's P")
    Pnet = net.probabilities()
    gap = largest_gap(Pnet, P0)
    left, right = st.columns([1.15, 1])
    with left:
        st.plotly_chart(
            figures.net_difference_heatmap(
                Pnet - P0, labels, ids=ids, title="softmax(W) − P at k = 0 (red: the net gives less)"
            ),
            key="net_difference",
        )
        if len(ids) < V:
            st.caption(f"The boundary and the {len(ids) - 1} most frequent of {V:,} symbols.")
    with right:
        st.markdown(
            f"Largest gap: **{escape.code(model.vocab.pair_label(gap.row, gap.col))}**, "
            f"p({escape.md(repr(labels[gap.col]))} | {escape.md(repr(labels[gap.row]))}) "
            f"= **{gap.net:.4f}** in the net against **{gap.counts:.4f}** from the counts."
        )
        row = st.selectbox(
            "Previous symbol",
            list(range(V)),
            index=gap.row,
            format_func=lambda i: f"{labels[i]!r}" + (" (start of word)" if i == 0 else ""),
            key=state.NET_ROW,
            persist_state="session",
        )
        st.plotly_chart(
            figures.row_distribution(
                Pnet[row], labels, labels[row], compare=P0[row], names=("net: softmax(W)", "counts: P at k = 0")
            ),
            key="net_row_chart",
        )
        st.caption(
            "Rows used rarely in the list give the net little gradient, so they move least: they are where the "
            "net and the counts still differ after training, and where the regulariser pulls hardest towards uniform."
        )

# --- inside the net -------------------------------------------------------------------------------
st.subheader("One symbol through the net")
W = net.W if net is not None else init_weights(V, seed)
x = st.selectbox(
    "Input symbol x",
    list(range(V)),
    index=min(1, V - 1),
    format_func=lambda i: f"{labels[i]!r}" + (" (start of word)" if i == 0 else ""),
    key=state.NET_SYMBOL,
    persist_state="session",
)
fp = forward_one(W, x)
st.markdown(
    f'**Why one-hot?** An id is a name, not an amount: {escape.code(repr(labels[x]))} = {x} is not "{x} times" anything, and feeding '
    f"the number itself would make a bigger id push harder. One-hot turns it into a vector of size V = {V} with a single 1 "
    f"at position {x}; `.float()` because it is multiplied by W, which is float."
)
st.code(f">>> F.one_hot(torch.tensor({x}), num_classes={V}).float()\n{fp.xenc}", language="python", wrap_lines=True)
show = ids if len(ids) < V else list(range(V))
st.markdown(
    f"**Why does one-hot × W pluck a row?** Every entry of `xenc @ W` sums `xenc[k] * W[k, j]` over k, and only k = {x} is "
    f"not zero: the product is row {x} of W. Here, {'with the trained W' if net is not None else 'with the initial W'}: "
    f"max |one_hot(x) @ W − W[x]| = **{fp.pluck_error:g}**. That row is then turned into probabilities: logits are "
    "log-counts, exp gives positive counts, dividing by their sum gives probabilities — together, **softmax**."
)
table = pd.DataFrame(
    {
        "next symbol": [labels[j] for j in show],
        "one_hot(x) @ W": [float(fp.logits_onehot[j]) for j in show],
        "W[x]": [float(fp.logits_index[j]) for j in show],
        "exp → counts": [float(fp.counts[j]) for j in show],
        "÷ sum → p": [float(fp.probs[j]) for j in show],
        "counts model P": [float(P0[x, j]) for j in show],
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=min(36 * len(show) + 40, 420),
    column_config={c: st.column_config.NumberColumn(format="%.4f") for c in table.columns[1:]},
)
st.caption(
    f"The counts in row {x} sum to {float(fp.counts.sum()):.3g}; p sums to 1. Compare the last two columns: "
    + ("after training they nearly agree." if net is not None else "before training, W is random and so is p.")
)

# --- E04 / E05 ------------------------------------------------------------------------------------
st.subheader("Three ways to the same loss")
st.markdown(
    "The lecture multiplies one-hot vectors by W (**one-hot**). Picking rows directly, `F.cross_entropy(W[xs], ys)`, "
    "skips the multiplication (**row indexing**, exercises E04 and E05). And because the full-batch loss only depends on "
    "how often each bigram occurs, `-(N * W.log_softmax(1)).sum() / N.sum()` gives it from the count matrix "
    f"(**counts form**), at a cost that does not grow with the list: {tdata.bigrams:,} bigrams here, {V}×{V} counts."
)
at = f"W after {net.steps:,} steps" if net is not None else "the initial W"
if st.button(f"Compare them at {at}", icon=":material/compare_arrows:", key=state.NET_COMPARE):
    try:
        with st.spinner("Timing each method…"):
            training.compare(source.id, tdata, W, float(reg), at)
    except training.ServerBusy as busy:
        st.warning(str(busy), icon=":material/hourglass_top:")
comparison = training.last_comparison(source.id)
if comparison is not None:
    base = comparison.checks[0]
    fastest = min(c.ms_per_call for c in comparison.checks)
    st.dataframe(
        pd.DataFrame(
            {
                "method": [METHOD_LABELS[c.method] for c in comparison.checks],
                "loss": [c.loss for c in comparison.checks],
                "|loss − first|": [abs(c.loss - base.loss) for c in comparison.checks],
                "max |grad − first|": [c.max_grad_diff for c in comparison.checks],
                "ms per step": [c.ms_per_call for c in comparison.checks],
                "× the fastest": [c.ms_per_call / fastest for c in comparison.checks],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "loss": st.column_config.NumberColumn(format="%.6f"),
            "|loss − first|": st.column_config.NumberColumn(format="%.1e"),
            "max |grad − first|": st.column_config.NumberColumn(format="%.1e"),
            "ms per step": st.column_config.NumberColumn(format="%.3g"),
            "× the fastest": st.column_config.NumberColumn(format="%.0f×"),
        },
    )
    st.caption(
        f"At {comparison.at}, reg = {comparison.reg:g}, {comparison.bigrams:,} bigrams. The differences are float32 "
        "rounding (about 1e-6): the same loss, the same gradient. Time: one loss-and-gradient evaluation, i.e. one step."
    )
    for m, why in comparison.skipped.items():
        st.caption(f"{METHOD_LABELS[m]} was not run: {why}.")

# --- regularisation = smoothing -------------------------------------------------------------------
sweep_box = st.expander(
    "Why regularise? It is smoothing in disguise", icon=":material/blur_on:", key=state.NET_SWEEP, on_change="rerun"
)
with sweep_box:
    st.markdown(
        "reg × mean(W²) is smallest at W = 0, where every logit is equal and every row of softmax(W) is **uniform**. "
        "So the regulariser pulls each row towards uniform, exactly as add-k smoothing adds the same fake count k to every "
        "cell. The data term pulls towards the counts; rows backed by few bigrams give way first. The price is a higher "
        "loss on the training list, the gain a model that never rules a bigram out and generalises better."
    )
    if sweep_box.open:
        if V > training.SWEEP_MAX_SYMBOLS:
            st.info(f"This list has {V:,} symbols: training a net at each strength would take too long here.")
        else:
            rows = training.exchange(source.id, model.N)
            st.plotly_chart(
                figures.regularisation_curve(
                    [(r.reg, r.nll) for r in rows], target=target, uniform=math.log(V), current=float(reg)
                ),
                key="net_reg_curve",
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        "reg": [r.reg for r in rows],
                        "NLL (data term)": [r.nll for r in rows],
                        "mean row entropy": [r.entropy for r in rows],
                        "same NLL as smoothing k ≈": [r.k_same_nll for r in rows],
                        "closest P (KL) at k ≈": [r.k_closest for r in rows],
                    }
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    "reg": st.column_config.NumberColumn(format="%g"),
                    "NLL (data term)": st.column_config.NumberColumn(format="%.4f"),
                    "mean row entropy": st.column_config.NumberColumn(format="%.4f"),
                    "same NLL as smoothing k ≈": st.column_config.NumberColumn(format="%.3g"),
                    "closest P (KL) at k ≈": st.column_config.NumberColumn(format="%.3g"),
                },
            )
            st.caption(
                f"Each net: {FIT_STEPS} steps of Adam (lr {FIT_LR:g}) on the counts form. Row "
                f"entropy is log V = {math.log(V):.3f} for uniform rows; weighted by how often each row is used. "
                "Two ways to say what a regulariser is worth in smoothing: the k whose counts give the same NLL "
                "on the list, and the k whose P is closest to softmax(W) (as on More exercises)."
            )
            weakest, middle, strongest = weakest_halfway_strongest(rows)
            picks = {f"net, reg = {r.reg:g}": r.P[x] for r in (weakest, middle)}
            if middle.k_same_nll is not None:
                k_eq = float(f"{middle.k_same_nll:.3g}")
                picks[f"counts smoothed, k = {k_eq:g}"] = cached.probabilities(source.id, k_eq, model)[x]
            picks[f"net, reg = {strongest.reg:g}"] = strongest.P[x]
            st.plotly_chart(
                figures.distributions(
                    picks,
                    labels,
                    labels[x],
                    uniform=True,
                    colors=["#08306b", "#2171b5", figures.ORANGE, "#9ecae1"],
                    title=f"p(next | {labels[x]!r}) as reg grows: towards uniform",
                ),
                key="net_reg_rows",
            )
            if middle.k_same_nll is not None:
                st.caption(
                    f"The orange bars are the counting model smoothed with k = {k_eq:g}, the smoothing that costs the "
                    f"same loss as reg = {middle.reg:g}: they follow the net's reg = {middle.reg:g} bars closely "
                    "(not exactly: the two pulls towards uniform are shaped differently). "
                    "Change the input symbol above to see another row."
                )
    else:
        st.caption(
            "Open this to train a net at each of "
            f"{', '.join(f'{r:g}' for r in EXCHANGE_REGS)} and see the loss and the rows move towards uniform."
        )
