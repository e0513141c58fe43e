"""Peak resident memory of the two inputs a stranger can use to take a shared server's memory.

    .venv/bin/python bench/peak_memory.py                 # this tree
    .venv/bin/python bench/peak_memory.py --root OTHER    # another checkout of the repository, to compare

Each case runs in a fresh Python process that imports what the app imports (torch, streamlit,
``ui.wordlists``) and reads the input's bytes from a file written beforehand (an upload is bytes in
the server's memory). It then resets the kernel's record of its peak resident memory (writing 5
to ``/proc/self/clear_refs``), handles the input the way the app does, and reports the peak
(``VmHWM``) and what stays resident afterwards while the result is kept (the app keeps a loaded
model in the session):

* ``model``: a 25 MB safetensors file holding a 4,990 x 4,990 bool count matrix with 4,989
  symbols, loaded through ``bigram.modelfile.load_model_bytes`` as the More exercises page does;
* ``model-at-cap``: the same at the app's cap, 3,001 x 3,001 (3,000 symbols, 9 MB), which is loaded;
* ``upload``: a 25 MB word list of 8 million short lines, parsed by ``ui.wordlists.parse_upload`` with
  the sidebar's options (the app's limits: 1,000,000 words, 3,000 symbols, 100 symbols a word).

A refusal (``BigramError``) is an expected outcome; its message is printed. Not a test: the
figures depend on the machine and the allocator, so they are reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20

CHILD = textwrap.dedent(
    r"""
    import json, sys, time
    sys.path.insert(0, sys.argv[1])
    case, path = sys.argv[2], sys.argv[3]

    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        return 0

    import torch
    import streamlit
    from bigram import BigramError
    from bigram.modelfile import load_model_bytes
    import ui.wordlists

    torch.set_num_threads(1)
    with open(path, "rb") as f:
        payload = f.read()
    if case.startswith("model"):
        name = "big.safetensors"
        run = lambda: load_model_bytes(payload, name)
    else:
        name = "lines.txt"
        run = lambda: ui.wordlists.parse_upload(payload, name, lowercase=True, dedupe=False, min_len=1,
                                           max_len=ui.wordlists.UPLOAD_MAX_WORD_LEN, column=None)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM, the peak resident memory, to the current resident memory
    before = status("VmRSS")
    start = time.perf_counter()
    try:
        kept = run()
        outcome = "accepted"
    except BigramError as exc:
        kept = None
        outcome = "refused: " + str(exc)
    seconds = time.perf_counter() - start
    print(json.dumps({"case": case, "input_bytes": len(payload), "before": before, "peak": status("VmHWM"),
                      "after": status("VmRSS"), "seconds": seconds, "outcome": outcome}))
    """
)


def model_file(V: int = 4990) -> bytes:
    """25 MB: a 4,990 x 4,990 bool count matrix and 4,989 symbols, in Bigram Lab's safetensors layout."""
    import torch
    from safetensors.torch import save

    header = {
        "format": "bigram-lab",
        "version": "1",
        "kind": "counts",
        "context": "1",
        "boundary": ".",
        "symbols": json.dumps([chr(0x4E00 + i) for i in range(V - 1)], ensure_ascii=False),
        "meta": "{}",
    }
    return save({"matrix": torch.ones((V, V), dtype=torch.bool)}, metadata=header)


def word_list() -> bytes:
    """25,000,000 bytes: 1,000,000 three-letter and 7,000,000 two-letter lines, 8 million in all."""
    two = [bytes([97 + i % 26, 97 + i // 26]) for i in range(676)]
    three = [bytes([97 + i % 26, 97 + i // 26 % 26, 97 + i // 676]) for i in range(17576)]
    return b"\n".join([three[i % 17576] for i in range(1_000_000)] + [two[i % 676] for i in range(7_000_000)]) + b"\n"


def measure(root: Path, case: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".input") as f:
        f.write(model_file(3001) if case == "model-at-cap" else model_file() if case == "model" else word_list())
        f.flush()
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, str(root), case, f.name],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=600,
        )
    if proc.returncode != 0:
        raise SystemExit(f"{case}: the measuring process failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository tree to measure (default: this one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per case")
    args = parser.parse_args(argv)
    for case in ("model", "upload", "model-at-cap"):
        r = measure(args.root.resolve(), case)
        if args.json:
            print(json.dumps(r))
            continue
        print(
            f"{case:12}  input {r['input_bytes'] / MB:5.1f} MB  resident before {r['before'] / MB:6.0f} MB  "
            f"peak {r['peak'] / MB:6.0f} MB (+{(r['peak'] - r['before']) / MB:.0f})  "
            f"kept after {r['after'] / MB:6.0f} MB (+{(r['after'] - r['before']) / MB:.0f})  "
            f"{r['seconds']:.2f} s  {r['outcome'][:110]}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
