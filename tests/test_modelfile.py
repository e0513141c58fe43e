"""Model files: data-only round trips through safetensors and CSV, refusals, and the CLI."""

import json

import pytest
import torch

from bigram import BigramError, CountModel, init_weights
from bigram.cli import main
from bigram.modelfile import ModelFile, from_csv, from_safetensors, load_model_bytes, to_csv, to_safetensors

WORDS = ["emma", "olivia", "st.john", "zoë"]


def files():
    m = CountModel.from_words(WORDS)
    yield ModelFile("counts", m.N, m.vocab, meta={"source": "t"})
    yield ModelFile("probabilities", m.probabilities(1), m.vocab)
    yield ModelFile("weights", init_weights(m.V, 3), m.vocab)


@pytest.mark.parametrize("mf", list(files()), ids=lambda f: f.kind)
def test_round_trips_keep_everything(mf):
    back = from_safetensors(to_safetensors(mf))
    assert back.kind == mf.kind and back.vocab == mf.vocab and back.meta == mf.meta
    assert torch.equal(back.tensor, mf.tensor)
    csv_back = from_csv(to_csv(mf))
    assert csv_back.vocab == mf.vocab and csv_back.vocab.boundary == "•"
    assert torch.allclose(csv_back.tensor.double(), mf.tensor.double(), rtol=1e-7, atol=0)
    assert torch.allclose(back.probabilities(1), csv_back.probabilities(1), atol=1e-6)


def test_probabilities_agree_across_kinds():
    m = CountModel.from_words(WORDS)
    counts, probs, _ = files()
    assert torch.allclose(counts.probabilities(1), m.probabilities(1))
    assert torch.allclose(probs.log_probabilities(), m.log_probabilities(1), atol=1e-6)


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "x.csv", "empty"),
        (b"counts:context=1,.,a\n.,0,1,5\na,1,0\n", "x.csv", "one value per symbol"),
        (b"counts:context=1,.,a\n.,0,1\n", "x.csv", "has no row for 'a'"),
        (b"counts:context=1,.,a\n.,0,-1\na,1,0\n", "x.csv", "must not be negative"),
        (b"probabilities:context=1,.,a\n.,0.5,0.2\na,1,0\n", "x.csv", "sum to 1"),
        (b"counts:context=1,.,b,a\n.,0,1,1\nb,0,0,0\na,1,0,0\n", "x.csv", "code-point order"),
        (b"pickle,.,a\n.,0,1\n", "x.csv", "must say what it holds"),
        (b"\x80\x04\x95 pickle bytes", "model.pkl", "must be .safetensors or .csv"),
        (b"12345678{not json", "m.safetensors", "not a readable safetensors file"),
        (b"counts:context=2,.,a\n..,0,1\n.a,1,0\na.,0,0\naa,0,0\n", "x.csv", "only bigram model files"),
    ],
)
def test_refusals(data, name, message):
    with pytest.raises(BigramError, match=message):
        load_model_bytes(data, name)


def test_wrong_shape_is_refused():
    m = CountModel.from_words(WORDS)
    with pytest.raises(BigramError, match="need"):
        ModelFile("counts", m.N[:3], m.vocab)


def test_cli_export_inspect_score_sample(tmp_path, capsys):
    words = tmp_path / "w.txt"
    words.write_text("\n".join(["emma", "olivia", "ava", "mia"]) + "\n", encoding="utf-8")
    out = tmp_path / "m.safetensors"
    assert main(["export", str(words), "--what", "counts", "-o", str(out), "--json"]) == 0
    capsys.readouterr()
    assert main(["inspect", str(out), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kind"] == "counts" and info["vocab_size"] == 8
    # Scoring the list under its exported counts equals scoring it under its own counts.
    assert main(["score", str(words), "--model", str(out), "--smoothing", "1", "--json"]) == 0
    via_file = json.loads(capsys.readouterr().out)["nll"]
    assert main(["score", str(words), "--smoothing", "1", "--json"]) == 0
    assert via_file == pytest.approx(json.loads(capsys.readouterr().out)["nll"], rel=1e-12)
    # Sampling from the file needs no word list and matches sampling from the list.
    assert main(["sample", "--model", str(out), "-n", "5", "--seed", "3", "--json"]) == 0
    a = json.loads(capsys.readouterr().out)["samples"]
    assert main(["sample", str(words), "-n", "5", "--seed", "3", "--json"]) == 0
    assert a == json.loads(capsys.readouterr().out)["samples"]
    w = tmp_path / "w.csv"
    assert main(["export", str(words), "--what", "weights", "--steps", "5", "-o", str(w), "--json"]) == 0
    capsys.readouterr()
    assert main(["inspect", str(w), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "weights"
    assert main(["inspect", str(tmp_path / "missing.safetensors")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_safetensors_file_that_declares_a_longer_context_is_refused():
    m = CountModel.from_words(WORDS)
    data = to_safetensors(ModelFile("counts", m.N, m.vocab))
    forged = data.replace(b'"context":"1"', b'"context":"2"')
    assert forged != data
    with pytest.raises(BigramError, match="context of 2 previous symbols; only bigram model files"):
        from_safetensors(forged)


@pytest.mark.parametrize(
    "dtype",
    [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.uint16, torch.uint32]
    + [torch.uint64, torch.float16, torch.bfloat16, torch.float32, torch.float64],
    ids=str,
)
def test_every_readable_type_loads_the_same_counts_and_probabilities(dtype):
    m = CountModel.from_words(["ab", "ba", "abba"])  # counts of at most 3: exact in every type, bool included
    N = (m.N > 0) if dtype == torch.bool else m.N
    for kind, tensor in (("counts", N), ("probabilities", torch.eye(m.V))):
        back = from_safetensors(to_safetensors(ModelFile(kind, tensor.to(dtype), m.vocab)))
        assert torch.equal(back.tensor.double(), tensor.double()), kind
        assert torch.allclose(
            back.probabilities(1).double(), ModelFile(kind, tensor, m.vocab).probabilities(1).double()
        )
