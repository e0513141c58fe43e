"""Corpus mode: ``count`` many files (plain or gzip) into a counts file, ``merge`` count files, the Dask engine.

The reference is always the in-memory path, ``CountModel.from_words(parse_words(...).words)``, on
all the words of all the files: counts add up, so every way of cutting the work must give its counts.
"""

import gzip
import io
import json
import os
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fastcount import report_of

from bigram import BigramError, CountModel, parse_words
from bigram.cli import main
from bigram.cluster import Shard, count_shard, plan_shards
from bigram.corpus import Cleaning, count_files, merge_corpora
from bigram.merge import add_counts
from bigram.modelfile import load_model, load_model_bytes
from bigram.stream import combine, count_stream, encodings_to_try, finish

FILES = {
    "a.txt": "Emma\r\nOlivia\r\n\r\n  ava \r\nzoë\r\n".encode(),
    "b.txt": "st.john\nj.r.\nΣοφία\nİlkay\ne\u0301mile\n".encode(),
    "c.txt": "caf\xe9\nna\xefve\n".encode("cp1252"),  # not UTF-8: read as Windows-1252
}


def reference(datas):
    """The counts of all the files' words, parsed whole and counted at once."""
    words = [w for data in datas for w in parse_words(data).words]
    return CountModel.from_words(words)


@pytest.fixture
def corpus(tmp_path):
    paths = []
    for name, data in FILES.items():
        p = tmp_path / name
        p.write_bytes(data)
        paths.append(p)
    gz = tmp_path / "d.txt.gz"
    gz.write_bytes(gzip.compress("Chloé\nmaëlys\n".encode()))
    paths.append(gz)
    return paths


def datas_of(paths):
    return [gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in paths]


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""  # no progress bar under --json (nor without a terminal)
    return json.loads(out)


def test_count_writes_a_counts_file_equal_to_counting_all_the_words(corpus, tmp_path, capsys):
    out = tmp_path / "counts.safetensors"
    got = run_json(capsys, "count", *map(str, corpus), "-o", str(out))
    ref = reference(datas_of(corpus))
    mf = load_model(out)
    assert mf.kind == "counts" and mf.vocab == ref.vocab and torch.equal(mf.tensor, ref.N)
    assert got["words"] == ref.words and got["bigrams"] == ref.bigrams and got["files"] == 4
    assert got["dropped"] == {"empty": 1} and got["lines_read"] == 5 + 5 + 2 + 2
    assert [f["encoding"] for f in got["per_file"]] == ["utf-8", "utf-8", "cp1252", "utf-8"]
    assert [f["gzip"] for f in got["per_file"]] == [False, False, False, True]
    assert mf.meta["corpus"]["cleaning"] == Cleaning().to_dict() and mf.meta["words"] == ref.words
    # The app's model-file loader reads it as it reads any model file.
    assert load_model_bytes(out.read_bytes(), out.name).kind == "counts"


def test_score_sample_export_inspect_and_stats_read_a_counts_file(corpus, tmp_path, capsys):
    out = tmp_path / "counts.safetensors"
    run_json(capsys, "count", *map(str, corpus), "-o", str(out))
    ref = reference(datas_of(corpus))
    score = run_json(capsys, "score", str(out), "-k", "1")
    assert score["bigrams"] == ref.bigrams and score["words"] == ref.words
    assert score["nll"] == pytest.approx(-float((ref.N * ref.log_probabilities(1)).sum()) / ref.bigrams, abs=1e-12)
    sampled = run_json(capsys, "sample", str(out), "-n", "5", "--seed", "3")
    assert sampled == run_json(capsys, "sample", "--model", str(out), "-n", "5", "--seed", "3")
    stats = run_json(capsys, "stats", str(out))
    assert stats["words"] == ref.words and stats["report"]["dropped"] == {"empty": 1}
    assert run_json(capsys, "inspect", str(out))["meta"]["corpus"]["file_count"] == 4
    p = tmp_path / "p.csv"
    assert run_json(capsys, "export", str(out), "--what", "probabilities", "-o", str(p))["kind"] == "probabilities"
    w = tmp_path / "w.safetensors"
    assert run_json(capsys, "export", str(out), "--what", "weights", "--steps", "3", "-o", str(w))["kind"] == "weights"
    scored = run_json(capsys, "score", str(corpus[0]), "--model", str(out))
    assert scored["words"] == 4


def test_merge_adds_counts_with_different_vocabularies_exactly(corpus, tmp_path, capsys):
    parts = []
    for i, path in enumerate(corpus):
        parts.append(tmp_path / f"part{i}.safetensors")
        run_json(capsys, "count", str(path), "-o", str(parts[-1]))
    merged = tmp_path / "all.safetensors"
    got = run_json(capsys, "merge", *map(str, parts), "-o", str(merged))
    whole = tmp_path / "whole.safetensors"
    run_json(capsys, "count", *map(str, corpus), "-o", str(whole))
    a, b = load_model(merged), load_model(whole)
    assert a.vocab == b.vocab and torch.equal(a.tensor, b.tensor)
    assert a.meta["corpus"]["files"] == b.meta["corpus"]["files"] and got["files"] == 4
    assert a.meta["corpus"]["dropped"] == b.meta["corpus"]["dropped"]
    # Counts written by export (no cleaning recorded) merge too.
    exported = tmp_path / "names.safetensors"
    assert main(["export", str(corpus[1]), "-o", str(exported)]) == 0
    capsys.readouterr()
    got = run_json(capsys, "merge", str(exported), str(parts[0]), "-o", str(merged))
    assert got["words"] == reference(datas_of([corpus[1], corpus[0]])).words


def test_merge_refuses_what_does_not_add_up(corpus, tmp_path, capsys):
    lower, kept = tmp_path / "lower.safetensors", tmp_path / "kept.safetensors"
    run_json(capsys, "count", str(corpus[0]), "-o", str(lower))
    run_json(capsys, "count", str(corpus[0]), "-o", str(kept), "--keep-case")
    probs = tmp_path / "p.safetensors"
    assert main(["export", str(corpus[0]), "--what", "probabilities", "-o", str(probs)]) == 0
    capsys.readouterr()
    for argv, message in (
        (["merge", str(lower), str(kept)], "cleaned differently (case kept"),
        (["merge", str(lower), str(probs)], "holds probabilities, not counts"),
        (["merge", str(lower), str(corpus[0])], "a model file must be .safetensors or .csv"),
        (["count", str(corpus[0]), "--min-len", "3", "--max-len", "2"], "is below the minimum (3)"),
    ):
        assert main([*argv, "-o", str(tmp_path / "x.safetensors")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("bigram: error: ") and err.count("\n") == 1 and message in err, err


def test_add_counts_is_exact_and_order_free():
    a = CountModel.from_words(["ab", "ba", "zz"])
    b = CountModel.from_words(["é.", "a"])
    vocab, N = add_counts([(a.vocab, a.N), (b.vocab, b.N)])
    ref = CountModel.from_words(["ab", "ba", "zz", "é.", "a"])
    assert vocab == ref.vocab and torch.equal(N, ref.N)
    vocab2, N2 = add_counts([(b.vocab, b.N), (a.vocab, a.N)])
    assert vocab2 == vocab and torch.equal(N2, N)
    with pytest.raises(BigramError, match="more than the limit of 3"):
        add_counts([(a.vocab, a.N), (b.vocab, b.N)], max_vocab=3)


def test_bad_files_are_refused_in_one_line(tmp_path, capsys):
    gz = gzip.compress(b"emma\n" * 1000)
    cases = {
        "cut.txt.gz": (gz[: len(gz) // 2], "damaged or cut-short gzip"),
        "crc.txt.gz": (gz[:-8] + b"\0" * 8, "damaged or cut-short gzip"),
        "bin.txt.gz": (gzip.compress(bytes(range(256)) * 10), "binary data"),
        "empty.txt": (b"", "is empty"),
        "many.txt": ("\n".join(chr(0x4E00 + i) for i in range(5001)).encode(), "more than 5,000 distinct symbols"),
    }
    for name, (data, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert main(["count", str(path), "-o", str(tmp_path / "x.safetensors")]) == 2, name
        err = capsys.readouterr().err
        assert err.startswith("bigram: error: ") and err.count("\n") == 1 and message in err, (name, err)
    fifo = tmp_path / "pipe.safetensors"
    os.mkfifo(fifo)
    folder = tmp_path / "dir.safetensors"
    folder.mkdir()
    words = tmp_path / "w.txt"
    words.write_bytes(b"emma\n")
    for argv, message in (
        (["count", str(fifo), "-o", str(tmp_path / "x.safetensors")], "is a named pipe"),
        (["count", str(words), "-o", str(fifo)], "exists and is not a regular file"),
        (["count", str(words), "-o", str(folder)], "exists and is not a regular file"),
        (["merge", str(fifo), "-o", str(tmp_path / "x.safetensors")], "is a named pipe"),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "x.safetensors").exists()


def test_a_gzip_bomb_streams_in_bounded_memory(tmp_path):
    """200 MB of text in a 200 kB gzip: decompressed as it is read, a chunk at a time."""
    import tracemalloc

    path = tmp_path / "bomb.txt.gz"
    with gzip.open(path, "wb", compresslevel=9) as f:
        for _ in range(200):
            f.write(b"ab\n" * 333_333)
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    try:
        c = count_files([path])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert c.words == 200 * 333_333 and peak < 20_000_000, peak


def test_the_progress_bar_shows_only_on_a_terminal_and_never_under_json(monkeypatch):
    from bigram.cli import _progress, build_parser

    args = build_parser().parse_args(["count", "x.txt", "-o", "x.safetensors"])
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert not _progress(10, args).disable
    args.json = True
    assert _progress(10, args).disable
    args.json = False
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert _progress(10, args).disable


# ---------------------------------------------------------------------- shards


def count_by_shards(path, shard_bytes, chunk_bytes):
    """What the Dask engine does, in this process: map count_shard over the shards, combine in order, finish."""
    shards, _, _, first = plan_shards(path, shard_bytes)
    encodings, strict = encodings_to_try(first, path.name)
    cleaning = Cleaning().to_dict()
    for encoding in encodings:
        for tally in (False, True):
            part = combine([count_shard(s, encoding, strict, tally, cleaning, 5000, chunk_bytes) for s in shards])
            if part.wrong_encoding or not (part.bad > part.good and not part.good_exact):
                break
        try:
            return finish(part, encoding, chunk_bytes=chunk_bytes), shards
        except Exception as exc:  # noqa: BLE001 - _WrongEncoding: the next encoding
            if type(exc).__name__ != "_WrongEncoding":
                raise
    raise AssertionError("latin-1 reads any byte")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="abAé\u0301 İ\t", max_size=6), min_size=1, max_size=40),
    st.sampled_from(["\n", "\r\n", "\r\n\r\n"]),
    st.integers(1, 40),
    st.integers(4, 16),
    st.sampled_from([b"", b"\xe9\n", b"\xef\xbb\xbf"]),
)
def test_shards_at_line_starts_add_up_to_the_whole_file(tmp_path_factory, words, sep, shard_bytes, chunk, extra):
    data = sep.join(words).encode() + extra if extra != b"\xef\xbb\xbf" else extra + sep.join(words).encode()
    path = tmp_path_factory.mktemp("shards") / "w.txt"
    path.write_bytes(data)
    try:
        whole = count_stream(io.BytesIO(data), chunk_bytes=chunk, source="w.txt")
    except BigramError as exc:
        with pytest.raises(BigramError) as sharded:
            count_by_shards(path, shard_bytes, chunk)
        assert str(sharded.value) == str(exc)
        return
    got, shards = count_by_shards(path, shard_bytes, chunk)
    assert all(s.start == 0 or data[s.start - 1 : s.start] == b"\n" for s in shards)
    assert sum(s.nbytes for s in shards) == len(data)
    assert got.vocab == whole.vocab and torch.equal(got.N, whole.N)
    assert report_of(got.report) == report_of(whole.report)


def test_a_local_dask_cluster_of_two_workers_counts_the_same(corpus, tmp_path):
    """The real thing: LocalCluster, 2 worker processes, shards of a few hundred bytes, then the CLI on it."""
    from distributed import Client, LocalCluster

    from bigram.cluster import count_files_on

    big = tmp_path / "big.txt"
    big.write_bytes(("Zoë\r\nchloé\r\n\r\n" + "emma\r\nst.john\r\n" * 50 + " ava\r\n").encode() * 20)
    paths = [*corpus, big]
    local = count_files(paths)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        assert len(plan_shards(big, 500)[0]) > 10
        sharded = count_files_on(client, paths, shard_bytes=500, chunk_bytes=64)
        assert len(client.scheduler_info()["workers"]) == 2
        out = tmp_path / "dask.safetensors"
        argv = ["count", *map(str, paths), "-o", str(out), "--engine", "dask", "--scheduler", cluster.scheduler_address]
        assert main([*argv, "--shard-mb", "1"]) == 0
    assert sharded.vocab == local.vocab and torch.equal(sharded.N, local.N)
    assert torch.equal(load_model(out).tensor, local.N)
    # Without --scheduler the command line starts a local cluster of its own for the run.
    assert main(["count", *map(str, paths), "-o", str(out), "--engine", "dask", "--workers", "1"]) == 0
    assert torch.equal(load_model(out).tensor, local.N)
    assert sharded.files == local.files and sharded.total == local.total
    ref = reference(datas_of(paths))
    assert torch.equal(local.N, ref.N)


def test_merge_corpora_keeps_file_order_and_totals(corpus):
    parts = [(p.name, count_files([p])) for p in corpus]
    merged = merge_corpora(parts)
    whole = count_files(corpus)
    assert merged.files == whole.files and merged.total == whole.total and torch.equal(merged.N, whole.N)


def test_shard_of_a_gzip_file_is_the_whole_file(corpus):
    shards, size, compressed, first = plan_shards(corpus[3], 1)
    assert compressed and shards == [Shard(str(corpus[3].resolve()), 0, None, size)] and first.startswith(b"Chlo")


def test_count_shows_a_dropped_line_once_escaped(tmp_path, capsys):
    """A dropped line's control character is written as one escape (\\x01), not a doubled one (\\\\x01)."""
    from bigram.cli import main

    src = tmp_path / "c.txt"
    src.write_bytes(b"emile\n\x01bad\n")
    assert main(["count", str(src), "-o", str(tmp_path / "c.safetensors")]) in (0, None)
    out = capsys.readouterr().out
    assert "dropped for control characters: '\\x01bad'" in out
