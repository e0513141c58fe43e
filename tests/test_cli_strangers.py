"""What strangers can do to the command line: wrong numbers, lost files, odd names, networks that never answer.

Each case is in docs/bad-input.md; those that are one model file or one command line are in ``badinput``.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch
from badinput import MODEL_CASES, MODEL_WORDS, safetensors_file

from bigram import BigramError, CountModel
from bigram.cli import main
from bigram.modelfile import ModelFile, load_model, load_model_bytes, to_csv, to_safetensors

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


# -- never write over an input ---------------------------------------------------------------------


def test_no_command_writes_over_a_file_it_reads(tmp_path, capsys):
    words = tmp_path / "w.csv"
    words.write_text("name\nemma\nava\n", encoding="utf-8")
    counts = tmp_path / "c.safetensors"
    assert main(["export", str(words), "-o", str(counts)]) == 0
    capsys.readouterr()
    link = tmp_path / "link.safetensors"
    os.link(counts, link)  # another name for the same file
    text = tmp_path / "t.safetensors"
    text.write_bytes(b"emma\nava\n")
    big = tmp_path / "X.words.txt"  # too large to travel inside the notebook: it is written beside it
    big.write_text("\n".join(f"w{i:07d}".translate(str.maketrans("0123456789", "abcdefghij")) for i in range(300_000)))
    before = {p: p.read_bytes() for p in (words, counts, text, big)}
    for argv in (
        ["export", str(words), "-o", str(words)],
        ["export", str(counts), "-o", str(link)],
        ["merge", str(counts), str(counts), "-o", str(counts)],
        ["count", str(text), "-o", str(text)],
        ["notebook", str(big), "-o", str(tmp_path / "X.ipynb")],
        ["notebook", str(words), "--page", "exercises", "--other", str(big), "-o", str(tmp_path / "X.py")],
    ):
        err = one_line_error(capsys, argv, "would write over")
        assert "it reads" in err, err
    assert {p: p.read_bytes() for p in before} == before
    assert not (tmp_path / "X.ipynb").exists() and not (tmp_path / "X.py").exists()


def run_cli(*argv, timeout=60, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "bigram", *argv], cwd=ROOT, capture_output=True, text=True, timeout=timeout, **kwargs
    )


def test_notebook_refuses_a_named_pipe_as_its_output(tmp_path):
    fifo = tmp_path / "n.ipynb"
    os.mkfifo(fifo)
    proc = run_cli("notebook", "names", "-o", str(fifo), timeout=60)
    assert proc.returncode == 2 and proc.stdout == "" and "exists and is not a regular file" in proc.stderr


# -- counts files' headers -------------------------------------------------------------------------


def _corpus_file(tmp_path, capsys, edit) -> Path:
    """A counts file as ``count`` writes it, its header's corpus record changed by ``edit``."""
    words = tmp_path / "w.txt"
    words.write_text("emma\nava\n\x01bad\n", encoding="utf-8")
    path = tmp_path / "c.safetensors"
    assert main(["count", str(words), "-o", str(path)]) == 0
    capsys.readouterr()
    mf = load_model(path)
    edit(mf.meta["corpus"])
    path.write_bytes(to_safetensors(mf))
    return path


HEADERS = {
    "a number too large for a float": (
        lambda c: c.update(lines_read=1e400),
        "the corpus record in c.safetensors's header is damaged: lines_read",
    ),
    "a text where a number goes": (lambda c: c.update(kept="many"), "kept is not a whole number"),
    "a missing key": (lambda c: c.pop("file_count"), "file_count is missing"),
    "a file's summary of the wrong type": (
        lambda c: c["files"][0].update(lines_read="x"),
        "files[0].lines_read is not a whole number",
    ),
    "a list where the dropped lines go": (lambda c: c.update(dropped=[1, 2]), "dropped is not a table"),
    "a negative count": (lambda c: c["files"][0].update(kept=-3), "files[0].kept is negative"),
    "cleaning settings of the wrong type": (
        lambda c: c["cleaning"].update(min_len=[1]),
        "cleaning settings are damaged",
    ),
}


@pytest.mark.parametrize("case", list(HEADERS))
def test_odd_values_in_a_counts_header_are_refused_before_anything_is_written(case, tmp_path, capsys):
    edit, expected = HEADERS[case]
    path = _corpus_file(tmp_path, capsys, edit)
    out = tmp_path / "merged.safetensors"
    one_line_error(capsys, ["merge", str(path), "-o", str(out)], expected)
    assert not out.exists()
    one_line_error(capsys, ["stats", str(path)], expected)


# -- file names that are not UTF-8, or that carry direction overrides -------------------------------


def test_file_names_that_are_not_utf8(tmp_path, capsys):
    name = os.fsdecode(b"caf\xe9.txt")  # what sys.argv holds for such a name: a lone surrogate
    words = tmp_path / name
    words.write_text("emma\nava\n", encoding="utf-8")
    assert main(["count", str(words), "-o", str(tmp_path / "c.safetensors")]) == 0
    assert "caf\\xe9.txt" in capsys.readouterr().out
    assert load_model(tmp_path / "c.safetensors").meta["corpus"]["files"][0]["name"] == "caf\\xe9.txt"
    assert main(["export", str(words), "-o", str(tmp_path / "e.safetensors")]) == 0
    assert load_model(tmp_path / "e.safetensors").meta["source"] == "caf\\xe9.txt"
    assert main(["notebook", str(words), "-o", str(tmp_path / "n.ipynb")]) == 0
    assert "caf\\\\xe9.txt" in (tmp_path / "n.ipynb").read_text(encoding="utf-8")
    assert main(["export", str(words), "-o", str(tmp_path / os.fsdecode(b"\xff.csv")), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "counts"


def test_a_direction_override_in_a_file_name_is_shown_as_its_code_point_in_the_notebook(tmp_path, capsys):
    words = tmp_path / "names\u202etxt.txt"
    words.write_text("emma\nava\n", encoding="utf-8")
    out = tmp_path / "n.ipynb"
    assert main(["notebook", str(words), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "\u202e" not in text and "\\\\u202e" not in text and "U+202E" in text


# -- standard output: a closed pipe, --json errors, numbers people read ----------------------------


def test_a_closed_pipe_ends_quietly_like_a_unix_tool():
    """``python -m bigram sample names -n 500 | head -1``: the reader has gone; no traceback, status 141."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bigram", "stats", "names", "--top", "1000"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # as head does once it has its line
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141 and err == b"", err


def test_errors_have_a_json_form_under_json(capsys):
    for argv in (["score", "names", "--word", "zoë", "--json"], ["score", "names", "-k", "1e400", "--json"]):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert err.startswith("bigram: error: ") and err.count("\n") == 1
        assert json.loads(out) == {"error": err.removeprefix("bigram: error: ").rstrip("\n")}


def test_no_negative_zero_and_no_bare_infinity_for_people(tmp_path, capsys):
    words = tmp_path / "a.txt"
    words.write_text("a\na\n", encoding="utf-8")  # every bigram certain: the loss is zero
    assert main(["score", str(words)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("NLL 0.000000 per bigram") and "-0" not in out
    assert main(["score", str(words), "--json"]) == 0
    assert '"nll": 0.0' in capsys.readouterr().out
    assert main(["score", "names", "--eval", "surnames"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("NLL infinite per bigram") and "perplexity infinite" in out and " inf " not in out
    assert main(["tune", "names", "--ks", "0", "1"]) == 0
    out = capsys.readouterr().out
    assert "Infinity" not in out and "NaN" not in out and '"infinite"' in out


# -- Dask schedulers that are not what they seem ---------------------------------------------------


@pytest.fixture
def listener():
    """A loopback TCP listener that accepts and then says ``reply`` (or nothing at all), for ever."""
    sockets = []

    def start(reply: bytes = b"") -> str:
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        sockets.append(server)

        def serve():
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                sockets.append(conn)
                if reply:
                    conn.sendall(reply)

        threading.Thread(target=serve, daemon=True).start()
        return f"127.0.0.1:{server.getsockname()[1]}"

    yield start
    for s in sockets:
        s.close()


def dask_count(tmp_path, address):
    words = tmp_path / "w.txt"
    words.write_text("emma\nava\n", encoding="utf-8")
    out = tmp_path / "c.safetensors"
    return ["count", str(words), "-o", str(out), "--engine", "dask", "--scheduler", address], out


def test_a_silent_listener_is_given_up_on_in_bounded_time(tmp_path, capsys, listener):
    address = "tcp://" + listener()
    argv, out = dask_count(tmp_path, address)
    start = time.monotonic()
    err = one_line_error(capsys, argv, f"the Dask scheduler at {address} did not answer within 10 s")
    assert time.monotonic() - start < 30 and "check" in err and not out.exists()


def test_a_port_that_answers_junk_is_not_a_scheduler(tmp_path, capsys, listener):
    address = "tcp://" + listener(b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"x" * 100)
    argv, _ = dask_count(tmp_path, address)
    one_line_error(capsys, argv, f"what answers at {address} is not a Dask scheduler")


def test_tls_and_ucx_addresses(tmp_path, capsys, listener):
    address = "tls://" + listener()
    argv, _ = dask_count(tmp_path, address)
    one_line_error(capsys, argv, f"{address} is a TLS address, but no TLS certificates are set up")
    argv, _ = dask_count(tmp_path, "ucx://127.0.0.1:1")
    one_line_error(capsys, argv, "ucx://127.0.0.1:1: Bigram Lab connects to Dask over tcp:// or tls://")


def test_a_scheduler_with_no_workers_is_not_waited_on_for_ever(tmp_path, capsys, monkeypatch):
    from distributed import LocalCluster

    from bigram import limits

    monkeypatch.setattr(limits, "DASK_WORKERS_WAIT_SECONDS", 2)
    with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
        argv, out = dask_count(tmp_path, cluster.scheduler_address)
        one_line_error(capsys, argv, f"the Dask scheduler at {cluster.scheduler_address} has no workers (waited 2 s)")
    assert not out.exists()


def test_a_scheduler_that_cannot_import_bigram(tmp_path, capsys):
    """A scheduler started in another environment (here: a folder without ``bigram``) cannot unpickle the tasks."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    dask = Path(sys.executable).with_name("dask")
    scheduler = subprocess.Popen(
        [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        address = f"tcp://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        argv, _ = dask_count(tmp_path, address)
        one_line_error(capsys, argv, f"the Dask scheduler at {address} cannot import bigram")
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)
