"""The bad-input catalogue at the package and CLI level: every case gets its documented outcome."""

import json
import math
import random
from pathlib import Path

import pytest
import torch
from badinput import CASES, CLI_CASES, MODEL_CASES, MODEL_CASES_CLI, MODEL_WORDS, SLOW_CASES, safetensors_file

from bigram import BigramError, CountModel, parse_words, sample, score_word
from bigram.cli import main
from ui.wordlists import UPLOAD_MAX_VOCAB, UPLOAD_MAX_WORD_LEN, UPLOAD_MAX_WORDS

ROOT = Path(__file__).resolve().parents[1]

# The app's upload bounds, imported from where the app reads them: a change there is tested here too.
APP_LIMITS = dict(max_len=UPLOAD_MAX_WORD_LEN, max_words=UPLOAD_MAX_WORDS, max_vocab=UPLOAD_MAX_VOCAB)


def outcome(name, data):
    try:
        wl = parse_words(data, source=name, **APP_LIMITS)
    except BigramError as exc:
        return "error", str(exc)
    return "ok", wl


@pytest.mark.parametrize("case", list(CASES))
def test_catalogue_package(case):
    name, data, (kind, expected) = CASES[case]
    got, value = outcome(name, data)
    assert got == kind, (case, value)
    if kind == "error":
        assert expected in value and "\n" not in value
    else:
        assert len(value.words) == expected


@pytest.mark.parametrize("case", list(SLOW_CASES))
def test_catalogue_package_large(case):
    name, make, (kind, expected) = SLOW_CASES[case]
    got, value = outcome(name, make())
    assert got == kind
    if kind == "error":
        assert expected in value
    else:
        assert len(value.words) == expected
        CountModel.from_words(value.words)  # and it counts


@pytest.mark.parametrize("case", ["empty file", "PNG image", "UTF-16 without BOM", "random bytes"])
def test_catalogue_cli(case, tmp_path, capsys):
    name, data, (kind, expected) = CASES[case]
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["stats", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bigram: error: ") and err.count("\n") == 1 and expected in err


def test_symbols_are_code_points_after_nfc_everywhere():
    wl = parse_words("zoe\u0308\n👩‍💻\n".encode())
    assert wl.words[0] == "zo\u00eb"  # the combining diaeresis composed into one symbol
    m = CountModel.from_words(wl.words)
    assert "\u200d" in m.vocab.symbols  # the zero-width joiner of the emoji sequence is a symbol of its own
    ws = score_word("👩‍💻", m.log_probabilities(1), m.vocab)
    assert len(ws.pairs) == len("👩‍💻") + 1 == 4
    for s in sample(m.probabilities(1), m.vocab, 20, seed=1):
        assert all(ch in m.vocab.stoi for ch in s.word)


def test_scored_word_outside_the_vocabulary_and_k0_unseen(capsys):
    assert main(["score", "names", "--word", "zoë"]) == 2
    assert "'ë' in 'zoë' is not in the vocabulary" in capsys.readouterr().err
    m = CountModel.from_words(["abc"])
    ws = score_word("ca", m.log_probabilities(0), m.vocab)
    assert ws.nll == float("inf") and ws.culprit.bigram == ".c"


def test_divergence_and_max_length(capsys):
    assert main(["train", "names", "--lr", "1000", "--optimizer", "adam", "--steps", "3"]) == 2
    assert "too large" in capsys.readouterr().err
    m = CountModel.from_words(["aaaaaaaaaaaaaaaaaaaaaaaa"])
    out = sample(m.probabilities(0), m.vocab, 2, seed=0, max_len=5)
    assert all(s.truncated and len(s.word) == 5 for s in out)


# -- model files -----------------------------------------------------------------------------------


def model_outcome(name, data):
    from bigram.modelfile import load_model_bytes

    try:
        mf = load_model_bytes(data, name)
    except BigramError as exc:
        return "error", str(exc)
    return "ok", mf


@pytest.mark.parametrize("case", list(MODEL_CASES))
def test_model_catalogue_package(case):
    name, make, (kind, expected) = MODEL_CASES[case]
    got, value = model_outcome(name, make())
    assert got == kind, (case, value)
    if kind == "error":
        assert expected in value and "\n" not in value
    else:
        assert value.kind == expected
        # What the app and the CLI do next works: P, log P and samples.
        P = value.probabilities(1.0)
        assert bool((torch.isfinite(value.log_probabilities(1.0)) | (P == 0)).all())
        sample(P, value.vocab, 3, seed=0)


@pytest.mark.parametrize("case", list(MODEL_CASES))
def test_model_catalogue_cli(case, tmp_path, capsys):
    name, make, outcome = MODEL_CASES[case]
    kind, expected = MODEL_CASES_CLI.get(case, outcome)
    path = tmp_path / name
    path.write_bytes(make())
    code = main(["inspect", str(path)])
    out, err = capsys.readouterr()
    if kind == "error":
        assert code == 2 and err.startswith("bigram: error: ") and err.count("\n") == 1 and expected in err
    else:
        assert code == 0 and f'"kind": "{expected}"' in out
        assert main(["sample", "--model", str(path), "-n", "3"]) == 0


def test_uint32_counts_are_the_same_counts():
    from bigram.modelfile import load_model_bytes

    name, make, _ = MODEL_CASES["uint32 counts"]
    mf = load_model_bytes(make(), name)
    assert mf.tensor.dtype == torch.int64 and torch.equal(mf.tensor, CountModel.from_words(MODEL_WORDS).N)


def test_a_safetensors_header_is_checked_before_the_matrix_is_loaded(monkeypatch):
    """The 4,990-symbol file is refused from its header: the 25 MB matrix is never turned into a tensor."""
    import safetensors.torch

    from bigram.modelfile import load_model_bytes

    def no_load(data):
        raise AssertionError("the matrix was loaded before the header was checked")

    name, make, (_, expected) = MODEL_CASES["4,990 symbols (a 25 MB bool matrix)"]
    data = make()
    monkeypatch.setattr(safetensors.torch, "load", no_load)
    for bad in (data, MODEL_CASES["a second tensor"][1](), MODEL_CASES["complex numbers"][1]()):
        with pytest.raises(BigramError):
            load_model_bytes(bad, name)
    with pytest.raises(BigramError, match=expected):
        load_model_bytes(data, name)


def test_the_command_line_reads_model_files_with_its_own_symbol_limit(tmp_path, capsys):
    """The CLI exports lists of up to 5,000 symbols, so it reads model files that large; the app stops at 3,000."""
    from bigram.modelfile import load_model_bytes

    data = safetensors_file(torch.ones((3501, 3501), dtype=torch.int8), symbols=[chr(0x4E00 + i) for i in range(3500)])
    with pytest.raises(BigramError, match="3,500 symbols, more than the limit of 3,000"):
        load_model_bytes(data, "m.safetensors")
    path = tmp_path / "m.safetensors"
    path.write_bytes(data)
    assert main(["inspect", str(path), "--json"]) == 0
    assert '"vocab_size": 3501' in capsys.readouterr().out


# -- the command line: flags, paths, what is printed -----------------------------------------------


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_cli_flags_are_bounded(case, capsys):
    argv, expected = CLI_CASES[case]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("bigram: error: ") and err.count("\n") == 1 and expected in err, err


def run_cli(*argv, timeout=60):
    """The CLI in its own process, with its address space capped: a read that never ends fails fast, not the machine."""
    import resource
    import subprocess
    import sys

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    return subprocess.run(
        [sys.executable, "-m", "bigram", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
    )


def test_cli_paths_must_be_regular_files_of_bounded_size(tmp_path):
    import os

    fifo = tmp_path / "words.txt"
    os.mkfifo(fifo)
    out_fifo = tmp_path / "model.csv"
    os.mkfifo(out_fifo)
    big = tmp_path / "big.txt"
    with big.open("wb") as f:  # sparse: 65 MB long without using the disk
        f.truncate(65_000_000)
    cases = [
        (["stats", "/dev/zero"], "/dev/zero is a device, not a word-list file"),
        (["stats", str(fifo)], "is a named pipe, not a word-list file"),
        (["sample", "--model", str(fifo)], "is a named pipe, not a model file"),
        (["stats", str(tmp_path)], "is a folder, not a word-list file"),
        (["stats", str(big)], "is larger than the limit of 64 MB for a word-list file (65.0 MB)"),
        (["export", "names", "-o", str(out_fifo)], "exists and is not a regular file"),
    ]
    for argv, expected in cases:
        proc = run_cli(*argv)
        assert proc.returncode == 2 and proc.stdout == "", (argv, proc.stderr[-500:])
        assert proc.stderr.count("\n") == 1 and expected in proc.stderr, (argv, proc.stderr[-500:])


def test_read_words_refuses_a_file_over_its_cap_before_reading_it(tmp_path):
    from bigram import read_words

    p = tmp_path / "w.txt"
    p.write_bytes(b"emma\nava\n" * 100)
    assert len(read_words(p).words) == 200
    with pytest.raises(BigramError, match="larger than the limit of 0.0001 MB"):
        read_words(p, max_bytes=100)


def test_printed_output_escapes_what_a_terminal_would_act_on(tmp_path, capsys):
    from bigram.cli import terminal_safe

    assert terminal_safe("ok\x1b[2J\x9b31m\u202eevil\u2028x") == "ok\\x1b[2J\\x9b31m\\u202eevil\\u2028x"
    words = tmp_path / "w.txt"  # a right-to-left override is not a control character: a list may hold it
    words.write_text("emma\nab\u202ecd\nava\n", encoding="utf-8")
    assert main(["stats", str(words)]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\\u202e" in out
    assert main(["sample", str(words), "-n", "40", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\\u202e" in out
    assert main(["inspect", "--json", str(tmp_path / "none.csv")]) == 2
    capsys.readouterr()
    table = tmp_path / "t.csv"  # a header cell with an escape sequence, echoed by the error message
    table.write_bytes(b"\x1b]0;owned\x07name,year\nemma,1990\n")
    assert main(["stats", str(table), "--column", "first"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;owned\\x07name" in err
    assert main(["export", str(words), "-o", str(tmp_path / "m.safetensors")]) == 0
    capsys.readouterr()
    assert main(["inspect", str(tmp_path / "m.safetensors"), "--json"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\\u202e" in out


def test_score_with_large_smoothing_is_finite_and_blames_nothing(capsys):
    out = json.loads(_run_json(capsys, "score", "names", "-k", "1000"))
    assert math.isfinite(out["nll"]) and out["impossible"] == [] and out["nll"] < math.log(27)


def _run_json(capsys, *argv):
    assert main([*argv, "--json"]) == 0
    return capsys.readouterr().out


def test_training_tables_are_checked_before_they_are_built(tmp_path, capsys):
    rng = random.Random(3)
    symbols = [chr(0x4E00 + i) for i in range(300)]
    words = tmp_path / "w.txt"
    words.write_text("\n".join("".join(rng.choice(symbols) for _ in range(4)) for _ in range(50_000)), encoding="utf-8")
    assert main(["train", str(words), "--method", "onehot", "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert "--method onehot builds a 250,000 x 301 matrix" in err and "use --method counts" in err
    assert main(["train", str(words), "--context", "3", "--method", "index", "--steps", "1"]) == 2
    assert "needs a table of 8,208,541,201 cells" in capsys.readouterr().err


# -- the package: sampling and training settings ---------------------------------------------------


def test_sampling_survives_extreme_settings():
    m = CountModel.from_words(["emma", "olivia", "ava"])
    P = m.probabilities(1)
    for mode in ("sequential", "batched"):
        out = sample(P, m.vocab, 5, seed=0, temperature=1e-320, mode=mode)  # the arg-max of every row
        assert all(set(s.word) <= set(m.vocab.symbols) for s in out)
    with pytest.raises(BigramError, match="the seed must be a whole number"):
        sample(P, m.vocab, 1, seed=10**20)
    with pytest.raises(BigramError, match="more than the limit of 100,000,000 symbols"):
        sample(P, m.vocab, 100_000_000, mode="batched")
    P2 = P.clone()
    P2[3] = 0
    with pytest.raises(BigramError, match="no probability mass"):
        sample(P2, m.vocab, 3, temperature=0.5)


def test_divergence_names_the_regularisation_when_its_step_makes_w_grow():
    from bigram import Trainer, TrainingData, TrainingDiverged

    m = CountModel.from_words(["emma", "olivia", "ava"])
    data = TrainingData.from_words(["emma", "olivia", "ava"], m.vocab)
    with pytest.raises(TrainingDiverged, match="regularisation 1e\\+30 is too large for the learning rate 50"):
        Trainer(data, reg=1e30).run(5)
    with pytest.raises(TrainingDiverged, match="before the first step: the regularisation 1e\\+39 is too large"):
        Trainer(data, reg=1e39).run(5)


# -- word lists: bytes that are not UTF-8, tables, memory ------------------------------------------


def test_one_invalid_byte_drops_its_line_and_keeps_utf8():
    import io

    from bigram.stream import count_stream

    name, data, _ = CASES["UTF-8 with one invalid byte"]
    wl = parse_words(data, source=name)
    assert wl.words == ["zoë", "chloé", "renée", "emma"] and wl.report.encoding == "utf-8"
    assert wl.report.dropped == {"not valid UTF-8": 1} and wl.report.invalid_lines == [4]
    assert wl.report.examples["not valid UTF-8"] == ["line 4: caf\\xe9"]
    assert any("line 4" in note for note in wl.report.notes)
    assert "é" in CountModel.from_words(wl.words).vocab.symbols  # one symbol, not 'Ã' and '©'
    for chunk in (4, 7, 64):  # streamed counts decide the same way
        got = count_stream(io.BytesIO(data), chunk_bytes=chunk)
        assert got.report.encoding == "utf-8" and got.report.invalid_lines == [4]
        assert torch.equal(got.N, CountModel.from_words(wl.words).N)
    latin = "zoë\nchloé\n".encode("latin-1")  # no valid UTF-8 at all: still a legacy 8-bit file
    assert parse_words(latin).words == ["zoë", "chloé"] and parse_words(latin).report.encoding == "cp1252"


def test_a_table_saved_as_txt_is_told_to_be_a_csv():
    data = b"name\tyear\nemma\t1990\nava\t2001\n"
    assert parse_words(data, source="t.tsv").words == ["emma", "ava"]  # a .tsv is read as a table
    assert parse_words(data, source="t.txt", csv_column="name").words == ["emma", "ava"]
    wl = parse_words(b"emma\nava\t1\nmia\n", source="w.txt")
    assert wl.words == ["emma", "mia"] and "save it as .csv" in wl.report.notes[-1]


def test_the_word_limit_stops_reading_early_in_bounded_memory():
    """8 million lines over a 1,000,000-word limit: refused after a million, without splitting the rest."""
    import tracemalloc

    name, make, (_, expected) = SLOW_CASES["8 million short lines (25 MB)"]
    data = make()
    tracemalloc.start()
    try:
        with pytest.raises(BigramError, match=expected):
            parse_words(data, source=name, **APP_LIMITS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The text (25 MB), a million kept words and their set: about 150 MB. Splitting every line first took 550 MB.
    assert peak < 200e6, f"{peak / 1e6:.0f} MB"


def test_a_wide_csv_header_is_named_briefly():
    """A header of 200,000 columns used to be copied whole into the report's note and into the error (1.7 MB)."""
    name, data, _ = CASES["a CSV header of 200,000 columns"]
    wl = parse_words(data, source=name)
    assert wl.report.column == "c0" and len(wl.report.notes[0]) < 300 and "(200,000 columns)" in wl.report.notes[0]
    with pytest.raises(BigramError, match=r"its columns are: c0, c1, .*, c19, \.\.\. \(200,000 columns\)$") as err:
        parse_words(data, source=name, csv_column="missing")
    assert len(str(err.value)) < 300
