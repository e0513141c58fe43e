"""The Sample page through AppTest: reproducible samples, the lecture preset, the net as a source, torch.multinomial."""

import inspect

import pytest
import torch
from apputil import open_page, shown

from bigram import LECTURE_SEED, CountModel, lecture, net_probabilities, sample
from bigram.builtin import default_list
from bigram.wordlist import read_words
from ui import state
from ui.training import TrainedNet

PAGE = "pages/5_Sample.py"
SOURCE_ID = f"builtin:{default_list().key}"


@pytest.fixture(scope="module")
def names_model():
    return CountModel.from_words(read_words(default_list().path).words)


def words(at):
    return list(at.dataframe[0].value["word"])


def test_page_renders_a_table_of_samples():
    at = open_page(PAGE)
    assert not at.exception and not at.error and not at.warning
    table = at.dataframe[0].value
    assert list(table.columns) == ["word", "length", "log p", "in the list", "truncated"]
    assert len(table) == state.SETTINGS["n"].default
    assert (table["log p"] < 0).all()
    assert (table["length"] == table["word"].str.len()).all()
    assert any("torch " in i.value and "2.7" in i.value for i in at.info)  # the version and why it matters
    assert at.get("download_button"), "a CSV download is offered"


def test_same_seed_gives_the_same_samples_across_reruns_and_sessions():
    at = open_page(PAGE)
    first = words(at)
    at.run()
    assert words(at) == first
    assert words(open_page(PAGE)) == first  # a fresh session too
    at.number_input(key="seed").set_value(7).run()
    assert words(at) != first
    at.number_input(key="seed").set_value(LECTURE_SEED).run()
    assert words(at) == first


def test_lecture_preset_sets_the_lectures_settings_and_words(names_model):
    at = open_page(PAGE)
    at.number_input(key="seed").set_value(5)
    at.radio(key="mode").set_value("batched")
    at.select_slider(key="temperature").set_value(2.0).run()
    at.button(key=state.SAMPLE_PRESET).click().run()
    assert not at.exception
    ss = at.session_state
    assert (ss["seed"], ss["k"], ss["mode"], ss["temperature"], ss["source"]) == (
        LECTURE_SEED,
        1.0,
        "sequential",
        1.0,
        "counts",
    )
    assert ss["max_len"] == state.MAX_LEN_MAX
    expected = sample(
        names_model.probabilities(1.0), names_model.vocab, len(words(at)), seed=LECTURE_SEED, max_len=state.MAX_LEN_MAX
    )
    assert words(at) == [s.word for s in expected]  # exactly the lecture's loop at add-one smoothing


def test_settings_change_the_samples_and_flags():
    at = open_page(PAGE)
    at.number_input(key="max_len").set_value(2).run()
    table = at.dataframe[0].value
    assert (table["length"] <= 2).all() and table["truncated"].any()
    at.number_input(key="n").set_value(5).run()
    assert len(at.dataframe[0].value) == 5
    at.radio(key="mode").set_value("batched").run()
    assert not at.exception and len(at.dataframe[0].value) == 5


def test_temperature_from_a_link_between_the_stops_is_kept():
    at = open_page(PAGE, query={"temperature": "0.6"})
    assert not at.exception
    assert at.select_slider(key="temperature").value == 0.6


def test_net_source_without_a_trained_net_falls_back_and_says_where_to_train():
    at = open_page(PAGE)
    at.radio(key="source").set_value("net").run()
    assert not at.exception
    assert any("Neural net page" in w.value for w in at.warning)
    assert len(words(at)) == state.SETTINGS["n"].default  # the counting model's samples meanwhile


def test_net_source_samples_the_trained_net(names_model):
    W = (names_model.N + 1).double().log()  # softmax(W) is add-one smoothed P
    net = TrainedNet(source_id=SOURCE_ID, settings={}, W=W, history=[3.0, 2.5], nll_history=[3.0, 2.5])
    at = open_page(PAGE)
    at.session_state[state.TRAINED] = {SOURCE_ID: net}
    at.radio(key="source").set_value("net").run()
    assert not at.exception and not at.warning
    assert any("Trained net" in c.value for c in at.caption)
    expected = sample(
        net_probabilities(W),
        names_model.vocab,
        len(words(at)),
        seed=LECTURE_SEED,
        max_len=state.SETTINGS["max_len"].default,
    )
    assert words(at) == [s.word for s in expected]
    log_p = at.dataframe[0].value["log p"]
    assert (log_p < 0).all() and torch.isfinite(torch.tensor(list(log_p))).all()


def test_multinomial_demo_shows_the_lectures_code_and_the_call_it_draws():
    at = open_page(PAGE)
    assert any(c.value == inspect.getsource(lecture.draw).rstrip() for c in at.code)  # the code shown is the code run
    assert any("torch.multinomial(p, num_samples=n, replacement=True, generator=g)" in c.value for c in at.code)
    assert any(f"`draw(P, 0, 10000, seed={LECTURE_SEED})`" in c.value for c in at.caption)
    at.selectbox(key=state.DRAW_ROW).set_value(1).run()
    assert not at.exception
    assert any(f"`draw(P, 1, 10000, seed={LECTURE_SEED})`" in c.value and "'a'" in shown(c.value) for c in at.caption)
    assert len(at.get("plotly_chart")) == 1


def test_stepping_through_a_word_draws_the_first_word_of_the_table():
    at = open_page(PAGE)
    first = words(at)[0]
    for _ in range(state.MAX_LEN_MAX + 1):
        step = at.button(key=state.STEP_NEXT)
        if step.disabled:
            break
        step.click().run()
    said = [m.value for m in at.markdown if m.value.startswith("**Draw ")]
    assert said and f"The word so far: **{first}**" in said[-1].replace("\\", "")
    at.button(key=state.STEP_RESET).click().run()
    assert at.session_state[state.STEP_AT] == 0


def test_a_number_typed_above_its_maximum_is_refused_in_words_not_silently_ignored():
    at = open_page(PAGE)
    at.number_input(key="n").set_value(state.SAMPLE_MAX + 1).run()
    assert not at.exception
    said = f"n = {state.SAMPLE_MAX + 1} is out of range (1 to {state.SAMPLE_MAX} words)"
    assert any(said in e.value for e in at.error)
