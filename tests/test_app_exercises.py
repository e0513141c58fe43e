"""The exercise pages in AppTest: contexts and padding, tuning, comparing lists, model files."""

import pytest
from apputil import open_page, shown

from bigram import CountModel, Vocab, lecture, read_words, split_words
from bigram.builtin import default_list
from bigram.modelfile import ModelFile, to_csv, to_safetensors


def metrics(at):
    return {shown(m.label): m.value for m in at.metric}


@pytest.fixture(scope="module")
def names_split(default_words):
    """The page's split (seed 42) and vocabulary of the default list."""
    return split_words(default_words, seed=42), Vocab.from_words(default_words).symbols


def test_contexts_page_padding_changes_the_loss_and_test_is_labelled_once(names_split):
    (train, dev, _), symbols = names_split
    at = open_page("pages/6_Contexts.py")
    full = metrics(at)
    # The independent value: the plain E01 loop (bigram.lecture.ngram_nll, dicts and Python floats) on the dev
    # words, counted on the training words at the chosen k: 2.2358 for trigrams, full padding, k = 0.2.
    assert full["Best k (chosen on dev)"] == "0.2"
    assert full["Dev NLL"] == f"{lecture.ngram_nll(train, dev, symbols, 2, 'full', 0.2):.4f}" == "2.2358"
    assert "Test NLL (evaluated once)" in full
    at.radio(key="ctx_padding").set_value("single").run()
    single = metrics(at)
    assert float(single["Dev NLL"]) < float(full["Dev NLL"])  # fewer, easier predictions
    assert any("cannot sample" in shown(i.value) for i in at.info)
    at.radio(key="ctx_context").set_value(1).run()
    bigram = metrics(at)
    k = float(bigram["Best k (chosen on dev)"])
    assert bigram["Dev NLL"] == f"{lecture.ngram_nll(train, dev, symbols, 1, 'single', k):.4f}"
    at.button(key="ctx_neural").click().run()
    assert not at.exception and "Net dev NLL" in metrics(at)


def test_compare_tab_scores_each_model_on_both_lists():
    at = open_page("pages/7_Exercises.py")
    table = at.dataframe[0].value
    own, cross = table.iloc[0, 0], table.iloc[0, 1]
    assert own < cross  # the baby-names model is better on baby names than on surnames
    assert not at.exception


def test_model_file_round_trip_through_the_page():
    at = open_page("pages/7_Exercises.py")
    words = read_words(default_list().path).words[:500]
    m = CountModel.from_words(words)
    data = to_safetensors(ModelFile("counts", m.N, m.vocab, meta={"source": "test"}))
    at.file_uploader(key="model_upload").set_value(("mine.safetensors", data, "application/octet-stream")).run()
    assert not at.exception
    assert any("Loaded mine.safetensors: counts" in shown(s.value) for s in at.success)
    assert any("Samples from it" in md.value for md in at.markdown)
    at.text_input(key="loaded_word").set_value("emma").run()
    assert any("NLL of `emma`" in md.value for md in at.markdown)  # the word in a code span
    csv_bad = b"counts:context=1,.,a\n.,0,-1\na,1,0\n"
    at.file_uploader(key="model_upload").set_value(("bad.csv", csv_bad, "text/csv")).run()
    assert [shown(e.value) for e in at.error] == ["bad.csv: counts must not be negative"]
    assert any("Loaded mine.safetensors" in shown(s.value) for s in at.success)  # the good model is still there
    ok_csv = to_csv(ModelFile("counts", m.N, m.vocab)).encode()
    at.file_uploader(key="model_upload").set_value(("ok.csv", ok_csv, "text/csv")).run()
    assert any("Loaded ok.csv" in shown(s.value) for s in at.success)
