"""Neural net: train the one-layer net W on demand, watch it land on the counting model's loss, and look inside it."""

import pandas as pd
import streamlit as st

from bigram import METHODS, OPTIMIZERS, init_weights, lecture
from bigram.defaults import EXCHANGE_REGS, FIT_LR, FIT_STEPS
from bigram.diagnostics import forward_one, net_against_counts
from bigram.exchange import one_row_as_reg_grows, uniform_nll
from ui import cached, figures, grid, guide, memory, pick, predict, replay, sidebar, state, training, wordlists
from ui.prose import note, say, text
from ui.showcode import show_code

PAGE = "neural_net"
METHOD_LABELS = {"onehot": "one-hot @ W", "index": "row indexing W[xs]", "counts": "counts form"}
OPTIMIZER_LABELS = {"sgd": "SGD (the lecture's)", "adam": "Adam"}
HELP = {
    "lr": "The size of each step. The lecture uses 50 with plain gradient descent; Adam wants about 0.1–1.",
    "steps": f"Full-batch updates per press of Train or Continue (at most {state.STEPS_MAX:,}).",
    "reg": "The loss adds reg × mean(W²), pulling W towards 0: uniform rows, like smoothing (see below).",
    "method": "Three ways to the same loss and gradient (E04, E05; compared below).",
    "optimizer": "Switching moves the learning rate to one that suits the optimizer, unless you typed your own.",
    "net_seed": "W starts as torch.randn((V, V), generator=torch.Generator().manual_seed(seed)), as in the lecture.",
    "nll": "The data term alone: the average negative log-likelihood of the list's bigrams under softmax(W).",
    "target": "The maximum-likelihood optimum: no bigram model does better on this list.",
}
KEPT = {"persist_state": "session"}  # the settings keep their values across pages
PICK = {"required": True, **KEPT}  # a choice always has a value
#: How the page tells each outcome of a run (``TrainedNet.outcome``, also the name of its text): box and icon.
OUTCOMES = {
    "diverged": (st.error, ":material/error:"),
    "rose": (st.warning, ":material/trending_up:"),
    "time-limited": (st.info, ":material/timer:"),
    "interrupted": (st.info, ":material/pause:"),
}


def pick_symbol(label: str, labels, index: int, key: str) -> int:
    """A symbol of the list, by its id; the boundary is called the start of a word."""
    options, name = list(range(len(labels))), lambda i: f"{labels[i]!r}" + (" (start of word)" if i == 0 else "")
    return st.selectbox(label, options, index=index, format_func=name, key=key, **KEPT)


def number_table(columns: dict[str, tuple[list, str | None]], **options) -> None:
    """A table of named columns, each (values, printf format or None for text)."""
    st.dataframe(
        pd.DataFrame({name: values for name, (values, _) in columns.items()}),
        hide_index=True,
        width="stretch",
        column_config={name: st.column_config.NumberColumn(format=f) for name, (_, f) in columns.items() if f},
        **options,
    )


def controls(V: int) -> dict:
    """The training settings. The boxes have no max_value: a browser holds a value typed above it without sending
    it, so Train would silently use the old one. Every value is sent, and one out of range is refused in words."""
    st.title("The neural net")
    say(PAGE, "intro", V=V)
    c1, c2, c3 = st.columns(3)
    lr = c1.number_input(
        "Learning rate",
        state.LR_MIN,
        step=0.1,
        format="%g",
        key="lr",
        disabled=state.locked("lr"),
        help=HELP["lr"],
        **KEPT,
    )
    steps = c2.number_input("Steps", 1, key="steps", disabled=state.locked("steps"), help=HELP["steps"], **KEPT)
    reg = c3.number_input(
        "Regularisation", 0.0, step=0.01, format="%g", key="reg", disabled=state.locked("reg"), help=HELP["reg"], **KEPT
    )
    c4, c5, c6 = st.columns([1.3, 1, 0.7])
    method = c4.segmented_control(
        "Loss computed by",
        METHODS,
        format_func=METHOD_LABELS.get,
        key="method",
        disabled=state.locked("method"),
        help=HELP["method"],
        **PICK,
    )
    optimizer = c5.segmented_control(
        "Optimizer",
        OPTIMIZERS,
        format_func=lambda o: OPTIMIZER_LABELS.get(o, o),
        key="optimizer",
        disabled=state.locked("optimizer"),
        on_change=state.suggest_lr,
        help=HELP["optimizer"],
        **PICK,
    )
    seed = c6.number_input(
        "Seed of the initial W", 0, key="net_seed", disabled=state.locked("net_seed"), help=HELP["net_seed"], **KEPT
    )
    return {"lr": lr, "steps": steps, "reg": reg, "method": method, "optimizer": optimizer, "net_seed": seed}


def guess_the_loss(net) -> None:
    """Predict, then see: the loss after the first 100 steps of the lecture's training, before pressing Train."""
    first = 100
    ready = net is not None and len(net.history) > first
    predict.card(
        "loss_100",
        text(PAGE, "predict", steps=first),
        net.history[first] if ready else None,
        ready=ready,
        waiting=text(PAGE, "predict-waiting", steps=first),
    )


def refusal_of(tdata, settings: dict) -> str | None:
    """Why these settings cannot run (a typed value out of range, a method too big for the list), or None."""
    typed = {name: settings[name] for name in ("lr", "steps", "reg")}
    return state.out_of_range(typed) or training.method_refusal(tdata, settings["method"])


def pressed() -> tuple[bool, bool]:
    """Was Train or Continue pressed? Read before the buttons are drawn: the run goes first, so the buttons, the
    guess and the rest of the page are drawn once, from the net it leaves (no second run of the page)."""
    return bool(st.session_state.get(state.NET_TRAIN)), bool(st.session_state.get(state.NET_CONTINUE))


def buttons(source, settings: dict, net, refusal: str | None) -> None:
    """Train, Continue and Forget; a refusal in words when the settings cannot run."""
    steps = settings["steps"]
    with st.container(horizontal=True):
        st.button(
            "Train",
            type="primary",
            icon=":material/play_arrow:",
            key=state.NET_TRAIN,
            disabled=bool(refusal),
            help=f"Start from the seed's W and take {steps:,} steps.",
        )
        st.button(
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
        st.warning(text(PAGE, "refused", refusal=refusal), icon=":material/memory:")


def one_step_explained() -> None:
    """The lecture's own loss and training loop (their real source), and why they are what they are."""
    with st.expander("What one training step does", icon=":material/school:"):
        show_code(lecture.loss, lecture.train)
        say(PAGE, "one-step")
        say(PAGE, "why-this-loss")


def train_and_show(source, tdata, settings: dict, net, target: float, train: bool, resume: bool, lines):
    """The run, drawn live while it trains (bounded in time, queued for a slot); then the stored net's curve.
    Returns the net the page shows from here on: the one this run left, or the one there was."""
    progress, chart = st.empty(), st.empty()
    if train or resume:
        run = {name: settings[name] for name in ("lr", "reg", "method", "optimizer", "net_seed")}
        start, steps = (net if resume else None), int(settings["steps"])
        try:
            net = training.run(
                source.id,
                tdata,
                run,
                steps=steps,
                start=start,
                target=target,
                progress=progress,
                chart=chart,
                baselines=lines,
            )
        except training.ServerBusy as busy:
            st.warning(str(busy), icon=":material/hourglass_top:")
        progress.empty()
    if net is None:
        let_go = memory.net_let_go(st.session_state, source.id)
        chart.info(text(PAGE, "let-go" if let_go else "press-train", target=target), icon=":material/play_arrow:")
        return None
    title = f"Training loss on {source.title}"  # the list's title is the user's: the figure builder escapes it
    curve = cached.figure(  # one figure per run, for every session that has it (a run already done is shared)
        "net_loss_curve",
        source.id,
        (net.fingerprint, target, title, lines),
        lambda: figures.training_curve(
            net.history, nll_history=net.nll_history, target=target, title=title, baselines=lines
        ),
    )
    chart.plotly_chart(curve, key="net_loss_curve")
    return net


def run_summary(net, target: float) -> None:
    """What the latest run came to, and where the net stands against the counting model."""
    s, how = net.settings, METHOD_LABELS[net.settings["method"]]
    if net.outcome is not None:
        box, icon = OUTCOMES[net.outcome]
        facts = dict(message=net.message, steps=net.steps, first=net.history[0], loss=net.loss, lr=s["lr"])
        facts |= dict(optimizer=s["optimizer"], seconds=net.last_run_seconds, done=net.last_run_steps)
        box(text(PAGE, net.outcome, asked=s["steps"], limit=training.RUN_MAX_SECONDS, **facts), icon=icon)
    if net.reused:
        st.info(text(PAGE, "reused", seconds=net.last_run_seconds), icon=":material/bolt:")
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric("Steps", f"{net.steps:,}", help=f"lr {s['lr']:g}, reg {s['reg']:g}, {how}, {s['optimizer']}")
    m2.metric("Loss (NLL + reg)", f"{net.loss:.4f}")
    vs = f"{net.nll - target:+.4f} vs counts"
    m3.metric("NLL", f"{net.nll:.4f}", delta=vs, delta_color="off", help=HELP["nll"])
    m4.metric("Counting model NLL, k = 0", f"{target:.4f}", help=HELP["target"])
    m5.metric(
        "Time per step",
        f"{net.ms_per_step:.3g} ms" if net.ms_per_step is not None else "–",
        help=f"The latest run: {net.last_run_steps:,} steps in {net.last_run_seconds:.2f} s of wall time, redrawing "
        f"the chart included, {how}. The comparison below times the methods alone.",
    )
    if s["reg"] == 0:
        note(PAGE, "reg-zero", target=target)
    else:
        note(PAGE, "reg-above-zero", reg=s["reg"], target=target)


def net_against_the_counts(model_id: str, model, net, P0, ids: list[int]) -> None:
    """softmax(W) − P as a heatmap, the largest gap, and one row of both side by side."""
    st.subheader("softmax(W) against the counting model's P")
    labels = model.vocab.itos
    cmp = net_against_counts(net.W, P0)
    gap = cmp.gap
    left, right = st.columns([1.15, 1])
    title = "softmax(W) − P at k = 0 (red: the net gives less)"
    with left:
        picked = pick.current(model)
        pick.chart(
            cached.figure(
                "net_difference",
                model_id,
                (net.fingerprint, tuple(ids), picked),
                lambda: grid.difference_grid(cmp.difference, labels, ids=ids, title=title, pick=picked),
            ),
            key="net_difference",
            ids=ids,
        )
    if len(ids) < model.V:
        with left:
            note(PAGE, "heatmap-cut", shown=len(ids) - 1, symbols=model.V)
    with right:
        pair, previous, after = model.vocab.pair_label(gap.row, gap.col), repr(labels[gap.row]), repr(labels[gap.col])
        say(PAGE, "largest-gap", pair=pair, next=after, previous=previous, net=gap.net, counts=gap.counts)
        one_row(model_id, net.fingerprint, labels, cmp, gap.row)


@st.fragment
def one_row(model_id: str, fingerprint: str, labels, cmp, start: int) -> None:
    """One row of softmax(W) beside the counts' row. A fragment: choosing another row redraws this alone. The chart
    is built once per run and row, for every session that has the run (a press of Train by a class)."""
    row = pick_symbol("Previous symbol", labels, start, state.NET_ROW)
    names = ("net: softmax(W)", "counts: P at k = 0")

    def build():
        p_net, p_counts = cmp.row(row)
        return figures.row_distribution(p_net, labels, labels[row], compare=p_counts, names=names)

    st.plotly_chart(cached.figure("net_row", model_id, (fingerprint, row), build), key="net_row_chart")
    note(PAGE, "rare-rows")


def one_symbol_through(model, W, P0, ids: list[int], trained: bool) -> int:
    """One input symbol through the net: one-hot, the plucked row of W, exp, normalise. Returns the symbol."""
    st.subheader("One symbol through the net")
    labels, V = model.vocab.itos, model.V
    x = pick_symbol("Input symbol x", labels, min(1, V - 1), state.NET_SYMBOL)
    fp = forward_one(W, x, P0)
    say(PAGE, "why-one-hot", symbol=repr(labels[x]), x=x, V=V)
    st.code(f">>> F.one_hot(torch.tensor({x}), num_classes={V}).float()\n{fp.xenc}", language="python", wrap_lines=True)
    which = text(PAGE, "with-the-trained-w" if trained else "with-the-initial-w")
    say(PAGE, "pluck", x=x, which=which, error=fp.pluck_error)
    show = ids if len(ids) < V else list(range(V))
    steps = fp.columns(show)
    columns = {
        "next symbol": ([labels[j] for j in show], None),
        "one_hot(x) @ W": (steps["logits_onehot"], "%.4f"),
        "W[x]": (steps["logits_index"], "%.4f"),
        "exp → counts": (steps["counts"], "%.4f"),
        "÷ sum → p": (steps["probs"], "%.4f"),
        "counts model P": (steps["counts_model"], "%.4f"),
    }
    number_table(columns, height=min(36 * len(show) + 40, 420))
    note(PAGE, "forward-trained" if trained else "forward-initial", x=x, total=fp.total)
    return x


def three_ways(source, tdata, W, reg: float, net) -> None:
    """E04 and E05: one-hot, row indexing and the counts form give the same loss and gradient, at different costs."""
    st.subheader("Three ways to the same loss")
    say(PAGE, "three-ways", bigrams=tdata.bigrams, V=tdata.V)
    at = f"W after {net.steps:,} steps" if net is not None else "the initial W"
    if st.button(f"Compare them at {at}", icon=":material/compare_arrows:", key=state.NET_COMPARE):
        try:
            with st.spinner("Timing each method…"):
                training.compare(source.id, tdata, W, float(reg), at)
        except training.ServerBusy as busy:
            st.warning(str(busy), icon=":material/hourglass_top:")
    comparison = training.last_comparison(source.id)
    if comparison is None:
        return
    checks = comparison.checks
    columns = {
        "method": ([METHOD_LABELS[c.method] for c in checks], None),
        "loss": ([c.loss for c in checks], "%.6f"),
        "|loss − first|": ([c.loss_diff for c in checks], "%.1e"),
        "max |grad − first|": ([c.max_grad_diff for c in checks], "%.1e"),
        "ms per step": ([c.ms_per_call for c in checks], "%.3g"),
        "× the fastest": ([c.times_fastest for c in checks], "%.0f×"),
    }
    number_table(columns)
    note(PAGE, "compared", at=comparison.at, reg=comparison.reg, bigrams=comparison.bigrams)
    for method, why in comparison.skipped.items():
        note(PAGE, "not-run", method=METHOD_LABELS[method], why=why)


def regularisation_is_smoothing(source, model, target: float, reg: float, x: int) -> None:
    """A net fitted at each regularisation strength, only while the expander is open: the loss and row x move
    towards uniform, as smoothing moves them."""
    box = st.expander(
        "Why regularise? It is smoothing in disguise", icon=":material/blur_on:", key=state.NET_SWEEP, on_change="rerun"
    )
    with box:
        say(PAGE, "regularise")
        if not box.open:
            note(PAGE, "sweep-closed", regs=", ".join(f"{r:g}" for r in EXCHANGE_REGS))
            return
        if model.V > training.SWEEP_MAX_SYMBOLS:
            st.info(text(PAGE, "sweep-too-big", V=model.V))
            return
        rows, uniform, labels = training.exchange(source.id, model.N), uniform_nll(model.V), model.vocab.itos
        points = [(r.reg, r.nll) for r in rows]
        curve = figures.regularisation_curve(points, target=target, uniform=uniform, current=float(reg))
        st.plotly_chart(curve, key="net_reg_curve")
        columns = {
            "reg": ([r.reg for r in rows], "%g"),
            "NLL (data term)": ([r.nll for r in rows], "%.4f"),
            "mean row entropy": ([r.entropy for r in rows], "%.4f"),
            "same NLL as smoothing k ≈": ([r.k_same_nll for r in rows], "%.3g"),
            "closest P (KL) at k ≈": ([r.k_closest for r in rows], "%.3g"),
        }
        number_table(columns)
        note(PAGE, "sweep", steps=FIT_STEPS, lr=FIT_LR, uniform=uniform)
        grows = one_row_as_reg_grows(rows, model.N, x)
        weakest, halfway, strongest = grows.rows
        picks = {f"net, reg = {grows.weakest.reg:g}": weakest, f"net, reg = {grows.halfway.reg:g}": halfway}
        if grows.k is not None:
            picks[f"counts smoothed, k = {grows.k:g}"] = grows.smoothed
        picks[f"net, reg = {grows.strongest.reg:g}"] = strongest
        colors = ["#08306b", "#2171b5", figures.ORANGE, "#9ecae1"]
        title = f"p(next | {labels[x]!r}) as reg grows: towards uniform"
        st.plotly_chart(
            figures.distributions(picks, labels, labels[x], uniform=True, colors=colors, title=title),
            key="net_reg_rows",
        )
        if grows.k is not None:
            note(PAGE, "sweep-rows", k=grows.k, reg=grows.halfway.reg)


source = sidebar.page("Neural net")
model = wordlists.model_for(source)
tdata = training.training_data(source.id, source.words, model.vocab)
target = cached.score_counts(source.id, 0.0, model).nll  # the maximum-likelihood optimum the net converges to
P0 = cached.probabilities(source.id, 0.0, model)
ids = figures.top_symbols(model.N)
settings = controls(model.V)
net = training.get(source.id)
# ln V, the counting optimum, where the seed's W starts
lines = cached.baselines(source.id, int(settings["net_seed"]), tdata)
refusal = refusal_of(tdata, settings)
train, resume = pressed()
train, resume = train and not refusal, resume and net is not None and not refusal
guess, bar = st.container(), st.container()  # drawn after the run, from the net it leaves
one_step_explained()
guide.nav("net")
net = train_and_show(source, tdata, settings, net, target, train, resume, lines)
with guess:
    guess_the_loss(net)
with bar:
    buttons(source, settings, net, refusal)
if net is not None:
    run_summary(net, target)
    replay_box = st.expander("Replay the run", icon=":material/replay:", key=state.NET_REPLAY, on_change="rerun")
    with replay_box:
        if replay_box.open:  # drawn only while open: three charts nobody sees would cost every run of the page
            replay.section(net, model, P0, baselines=lines)
        else:
            note(PAGE, "replay-closed")
    guide.nav("descent")
    net_against_the_counts(source.id, model, net, P0, ids)
    pick.panel(model, source.words, float(state.setting("k")), net.probabilities())
W = net.W if net is not None else init_weights(model.V, settings["net_seed"])
x = one_symbol_through(model, W, P0, ids, trained=net is not None)
guide.nav("onehot")
three_ways(source, tdata, W, settings["reg"], net)
regularisation_is_smoothing(source, model, target, settings["reg"], x)
guide.nav("regularisation")
