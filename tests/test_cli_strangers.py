"""What strangers can do to the command line: wrong numbers, lost files, odd names, networks that never answer.

Each case is in docs/bad-input.md; those that are one model file or one command line are in ``badinput``.
"""

import json
from pathlib import Path

import pytest
import torch
from badinput import COUNTS_HEADER_CASES, MODEL_CASES, MODEL_WORDS, corpus_counts_with, safetensors_file

from bigram import BigramError, CountModel
from bigram.cli import main
from bigram.modelfile import ModelFile, load_model_bytes, to_csv

ROOT = Path(__file__).resolve().parents[1]


def one_line_error(capsys, argv, expected):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("bigram: error: ") and err.count("\n") == 1 and expected in err, err
    return err


# -- merge: sums that would wrap around int64 ------------------------------------------------------


def _counts_file(tmp_path, total=2**53) -> Path:
    """A counts file of 8 symbols whose counts add up to ``total`` (the most a counts file holds exactly)."""
    N = CountModel.from_words(MODEL_WORDS).N.clone()
    N[0, 1] += total - int(N.sum())
    path = tmp_path / "big.safetensors"
    path.write_bytes(safetensors_file(N))
    return path


@pytest.mark.parametrize("copies", [2, 1025, 2049])
def test_merge_refuses_a_total_past_2_53_instead_of_wrapping(tmp_path, capsys, copies):
    """1025 copies of 2**53 wrapped to negative (blaming the inputs); 2049 wrapped to 2**53 and were written."""
    path = _counts_file(tmp_path)
    out = tmp_path / "sum.safetensors"
    one_line_error(
        capsys,
        ["merge", *[str(path)] * copies, "-o", str(out)],
        "together these counts add up to more than 2**53 (9,007,199,254,740,992) bigrams",
    )
    assert not out.exists()


def test_add_counts_checks_its_sum():
    from bigram.merge import add_counts

    m = CountModel.from_words(MODEL_WORDS)
    huge = m.N * 2**58
    with pytest.raises(BigramError, match="add up to more than 2\\*\\*53"):
        add_counts([(m.vocab, huge), (m.vocab, huge)])
    vocab, N = add_counts([(m.vocab, m.N), (m.vocab, m.N)])
    assert torch.equal(N, 2 * m.N)


# -- model CSV: rows read by their labels ----------------------------------------------------------


def test_a_csv_whose_rows_were_sorted_loads_into_the_right_rows(tmp_path, capsys):
    name, make, _ = MODEL_CASES["a CSV model with its rows sorted in another order (a spreadsheet sort)"]
    m = CountModel.from_words(MODEL_WORDS)
    mf = load_model_bytes(make(), name)
    assert torch.equal(mf.tensor, m.N)
    # The same NLL on the command line as the file in its own order.
    ordered, shuffled = tmp_path / "ordered.csv", tmp_path / name
    ordered.write_text(to_csv(ModelFile("counts", m.N, m.vocab)), encoding="utf-8")
    shuffled.write_bytes(make())
    words = tmp_path / "w.txt"
    words.write_text("\n".join(MODEL_WORDS), encoding="utf-8")
    nll = []
    for model in (ordered, shuffled):
        assert main(["score", str(words), "--model", str(model), "--json"]) == 0
        nll.append(json.loads(capsys.readouterr().out)["nll"])
    assert nll[0] == nll[1]


def test_csv_counts_are_read_exactly():
    data = b"counts:context=1,.,a\n.,0,9007199254740991\na,1,0\n"  # 2**53 bigrams in all: the most, exactly
    mf = load_model_bytes(data, "c.csv")
    assert mf.tensor.dtype == torch.int64 and int(mf.tensor[0, 1]) == 2**53 - 1
    with pytest.raises(BigramError, match="add up to more than 2"):  # one more: float64 would round it away
        load_model_bytes(b"counts:context=1,.,a\n.,0,9007199254740992\na,1,0\n", "c.csv")
    with pytest.raises(BigramError, match="counts must be whole numbers"):
        load_model_bytes(b"counts:context=1,.,a\n.,0,1.5\na,1,0\n", "c.csv")


# -- counts files whose header a stranger edited -----------------------------------------------------


@pytest.mark.parametrize("case", COUNTS_HEADER_CASES)
@pytest.mark.parametrize("command", ["merge", "stats"])
def test_a_counts_header_with_odd_values_is_refused_naming_the_file_and_field(tmp_path, capsys, case, command):
    """1e400 ended merge in an OverflowError, text in a file's record was found after merge had written."""
    edit, expected = COUNTS_HEADER_CASES[case]
    path = tmp_path / "odd.safetensors"
    path.write_bytes(corpus_counts_with(edit))
    out = tmp_path / "sum.safetensors"
    argv = ["merge", str(path), str(path), "-o", str(out)] if command == "merge" else ["stats", str(path)]
    err = one_line_error(capsys, argv, expected)
    assert "odd.safetensors's header is damaged" in err
    assert not out.exists()


# -- what a script or a person reads ---------------------------------------------------------------


def test_with_json_an_error_is_json_on_stdout_too(capsys):
    """A script reading the JSON used to get an empty string."""
    assert main(["sample", "names", "--seed", "99999999999999999999", "--json"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("bigram: error: ") and err.count("\n") == 1
    assert json.loads(out) == {"error": err.removeprefix("bigram: error: ").strip()}


def test_a_loss_of_zero_is_never_printed_as_negative_zero(tmp_path, capsys):
    words = tmp_path / "one.txt"
    words.write_text("ab\n", encoding="utf-8")  # every bigram certain: the NLL is -0.0 in float64
    assert main(["score", str(words)]) == 0
    out = capsys.readouterr().out
    assert "NLL 0.000000" in out and "-0.0" not in out, out


def test_infinity_and_nan_in_printed_json_are_words_not_bare_nan(tmp_path, capsys):
    """json.dumps writes NaN and Infinity, which are not JSON: a header's {"loss": NaN} reached `inspect` bare."""
    path = tmp_path / "nan.safetensors"
    path.write_bytes(corpus_counts_with(lambda text: '{"loss": NaN, "k": Infinity}'))
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["meta"] == {"loss": "nan", "k": "inf"}, out


def test_a_reader_that_stops_reading_ends_the_command_quietly():
    """`python -m bigram sample names | head -1` ended in a BrokenPipeError traceback."""
    import subprocess
    import sys

    p = subprocess.Popen(
        [sys.executable, "-m", "bigram", "sample", "names", "-n", "500"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    p.stdout.close()  # the reader is gone before the first word is written
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 1 and "Traceback" not in err and err == "", err


# -- never write over an input ---------------------------------------------------------------------


def _words(tmp_path, name="X.words.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(MODEL_WORDS) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["same path", "hard link", "symbolic link"])
def test_notebook_never_writes_its_cleaned_list_over_its_input(tmp_path, capsys, how):
    """`notebook X.words.txt -o X.ipynb` wrote the cleaned list beside it as X.words.txt: over its input."""
    import os

    source = _words(tmp_path, "orig.txt")
    words = tmp_path / "X.words.txt"
    if how == "same path":
        words = _words(tmp_path)
    elif how == "hard link":
        os.link(source, words)
    else:
        words.symlink_to(source)
    before = source.read_bytes()
    given = source if how != "same path" else words
    one_line_error(capsys, ["notebook", str(given), "-o", str(tmp_path / "X.ipynb")], "which this command reads")
    assert source.read_bytes() == before and words.read_bytes() == before
    assert not (tmp_path / "X.ipynb").exists()


def test_export_never_replaces_the_list_it_reads(tmp_path, capsys):
    words = _words(tmp_path, "w.csv")
    before = words.read_bytes()
    one_line_error(capsys, ["export", str(words), "-o", str(words)], "which this command reads")
    assert words.read_bytes() == before


def test_notebook_onto_a_named_pipe_is_refused_instead_of_blocking(tmp_path, capsys):
    """`notebook -o FIFO` skipped the output check the other commands use and blocked for ever."""
    import os

    fifo = tmp_path / "nb.ipynb"
    os.mkfifo(fifo)
    one_line_error(capsys, ["notebook", "names", "-o", str(fifo)], "exists and is not a regular file")


# -- file names that are not UTF-8 -----------------------------------------------------------------


@pytest.mark.parametrize(
    "command, output", [("notebook", "nb.ipynb"), ("count", "c.safetensors"), ("export", "e.safetensors")]
)
def test_a_file_name_that_is_not_utf8_is_stored_with_escapes(tmp_path, capsys, command, output):
    """b'\\xff\\xfe.txt' arrives with surrogate escapes: writing it into a header or a notebook crashed."""
    import os

    folder = os.fsencode(tmp_path)
    with open(os.path.join(folder, b"\xff\xfe.txt"), "wb") as f:
        f.write(b"emma\nava\n")
    name = os.fsdecode(os.path.join(folder, b"\xff\xfe.txt"))
    assert main([command, name, "-o", str(tmp_path / output)]) == 0, capsys.readouterr().err
    assert (tmp_path / output).stat().st_size > 0
    if command != "notebook":
        meta = load_model_bytes((tmp_path / output).read_bytes(), output).meta
        assert meta["source"] == "\\xff\\xfe.txt", meta["source"]


def test_a_bidi_override_in_a_file_name_reaches_the_notebook_as_its_code_point(tmp_path, capsys):
    """U+202E in a file name used to reach the notebook's Markdown raw, reordering the text beside it."""
    words = _words(tmp_path, "evil\u202etxt.txt")
    out = tmp_path / "bidi.ipynb"
    assert main(["notebook", str(words), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "\u202e" not in text and "U\\\\+202E" in text  # the + escaped for Markdown


# --- a Dask scheduler address that leads nowhere useful: every wait bounded, one line (issue 22 item 2, 24 item 7)


def _listener(mode: str):
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            if mode == "junk":
                conn.sendall(b"HTTP/1.0 200 OK\r\n\r\nnot dask" * 8)
                conn.close()
            else:
                held.append(conn)  # accept and never speak

    threading.Thread(target=serve, daemon=True).start()
    return server, f"tcp://127.0.0.1:{server.getsockname()[1]}"


def _count_on(address: str, tmp_path) -> tuple[int, str]:
    """``count --engine dask --scheduler address`` in its own process, as a person runs it: a connection left
    waiting on a thread ends with that process, not in the test's."""
    import subprocess
    import sys
    from pathlib import Path

    words = tmp_path / "w.txt"
    words.write_text("emma\nava\n")
    root = Path(__file__).resolve().parents[1]
    args = ["count", str(words), "-o", str(tmp_path / "w.safetensors"), "--engine", "dask", "--scheduler", address]
    p = subprocess.run([sys.executable, "-m", "bigram", *args], cwd=root, capture_output=True, text=True, timeout=90)
    return p.returncode, p.stderr


@pytest.mark.parametrize("mode", ["silent", "junk", "tls"])
def test_a_scheduler_address_that_does_not_speak_dask_ends_in_one_line(mode, tmp_path):
    server, address = _listener("silent" if mode == "silent" else "junk")
    if mode == "tls":
        address = address.replace("tcp://", "tls://")
    try:
        status, said = _count_on(address, tmp_path)
    finally:
        server.close()
    assert status == 2 and "Traceback" not in said and len(said.strip().splitlines()) == 1, said
    assert address in said
    expected = {"silent": "did not answer within", "junk": "does not speak Dask's protocol", "tls": "security settings"}
    assert expected[mode] in said
